import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  /** When the whole body had arrived (ms). */
  at: number;
  /** When the request's headers arrived (ms): when the sender had started it, at the latest. */
  startedAt: number;
  path: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, received: Received) => void;

/** A real HTTP receiver on 127.0.0.1 that records every request it gets. */
export class Receiver {
  readonly received: Received[] = [];
  connections = 0;
  port = 0;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;

  static async start(
    handler: Handler = (_req, res) => res.writeHead(204).end(),
  ): Promise<Receiver> {
    const receiver = new Receiver();
    const server = createServer((req, res) => {
      const startedAt = Date.now();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received = {
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
          startedAt,
          path: req.url ?? '/',
        };
        receiver.received.push(received);
        handler(req, res, received);
      });
    });
    server.on('connection', (socket: Socket) => {
      receiver.connections += 1;
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    receiver.server = server;
    receiver.port = typeof address === 'object' && address ? address.port : 0;
    return receiver;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Distinct Webhook-Ids received, with how many times each arrived. */
  countsById(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.received) {
      const id = String(r.headers['webhook-id']);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
