import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { waitFor } from '@hookline/core/testing';

/** What a receiver does with one request. */
export type Behaviour =
  /** 204, now. */
  | { kind: 'ok'; delayMs?: number }
  /** This status (with optional headers), now or after `delayMs`. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; delayMs?: number }
  /** 302 to `/redirected` on the same receiver (a dispatcher must not follow it). */
  | { kind: 'redirect' }
  /** TCP reset (RST) as soon as the request arrives. */
  | { kind: 'reset' }
  /** Never answers. */
  | { kind: 'hang' }
  /** 200 and its headers at once, then a body of one byte a second, forever. */
  | { kind: 'drip' }
  /** 200 and its headers at once, then a byte every 2 s, the body complete after `totalMs`: slow but within every limit. */
  | { kind: 'slowBody'; totalMs: number }
  /** 200 with a 10 MiB body. */
  | { kind: 'big' }
  /** Bytes that are not HTTP, then the connection closed. */
  | { kind: 'invalid' };

export type BehaviourKind = Behaviour['kind'];

export interface Request {
  id: string;
  attempt: number;
  path: string;
  eventId: string | undefined;
  behaviour: BehaviourKind;
  at: number;
  /** Whether the receiver answered 2xx (what a delivery needs to count as arrived). */
  success: boolean;
}

export type Decide = (request: { id: string; attempt: number; path: string }) => Behaviour;

const BIG = Buffer.alloc(10 * 1024 * 1024, 'x');

/**
 * Webhook receivers on 127.0.0.1: one HTTP server answering every request by a behaviour chosen
 * per request, that records what it got by `Webhook-Id`.
 */
export class Receiver {
  /** Requests per Webhook-Id (every request, whatever the answer). */
  readonly arrivals = new Map<string, number>();
  /** Requests per Webhook-Id answered 2xx. */
  readonly successes = new Map<string, number>();
  /** Every request in order, when `keepRequests` (scenarios that check attempt by attempt). */
  readonly requests: Request[] = [];
  /** Requests that reached `/redirected`: a dispatcher that follows redirects. */
  redirectsFollowed = 0;
  /** Requests without a Webhook-Id: never expected. */
  anonymous = 0;
  /**
   * Requests for another receiver's URL (the path does not start with this one's token): a
   * process of another test, or another run on the same machine, that reached a port this
   * receiver reuses. Refused (404) and kept out of every count.
   */
  foreign = 0;
  /** Every URL of this receiver starts with it. */
  private readonly token = randomBytes(6).toString('hex');
  total = 0;
  port = 0;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;

  private constructor(
    private decide: Decide,
    private readonly keepRequests: boolean,
  ) {}

