import express, { type Express } from 'express';
import { adminRoutes } from './admin';
import { consoleRoutes } from './console';
import { requireApiKey } from './auth';
import type { AppDeps, RouteDeps } from './deps';
import { errorHandler, unknownRoute } from './errors';
import { countRequests } from './metrics';
import { openApiRoutes } from './openapi';
import { deadLetterRoutes } from './routes/dead-letter';
import { activityRoutes } from './routes/activity';
import { deliveryRoutes } from './routes/deliveries';
import { endpointActionRoutes } from './routes/endpoint-actions';
import { endpointRoutes } from './routes/endpoints';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { tenantRoutes } from './routes/tenants';

/**
 * The HTTP API as an express app: no listening, no signals (`main.ts` does those; tests drive
 * this with supertest). Every `/v1` route names `auth` as its first handler rather than the app
 * mounting it in front of them all, so a 401 is counted under the route it was refused on.
 */
export function createApp(deps: AppDeps): Express {
  const route: RouteDeps = { ...deps, now: deps.now ?? Date.now };
  const auth = requireApiKey(deps.config.apiKeys, deps.context.tenants);
  const app = express();
  app.disable('x-powered-by');
  // API responses are not cached: an ETag is a SHA-1 over every body for nothing (seen in profiles).
  app.disable('etag');
  // Query values are strings or arrays of strings, never objects: `?limit[a]=1` is a 422.
  app.set('query parser', 'simple');

  app.use(countRequests(deps.metrics));
  // Publishing first: express walks every router mounted before the one that answers, and the
  // publish routes take nearly all of the traffic. No two routers share a path, so order is free.
  app.use(eventRoutes(route, auth));
  app.use(healthRoutes(route));
  app.use(openApiRoutes());
  app.use(endpointRoutes(route, auth));
  app.use(endpointActionRoutes(route, auth));
  app.use(deliveryRoutes(route, auth));
  app.use(activityRoutes(route, auth));
  app.use(deadLetterRoutes(route, auth));
  app.use(tenantRoutes(route, auth));
  app.use(adminRoutes(deps.context, deps.config.apiKeys));
  app.use(consoleRoutes({ traceUrl: deps.config.traceUrl }));
  app.use(unknownRoute);
  app.use(
    errorHandler({ logger: deps.logger, redisReady: () => deps.context.redis.status === 'ready' }),
  );
  return app;
}
