import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, that a test can cut (every connection
 * through it dropped, new ones refused) and mend, to drop one client's Redis connection without
 * touching anyone else's.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  port = 0;
  /** How many connections it has let through: how many times clients connected. */
  accepted = 0;

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    server.on('connection', (client: Socket) => {
      if (proxy.refusing) {
        client.destroy();
        return;
      }
      proxy.accepted += 1;
      const upstream = connect(targetPort, targetHost);
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          proxy.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    proxy.port = typeof address === 'object' && address ? address.port : 0;
    return proxy;
  }

  /** Connections open through it now (each counts its client and its upstream side). */
  get openSockets(): number {
    return this.sockets.size;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Drops every connection through the proxy and refuses new ones until {@link mend}. */
  cut(): void {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
  }

  mend(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
