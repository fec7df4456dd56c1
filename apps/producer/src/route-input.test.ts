import { ROUTES, type Route } from '@hookline/api';
import type { Request } from 'express';
import { z } from 'zod';
import { inputParser } from './route-input';

const routeOf = (operationId: string): Route => ROUTES.find((r) => r.operationId === operationId)!;

/** A request as express hands it on: path parameters, query, parsed body, and headers. */
function request(
  parts: Partial<Pick<Request, 'params' | 'query' | 'body'>> & {
    headers?: Record<string, string>;
  },
): Request {
  const headers = new Map(
    Object.entries(parts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return {
    params: {},
    query: {},
    body: undefined,
    ...parts,
    get: (name: string) => headers.get(name.toLowerCase()),
  } as unknown as Request;
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

test('a path id of the wrong kind or shape is a 404 that does not echo it', () => {
  const parse = inputParser(routeOf('getEndpoint'));
  const id = 'ep_01JH0000000000000000000000';
  expect(parse(request({ params: { id } })).params).toEqual({ id });
  for (const text of ['evt_01JH0000000000000000000000', '<script>', '']) {
    const error = thrown(() => parse(request({ params: { id: text } })));
    expect(error).toMatchObject({
      status: 404,
      code: 'not_found',
      message: 'no such endpoint: not a ep_ id',
    });
  }
});

test('a malformed tenant id in the path is a 404 like an unknown tenant', () => {
  const parse = inputParser(routeOf('getTenant'));
  expect(thrown(() => parse(request({ params: { tenant_id: '-x' } })))).toMatchObject({
    status: 404,
    message: 'no such tenant: not a tenant id',
  });
});

test('the path is checked before the query and the body', () => {
  const parse = inputParser(routeOf('listEndpointDeliveries'));
  const error = thrown(() => parse(request({ params: { id: 'x' }, query: { limit: 'x' } })));
  expect(error).toMatchObject({ status: 404 });
});

test('headers are read by their documented names, and a bad one is a 422 at its name', () => {
  const parse = inputParser(routeOf('publishEvent'));
  const body = { name: 'a', data: {} };
  expect(parse(request({ headers: { 'idempotency-key': 'k' }, body })).headers).toEqual({
    'Idempotency-Key': 'k',
  });
  const error = thrown(() =>
    parse(request({ headers: { 'Idempotency-Key': 'x'.repeat(256) }, body: { name: 1 } })),
  );
  // The header before the body, as the publish routes always checked them.
  expect(error).toMatchObject({
    status: 422,
    message: 'Idempotency-Key: must be 1 to 255 characters',
    details: [{ path: 'Idempotency-Key', message: 'must be 1 to 255 characters' }],
  });
});

test('a body schema given stands in for the route’s', () => {
  const strict = z.strictObject({ url: z.string().startsWith('https://') });
  const parse = inputParser(routeOf('createEndpoint'), strict);
  expect(thrown(() => parse(request({ body: { url: 'http://x' } })))).toMatchObject({
    status: 422,
    details: [{ path: 'url' }],
  });
});

test('a route whose path parameters are of no known kind fails when its parser is made', () => {
  const route: Route = { ...routeOf('getEndpoint'), params: z.object({ id: z.string() }) };
  expect(() => inputParser(route)).toThrow(/getEndpoint: no 404 is known/);
});
