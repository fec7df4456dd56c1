import {
  DeliveryPath,
  EndpointPath,
  EventPath,
  OperatorKeyPath,
  TenantPath,
  type Route,
} from '@hookline/api';
import type { Request } from 'express';
import type { z } from 'zod';
import { HttpError } from './http-error';
import { parse } from './validate';

/**
 * The 404 of a malformed path parameter, by the kind of object it would name: like an unknown
 * object's, found without asking Redis, and without the text (it is whatever the caller sent).
 */
const MALFORMED_PATH = new Map<z.ZodType, string>([
  [EndpointPath, 'no such endpoint: not a ep_ id'],
  [EventPath, 'no such event: not a evt_ id'],
  [DeliveryPath, 'no such delivery: not a whd_ id'],
  [TenantPath, 'no such tenant: not a tenant id'],
  [OperatorKeyPath, 'no such operator key: not a opk_ id'],
]);

/** A request as a route's schemas parse it; a part the route has no schema for is `undefined`. */
export interface ParsedInput {
  params: unknown;
  query: unknown;
  headers: unknown;
  body: unknown;
}

/**
 * The parser of `route`'s requests: the path (a malformed parameter is a 404), then the headers,
 * the query and the body (each a 422 naming every bad field), in the order docs/api.md's
 * "Errors" gives. `body` stands in for the route's body schema where the deployment refines it.
 * A route whose path parameters are of no kind above fails here, at startup.
 */
export function inputParser(
  route: Route,
  body: z.ZodType | undefined = route.body,
): (req: Request) => ParsedInput {
  const { params, query, headers } = route;
  const malformed = params && MALFORMED_PATH.get(params);
  if (params && malformed === undefined)
    throw new Error(`${route.operationId}: no 404 is known for its path parameters`);
  // The schema names headers as documented (`Idempotency-Key`); node has them lower-cased.
  const headerNames = Object.keys(headers?.shape ?? {});
  return (req) => {
    const path = params?.safeParse(req.params);
    if (path?.success === false) throw new HttpError(404, 'not_found', malformed!);
    return {
      params: path?.data,
      headers:
        headers &&
        parse(headers, Object.fromEntries(headerNames.map((name) => [name, req.get(name)]))),
      query: query && parse(query, req.query),
      body: body && parse(body, req.body),
    };
  };
}