  static async start(
    decide: Decide = () => ({ kind: 'ok' }),
    { keepRequests = false } = {},
  ): Promise<Receiver> {
    const receiver = new Receiver(decide, keepRequests);
    const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) =>
      receiver.handle(req, res),
    );
    server.on('connection', (socket: Socket) => {
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    // A reset or an invalid answer leaves errors on sockets we no longer care about.
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    receiver.server = server;
    receiver.port = typeof address === 'object' && address ? address.port : 0;
    return receiver;
  }

  /** Changes how requests are answered from now on. */
  setBehaviour(decide: Decide): void {
    this.decide = decide;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}/${this.token}${path}`;
  }

  /** How many distinct Webhook-Ids were answered 2xx. */
  get delivered(): number {
    return this.successes.size;
  }

  /** Webhook-Ids that arrived more than once (any answer), and how many extra requests they cost. */
  duplicates(): { ids: number; extraRequests: number } {
    let ids = 0;
    let extraRequests = 0;
    for (const count of this.arrivals.values()) {
      if (count > 1) {
        ids += 1;
        extraRequests += count - 1;
      }
    }
    return { ids, extraRequests };
  }

  /**
   * Waits until every one of `ids` has been answered 2xx: by id, not by a count of distinct
   * arrivals, which a delivery nobody acknowledged (a publish answered 503 whose write went
   * through) could meet early. Fails naming how many are missing and a few of them. Returns `ids`.
   */
  async untilDelivered<T extends readonly string[]>(ids: T, timeoutMs: number): Promise<T> {
    let missing = ids.filter((id) => !this.successes.has(id));
    await waitFor(
      () => {
        missing = missing.filter((id) => !this.successes.has(id));
        return missing.length === 0;
      },
      { timeoutMs, intervalMs: 50, message: `all ${ids.length} deliveries to arrive` },
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}: ${missing.length} missing, ${missing.slice(0, 10).join(', ')}`,
      );
    });
    return ids;
  }

  /** Waits until `n` more distinct deliveries than now have been answered 2xx. */
  async untilMore(n: number, what: string, timeoutMs = 60_000): Promise<void> {
    const mark = this.delivered;
    await waitFor(() => this.delivered >= mark + n, { timeoutMs, message: what });
  }

  /** Webhook-Ids answered 2xx more than once (delivered twice, from the receiver's point of view). */
  deliveredTwice(): number {
    let n = 0;
    for (const count of this.successes.values()) if (count > 1) n += 1;
    return n;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const full = (req.url ?? '/').split('?')[0] ?? '/';
    if (!full.startsWith(`/${this.token}/`)) {
      this.foreign += 1;
      req.resume();
      res.writeHead(404).end();
      return;
    }
    const path = full.slice(this.token.length + 1);
    if (path === '/redirected') {
      this.redirectsFollowed += 1;
      res.writeHead(204).end();
      return;
    }
    const id = req.headers['webhook-id'];
    if (typeof id !== 'string') {
      this.anonymous += 1;
      res.writeHead(400).end();
      return;
    }
    this.total += 1;
    this.arrivals.set(id, (this.arrivals.get(id) ?? 0) + 1);
    const attempt = Number(req.headers['webhook-attempt']);
    const eventId =
      typeof req.headers['event-id'] === 'string' ? req.headers['event-id'] : undefined;
    const behaviour = this.decide({ id, attempt, path });
    const request: Request = {
      id,
      attempt,
      path,
      eventId,
      behaviour: behaviour.kind,
      at: Date.now(),
      success: false,
    };
    if (this.keepRequests) this.requests.push(request);
    const succeed = () => {
      // An answer to a client that is gone (a killed dispatcher) counts for nothing.
      if (req.socket.destroyed) return;
      request.success = true;
      this.successes.set(id, (this.successes.get(id) ?? 0) + 1);
    };

    switch (behaviour.kind) {
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'invalid':
        req.socket.end('SPEAKING FLUENT GIBBERISH\r\n\r\n');
        return;
      case 'hang':
        // Keep reading so the request itself completes; never answer.
        req.resume();
        return;
      default:
    }

    // Answers come after the whole request body, as a real receiver's would.
    req.resume();
    req.on('end', () => {
      switch (behaviour.kind) {
        case 'ok': {
          const answer = () => {
            succeed();
            res.writeHead(204).end();
          };
          if (behaviour.delayMs) this.later(answer, behaviour.delayMs);
          else answer();
          return;
        }
        case 'status': {
          const answer = () => {
            if (behaviour.status >= 200 && behaviour.status < 300) succeed();
            res
              .writeHead(behaviour.status, { 'content-type': 'text/plain', ...behaviour.headers })
              .end(`status ${behaviour.status}`);
          };
          if (behaviour.delayMs) this.later(answer, behaviour.delayMs);
          else answer();
          return;
        }
        case 'redirect':
          res.writeHead(302, { location: this.url('/redirected') }).end();
          return;
        case 'big':
          succeed();
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BIG.length });
          res.on('error', () => undefined);
          res.end(BIG);
          return;
        case 'slowBody': {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.flushHeaders();
          const end = Date.now() + behaviour.totalMs;
          const timer = setInterval(() => {
            if (res.destroyed) {
              clearInterval(timer);
              this.timers.delete(timer);
            } else if (Date.now() >= end) {
              clearInterval(timer);
              this.timers.delete(timer);
              succeed();
              res.end('.');
            } else res.write('.');
          }, 2_000);
          this.timers.add(timer);
          return;
        }
        case 'drip': {
          // Not a success: the answer never completes, and the dispatcher gives up on it.
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.flushHeaders();
          const timer = setInterval(() => {
            if (res.destroyed || res.writableEnded) {
              clearInterval(timer);
              this.timers.delete(timer);
              return;
            }
            res.write('x');
          }, 1_000);
          this.timers.add(timer);
          res.on('close', () => {
            clearInterval(timer);
            this.timers.delete(timer);
          });
          return;
        }
        default:
      }
    });
  }

  private later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
