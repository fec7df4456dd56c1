import { createRedis, IdempotencyConflictError } from '@hookline/core';
import { freePort } from '@hookline/core/testing';
import { isRedisUnavailable, toHttpError } from './errors';
import { HttpError } from './http-error';

test('an HttpError is answered as it is', () => {
  const error = new HttpError(422, 'validation_failed', 'no', [{ path: 'url', message: 'bad' }]);
  expect(toHttpError(error, true)).toBe(error);
});

test('body-parser errors map to invalid_json, payload_too_large and unsupported_media_type', () => {
  const bodyError = (status: number, type: string) =>
    Object.assign(new Error('x'), { status, type });
  expect(toHttpError(bodyError(400, 'entity.parse.failed'), true)).toMatchObject({
    status: 400,
    code: 'invalid_json',
  });
  expect(toHttpError(bodyError(413, 'entity.too.large'), true)).toMatchObject({
    status: 413,
    code: 'payload_too_large',
  });
  expect(toHttpError(bodyError(415, 'charset.unsupported'), true)).toMatchObject({
    status: 415,
    code: 'unsupported_media_type',
  });
  expect(toHttpError(bodyError(500, 'stream.not.readable'), true)).toMatchObject({
    status: 500,
    code: 'internal',
  });
});

test('any failure while Redis is not ready is 503 unavailable', () => {
  expect(toHttpError(new Error('anything'), false)).toMatchObject({
    status: 503,
    code: 'unavailable',
  });
});

test('an unexpected error is 500 internal with a message that reveals nothing', () => {
  const answer = toHttpError(new TypeError('secret internals'), true);
  expect(answer).toMatchObject({ status: 500, code: 'internal', details: [] });
  expect(answer.message).not.toContain('secret');
});

test('the errors ioredis raises when Redis is away are recognised as an outage', async () => {
  // The API's own connection settings, against a port nobody listens on. (disconnectTimeout 0:
  // ioredis otherwise leaves a 2 s timer behind for a socket that never opened.)
  const redis = createRedis(`redis://127.0.0.1:${await freePort()}`, 'api', {
    lazyConnect: true,
    retryStrategy: () => null,
    disconnectTimeout: 0,
  });
  const refused = await redis.connect().catch((error: unknown) => error);
  const offline = await redis.get('x').catch((error: unknown) => error);
  redis.disconnect();
  expect(isRedisUnavailable(refused)).toBe(true);
  expect(isRedisUnavailable(offline)).toBe(true);
  expect(toHttpError(offline, true)).toMatchObject({ status: 503, code: 'unavailable' });
  expect(isRedisUnavailable(new Error('Command timed out'))).toBe(true);
  expect(isRedisUnavailable(new Error('LOADING Redis is loading the dataset in memory'))).toBe(
    true,
  );
  expect(isRedisUnavailable(new TypeError('x is undefined'))).toBe(false);
});

test("the idempotency store's refusals are 422 for another body and 409 while the first runs", () => {
  expect(toHttpError(new IdempotencyConflictError('different_body'), true)).toMatchObject({
    status: 422,
    code: 'idempotency_conflict',
  });
  expect(toHttpError(new IdempotencyConflictError('in_progress'), true)).toMatchObject({
    status: 409,
    code: 'idempotency_conflict',
  });
});

test('a transaction discarded because its slot was moving (a master failing over) is an outage; one discarded for a bug is not', () => {
  const discarded = (...previous: string[]) =>
    Object.assign(new Error('EXECABORT Transaction discarded because of previous errors.'), {
      previousErrors: previous.map((message) => new Error(message)),
    });
  expect(isRedisUnavailable(discarded('MOVED 3999 127.0.0.1:7101'))).toBe(true);
  expect(isRedisUnavailable(discarded('MOVED 3999 127.0.0.1:7101', 'TRYAGAIN x'))).toBe(true);
  expect(toHttpError(discarded('CLUSTERDOWN The cluster is down'), true).status).toBe(503);
  expect(
    isRedisUnavailable(discarded("CROSSSLOT Keys in request don't hash to the same slot")),
  ).toBe(false);
  expect(isRedisUnavailable(discarded('MOVED 1 x', 'ERR wrong number of arguments'))).toBe(false);
  expect(isRedisUnavailable(discarded())).toBe(false);
});
