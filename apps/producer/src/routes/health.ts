import { redisAnswers } from '@hookline/core';
import { Router } from 'express';
import type { RouteDeps } from '../deps';

/** No auth: probes and Prometheus. */
export function healthRoutes({ context, metrics }: RouteDeps): Router {
  const router = Router();

  // Live while the process runs: Redis being away is /readyz's business, not a reason to restart.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    if (await redisAnswers(context.redis)) {
      res.json({ status: 'ready' });
      return;
    }
    res
      .status(503)
      .json({ error: { code: 'unavailable', message: 'Redis does not answer', details: [] } });
  });

  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return router;
}
