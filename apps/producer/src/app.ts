import express, { type Express } from 'express';
import { adminRoutes } from './admin';
import { consoleRoutes } from './console';
import { requireApiKey } from './auth';
import type { AppDeps, RouteDeps } from './deps';
import { errorHandler, unknownRoute } from './errors';
import { countRequests } from './metrics';
import { openApiRoutes } from './openapi';
import { routeTable } from './route-table';
import { activityHandlers } from './routes/activity';
import { deadLetterHandlers } from './routes/dead-letter';
import { deliveryHandlers } from './routes/deliveries';
import { endpointActionHandlers } from './routes/endpoint-actions';
import { encryptionKeyHandlers } from './routes/encryption-keys';
import { endpointHandlers } from './routes/endpoints';
import { eventHandlers } from './routes/events';
import { healthRoutes } from './routes/health';
import { operatorKeyHandlers } from './routes/operator-keys';
import { tenantHandlers } from './routes/tenants';
import { traceRequests } from './trace-requests';

/**
 * The HTTP API as an express app: no listening, no signals (`main.ts` does those; tests drive
 * this with supertest). The `/v1` routes are `@hookline/api`'s route table (route-table.ts), each
 * with its own `auth` rather than one in front of them all, so a 401 is counted under the route
 * it was refused on. A route without a handler, or a handler without a route, fails here.
 */
export function createApp(deps: AppDeps): Express {
  const route: RouteDeps = { ...deps, now: deps.now ?? Date.now, tracing: deps.tracing ?? false };
  const auth = requireApiKey(deps.config.apiKeys, deps.context, route.now);
  const app = express();
  app.disable('x-powered-by');
  // API responses are not cached: an ETag is a SHA-1 over every body for nothing (seen in profiles).
  app.disable('etag');
  // Query values are strings or arrays of strings, never objects: `?limit[a]=1` is a 422.
  app.set('query parser', 'simple');

  // Off by default: no span objects, no context switches, nothing to pay for (README, "Tracing").
  if (deps.tracing) app.use(traceRequests());
  app.use(countRequests(deps.metrics));
  // The table first: express walks every router mounted before the one that answers, and its
  // publish routes take nearly all of the traffic. No two routes share a path, so order is free.
  app.use(
    routeTable(
      [
        eventHandlers(route),
        endpointHandlers(route),
        endpointActionHandlers(route),
        deliveryHandlers(route),
        activityHandlers(route),
        deadLetterHandlers(route),
        tenantHandlers(route),
        operatorKeyHandlers(route),
        encryptionKeyHandlers(route),
      ],
      auth,
    ),
  );
  app.use(healthRoutes(route));
  app.use(openApiRoutes());
  app.use(adminRoutes(deps.context, deps.config.apiKeys));
  app.use(consoleRoutes({ traceUrl: deps.config.traceUrl }));
  app.use(unknownRoute);
  app.use(
    errorHandler({ logger: deps.logger, redisReady: () => deps.context.redis.status === 'ready' }),
  );
  return app;
}
