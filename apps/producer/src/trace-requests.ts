import { type Route } from '@hookline/api';
import { tracer } from '@hookline/core';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
} from '@opentelemetry/api';
import type { RequestHandler, Response } from 'express';

/**
 * One server span per request, the child of the caller's `traceparent` if it sent one. It is the
 * active span while the middleware after it runs synchronously, and `requestContext(res)` hands
 * it to the spans made while the request is handled (the publish span): Hookline's context does
 * not follow an `await` (synchronous-context.ts says why). Named by the route's operationId once the route is known (`res.locals.route`, set where
 * routes are registered), else by method and matched path. Mounted only while tracing is on.
 */
export function traceRequests(): RequestHandler {
  const spans = tracer();
  return (req, res, next) => {
    // Most callers send no trace context: the propagators are asked only when one came.
    const parent =
      req.headers.traceparent === undefined
        ? ROOT_CONTEXT
        : propagation.extract(ROOT_CONTEXT, req.headers);
    const userAgent = req.headers['user-agent'];
    const attributes: Attributes = {
      'http.request.method': req.method,
      'url.path': req.path,
      'url.scheme': (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
    };
    if (userAgent) attributes['user_agent.original'] = userAgent;
    const span = spans.startSpan(req.method, { kind: SpanKind.SERVER, attributes }, parent);
    // 'close' comes after 'finish' for an answer written in full, and alone for one cut short.
    res.once('close', () => {
      const route = (res.locals as { route?: Route }).route;
      const path = route?.path ?? (req.route as { path?: string } | undefined)?.path;
      if (route) span.updateName(route.operationId);
      else if (path) span.updateName(`${req.method} ${path}`);
      const ended: Attributes = { 'http.response.status_code': res.statusCode };
      if (path) ended['http.route'] = path;
      span.setAttributes(ended);
      if (!res.writableFinished)
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: 'connection closed before the answer',
        });
      else if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    const active = trace.setSpan(parent, span);
    res.locals.traceContext = active;
    context.with(active, next);
  };
}

/** The request's span as a parent for the spans made while handling it (root while tracing is off). */
export const requestContext = (res: Response): Context =>
  (res.locals.traceContext as Context | undefined) ?? ROOT_CONTEXT;
