import type { Metrics } from '@hookline/core';
import type { Request, RequestHandler, Response } from 'express';
import { expressPath, matchedRoute } from './route-table';

/**
 * The route label: the path of the table's route the request matched, in express's form
 * (`/v1/endpoints/:id`, which dashboards and alerts name), else the pattern of a route outside
 * the table (`/healthz`); never the raw path, which carries ids and would make the label's
 * cardinality unbounded. Both are set before a route's first check and stay set after its
 * handlers finish or fail, so the label is right for errors (401, 404 of an unknown id, 422) too.
 */
export function routeLabel(req: Request, res: Response): string {
  const route = matchedRoute(res);
  if (route) return expressPath(route.path);
  const other = req.route as { path?: unknown } | undefined;
  return typeof other?.path === 'string' ? other.path : 'unmatched';
}

/** Counts `hookline_http_requests_total{route, status}` once each response is sent. */
export function countRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () =>
      metrics.httpRequests.inc({ route: routeLabel(req, res), status: String(res.statusCode) }),
    );
    next();
  };
}
