import type { Metrics } from '@hookline/core';
import type { Request, RequestHandler } from 'express';

/**
 * The route label: the pattern the request matched (`/v1/endpoints/:id`), never the raw path,
 * which carries ids and would make the label's cardinality unbounded. Every route is mounted at
 * the root with its full path, and express leaves `req.route` set after a route's handlers
 * finish or fail, so the label is right for errors (401, 404 of an unknown id, 422) too.
 */
export function routeLabel(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  return typeof route?.path === 'string' ? route.path : 'unmatched';
}

/** Counts `hookline_http_requests_total{route, status}` once each response is sent. */
export function countRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () =>
      metrics.httpRequests.inc({ route: routeLabel(req), status: String(res.statusCode) }),
    );
    next();
  };
}
