import { ROUTES, type OperationId, type Route, type RouteInput } from '@hookline/api';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { jsonBody } from './json-body';
import { operatorOnly } from './principal';
import { inputParser } from './route-input';

/** What answers one operation, given the request as its route's schemas parse it. */
export type Handler<Op extends OperationId> = (
  req: Request,
  res: Response,
  input: RouteInput<Op>,
) => Promise<void> | void;

/**
 * A handler, or a handler with the body schema this deployment puts in place of its route's (the
 * endpoint URL policy refines `url`): it parses to the same type.
 */
export type Operation<Op extends OperationId> =
  Handler<Op> | { body: z.ZodType<RouteInput<Op>['body']>; handle: Handler<Op> };

/** Operations by their operationId: each area of the API (`routes/*.ts`) answers some of them. */
export type Handlers = { [Op in OperationId]?: Operation<Op> };

/** Express's form of a route's OpenAPI path: `/v1/endpoints/{id}` is `/v1/endpoints/:id`. */
export const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/** The route of the table a request matched; set before its auth runs, so a 401 has one too. */
export function matchedRoute(res: Response): Route | undefined {
  return res.locals.route as Route | undefined;
}

/** An operation with its input's type erased, as the one map of every operation holds it. */
interface Resolved {
  handle: (req: Request, res: Response, input: never) => Promise<void> | void;
  body?: z.ZodType;
}

/**
 * The areas' operations as one map. An operation answered by two areas, a route with no handler
 * or a handler of no route is an error: the app must not start with a route that would 404.
 */
export function operationsOf(areas: readonly Handlers[]): Map<string, Resolved> {
  const operations = new Map<string, Resolved>();
  const problems: string[] = [];
  for (const area of areas) {
    for (const [operationId, operation] of Object.entries(area)) {
      if (operations.has(operationId)) problems.push(`${operationId} is answered twice`);
      operations.set(
        operationId,
        typeof operation === 'function' ? { handle: operation } : operation,
      );
    }
  }
  const routed = new Set<string>(ROUTES.map((route) => route.operationId));
  for (const id of routed) if (!operations.has(id)) problems.push(`${id} has no handler`);
  for (const id of operations.keys()) if (!routed.has(id)) problems.push(`${id} has no route`);
  if (problems.length > 0)
    throw new Error(`the route table and its handlers disagree: ${problems.join('; ')}`);
  return operations;
}

// Express tries routes in the order they are mounted, and publishing takes nearly all of the
// traffic: its routes go first. No two routes share a method and path, so order is otherwise free.
const FIRST: readonly string[] = ['publishEvent', 'publishEvents'] satisfies OperationId[];
const mountOrder = (routes: readonly Route[]) =>
  [...routes].sort(
    (a, b) => Number(FIRST.includes(b.operationId)) - Number(FIRST.includes(a.operationId)),
  );

/**
 * Every route of the table, each as: the route put on `res.locals.route` (metrics name the
 * request by it), `auth`, then `operatorOnly` unless a tenant key may call it, the JSON body
 * parser where it takes a body, and its handler, given the request parsed by the route's
 * schemas. So a request is refused for its key (401), then for its kind of key (403), then for
 * its body's form (400, 413, 415), then for its input (404 of a malformed path id, 422).
 */
export function routeTable(areas: readonly Handlers[], auth: RequestHandler): Router {
  const operations = operationsOf(areas);
  const router = Router();
  for (const route of mountOrder(ROUTES)) {
    const { handle, body = route.body } = operations.get(route.operationId)!;
    const parse = inputParser(route, body);
    const matched: RequestHandler = (_req, res, next) => {
      res.locals.route = route;
      next();
    };
    router[route.method](
      expressPath(route.path),
      matched,
      auth,
      ...(route.tenantKey ? [] : [operatorOnly]),
      ...(route.body ? [jsonBody] : []),
      // `never`: the input is parsed by the very schemas `RouteInput` of this operation is
      // inferred from, which the compiler cannot follow through the map.
      (req: Request, res: Response) => handle(req, res, parse(req) as never),
    );
  }
  return router;
}
