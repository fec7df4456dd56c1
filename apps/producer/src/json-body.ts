import { HttpError } from './http-error';
import express, { type RequestHandler } from 'express';
import { validationFailed } from './validate';

/** The documented body limit, 1 MiB (`bytes` reads `mb` as 2^20). */
export const BODY_LIMIT = '1mb';

/**
 * How deeply a body may nest. `JSON.parse` copes with any depth but `JSON.stringify`, which
 * writes the event receivers get, recurses and overflows the stack somewhere past ten thousand
 * levels: a 1 MiB body of `[` would be a 500. Real payloads nest a handful of levels.
 */
export const MAX_DEPTH = 64;

/** Whether `value` nests objects or arrays deeper than `max` (iterative: no stack to overflow). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** `application/json` or a `+json` type, parameters (charset) aside. */
export function isJsonType(contentType: string): boolean {
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type);
}

const parser = express.json({ limit: BODY_LIMIT, strict: false, type: () => true });

/**
 * Whether body-parser failed because the body did not decompress: it passes the zlib error on with
 * status 400 but, unlike its own errors (parse, size, charset, an aborted request), no `type`.
 */
function isUndecodable(error: unknown): boolean {
  const e = error as { status?: unknown; type?: unknown } | null;
  return typeof e === 'object' && e !== null && e.status === 400 && e.type === undefined;
}

function undecodable(encoding: string | undefined): HttpError {
  return new HttpError(
    400,
    'invalid_json',
    `the body is not valid ${String(encoding).slice(0, 20)} data`,
  );
}

function hasContent(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/**
 * Parses a JSON body into `req.body`. A body in another type is 415; no body at all (and no
 * content type) is `{}`, which every route whose fields are all optional accepts. Parse errors
 * (400), oversize (413) and bad charsets (415) come from body-parser and are rendered by the
 * error middleware.
 */
export const jsonBody: RequestHandler = (req, res, next) => {
  const type = req.headers['content-type'];
  if (type === undefined ? hasContent(req.headers) : !isJsonType(type)) {
    next(
      new HttpError(
        415,
        'unsupported_media_type',
        'the body must be JSON (Content-Type: application/json)',
      ),
    );
    return;
  }
  parser(req, res, (error?: unknown) => {
    if (error) {
      next(isUndecodable(error) ? undecodable(req.headers['content-encoding']) : error);
      return;
    }
    // body-parser leaves `undefined` when there was no body; an empty JSON body parses to {}.
    if (req.body === undefined) req.body = {};
    if (nestsDeeperThan(req.body, MAX_DEPTH)) {
      next(
        validationFailed([{ path: '', message: `must not nest deeper than ${MAX_DEPTH} levels` }]),
      );
      return;
    }
    next();
  });
};
