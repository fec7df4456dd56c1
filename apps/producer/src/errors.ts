import {
  IdempotencyConflictError,
  TenantEndpointLimitError,
  isLogUnavailable,
  type Logger,
} from '@hookline/core';
import { HttpError } from './http-error';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { routeLabel } from './metrics';

// What ioredis (and Redis itself) say when Redis cannot serve a command: the connection is down
// or reconnecting (the API connection has no offline queue, so commands fail at once), a
// command outlived the 2 s timeout, or Redis is loading, out of memory or a read-only replica.
const REDIS_DOWN_NAMES = new Set([
  'MaxRetriesPerRequestError',
  'AbortError',
  'ClusterAllFailedError',
]);
const REDIS_DOWN_MESSAGES =
  /Stream isn't writeable|Connection is closed|Command timed out|max retries per request|Redis did not answer|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|^LOADING|^MASTERDOWN|^READONLY|^CLUSTERDOWN|^TRYAGAIN|^OOM/;

/** What a Redis Cluster answers while a slot is moving or its master fails over. */
const SLOT_MOVING_MESSAGES = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /;

export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (REDIS_DOWN_NAMES.has(error.name) || REDIS_DOWN_MESSAGES.test(error.message)) return true;
  // A transaction Redis discarded wrote nothing; when every command it refused was refused
  // because its slot was moving (a master failing over), it is an outage of that slot, not a bug.
  const previous = (error as Error & { previousErrors?: unknown[] }).previousErrors;
  return (
    /^EXECABORT/.test(error.message) &&
    Array.isArray(previous) &&
    previous.length > 0 &&
    previous.every(
      (e) => e instanceof Error && (SLOT_MOVING_MESSAGES.test(e.message) || isRedisUnavailable(e)),
    )
  );
}

/** The errors body-parser raises (http-errors with a `type`). */
interface BodyParserError {
  status: number;
  type: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const e = error as Partial<BodyParserError> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.type === 'string' &&
    typeof e.status === 'number' &&
    e.status >= 400 &&
    e.status < 500
  );
}

function fromBodyParser(error: BodyParserError): HttpError {
  if (error.status === 413)
    return new HttpError(413, 'payload_too_large', 'the body is larger than 1 MiB');
  if (error.status === 415) {
    return new HttpError(
      415,
      'unsupported_media_type',
      'the body must be JSON in UTF-8, identity, gzip, deflate or br',
    );
  }
  // entity.parse.failed, and the rest of what a bad body stream can do (a short body); a body
  // that does not decompress is json-body's to answer (body-parser gives it no `type`).
  return new HttpError(400, 'invalid_json', 'the body is not valid JSON');
}

/**
 * Any error as the API answers it. `redisReady` tells an outage apart from a bug: while the
 * connection is not ready, whatever failed failed because of it.
 */
export function toHttpError(error: unknown, redisReady: boolean): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof IdempotencyConflictError) {
    // A different body is the caller's mistake (422); a first request still running is a
    // conflict the caller resolves by retrying later (409).
    return new HttpError(
      error.reason === 'different_body' ? 422 : 409,
      'idempotency_conflict',
      error.message,
    );
  }
  // A count that waiting does not lower: no 429 and no Retry-After, but a conflict with the
  // tenant's state that deleting an endpoint (or a higher limit) resolves.
  if (error instanceof TenantEndpointLimitError)
    return new HttpError(409, 'quota_exceeded', error.message);
  if (isBodyParserError(error)) return fromBodyParser(error);
  // The router could not decode a percent-escape in the path: no route has such a path.
  if (error instanceof URIError) return new HttpError(404, 'not_found', 'no such route');
  if (!redisReady || isRedisUnavailable(error)) {
    return new HttpError(503, 'unavailable', 'the store (Redis) is unavailable; retry later');
  }
  if (isLogUnavailable(error)) {
    return new HttpError(503, 'unavailable', 'the log (Postgres) is unavailable; retry later');
  }
  return new HttpError(500, 'internal', 'internal error');
}

/** The one error middleware: every error, the caller's or ours, as `{error: {code, message, details}}`. */
export function errorHandler({
  logger,
  redisReady,
}: {
  logger: Logger;
  redisReady: () => boolean;
}): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const http = toHttpError(error, redisReady());
    if (http.status >= 500) {
      // Name, message and stack only: never the request's headers (they carry the API key), and
      // not the error's own fields either, where ioredis puts the failed command's arguments
      // (an endpoint's JSON, secrets included).
      const cause =
        error instanceof Error
          ? { name: error.name, message: error.message, stack: error.stack }
          : { value: String(error) };
      logger[http.status === 503 ? 'warn' : 'error'](
        { cause, method: req.method, route: routeLabel(req, res) },
        http.message,
      );
    }
    if (res.headersSent) {
      next(error);
      return;
    }
    res
      .status(http.status)
      .json({ error: { code: http.code, message: http.message, details: http.details } });
  };
}

/** Anything no route answered. */
export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path.slice(0, 200)}`));
};
