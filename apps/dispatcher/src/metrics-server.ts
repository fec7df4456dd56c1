import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** The dispatcher's `/metrics` and `/healthz`, on `METRICS_PORT`. */
export function createMetricsServer(registry: Registry, isHealthy: () => boolean): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: { code: 'internal', message: 'metrics collection failed', details: [] },
            }),
          );
        },
      );
      return;
    }
    if (req.method === 'GET' && path === '/healthz') {
      const healthy = isHealthy();
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: healthy ? 'ok' : 'stopping' }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { code: 'not_found', message: `no route ${req.method ?? ''} ${path}`, details: [] },
      }),
    );
  });
}
