import { HttpError } from './http-error';
import type { NextFunction, Request, Response } from 'express';
import { apiKeyCheck, requireApiKey } from './auth';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(40);

test('accepts each configured key and nothing else', () => {
  const check = apiKeyCheck([KEY_A, KEY_B]);
  expect(check(KEY_A)).toBe(true);
  expect(check(KEY_B)).toBe(true);
  for (const wrong of ['', KEY_A.slice(1), `${KEY_A}a`, KEY_A.toUpperCase(), `${KEY_A},${KEY_B}`])
    expect(check(wrong)).toBe(false);
});

test('with no keys configured, nothing is accepted', () => {
  expect(apiKeyCheck([])('')).toBe(false);
});

/** Runs the middleware on a request with this Authorization header; returns what it passed to next. */
function authorize(header: string | undefined): {
  error: unknown;
  headers: Record<string, string>;
} {
  const headers: Record<string, string> = {};
  let error: unknown = 'next not called';
  const req = { headers: header === undefined ? {} : { authorization: header } } as Request;
  const res = {
    locals: {},
    set: (name: string, value: string) => (headers[name] = value),
  } as unknown as Response;
  const next: NextFunction = (e?: unknown) => {
    error = e;
  };
  // None of these tokens has the form of a tenant or operator key, so no store is asked (those are
  // tested against real Redis in test/tenants.redis.test.ts and test/operator-keys.redis.test.ts).
  const never = () => Promise.reject(new Error('not a key Hookline mints: never looked up'));
  requireApiKey([KEY_A], { tenants: { verifyKey: never }, operatorKeys: { verify: never } })(
    req,
    res,
    next,
  );
  return { error, headers };
}

test('a Bearer token with a configured key passes, whatever the case of the scheme', () => {
  expect(authorize(`Bearer ${KEY_A}`).error).toBeUndefined();
  expect(authorize(`bearer ${KEY_A}`).error).toBeUndefined();
});

test('a missing, malformed or wrong Authorization header is a 401 with a Bearer challenge', () => {
  for (const header of [
    undefined,
    '',
    KEY_A,
    `Basic ${KEY_A}`,
    `Bearer ${KEY_B}`,
    `Bearer ${KEY_A} extra`,
    'Bearer',
  ]) {
    const { error, headers } = authorize(header);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(headers['WWW-Authenticate']).toMatch(/^Bearer /);
  }
});
