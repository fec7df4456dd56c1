import { request } from 'node:http';
import { listen } from './harness';

export interface Forwarded {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  status: number;
}

/**
 * An HTTP proxy to `target` that forwards every request and waits for the whole answer, but
 * drops the client's connection instead of relaying the first one: the request took effect and
 * its answer was lost, which is exactly when a retry could do it twice.
 */
export async function lossyProxy(target: string) {
  const forwarded: Forwarded[] = [];
  const server = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const upstream = request(
        new URL(req.url ?? '/', target),
        { method: req.method, headers: req.headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            forwarded.push({
              method: req.method ?? '',
              path: req.url ?? '',
              idempotencyKey: req.headers['idempotency-key'] as string | undefined,
              status: answer.statusCode ?? 0,
            });
            if (forwarded.length === 1) {
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(body));
          });
        },
      );
      upstream.end(Buffer.concat(chunks));
    });
  });
  return { ...server, forwarded };
}
