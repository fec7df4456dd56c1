import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import {
  verify,
  WebhookVerificationError,
  type VerificationFailure,
  type WebhookEvent,
} from '@hookline/webhooks';

/** How a delivery's signature came out. */
export type Verification =
  | { kind: 'verified' }
  | { kind: 'invalid'; reason: VerificationFailure; message: string }
  /** No `--secret`: nothing to check against. */
  | { kind: 'unchecked' };

/** One request the listener got, and what it answered. */
export interface Received {
  at: Date;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  verification: Verification;
  /** The body as JSON, when it is JSON (a verified body is always a Hookline event). */
  event: Partial<WebhookEvent> | undefined;
  /** The status answered. */
  status: number;
}

export interface ListenerOptions {
  /** The endpoint's secrets; empty: signatures are not checked. */
  secrets: readonly string[];
  /** The status to answer; with `failRate`, the status of the failures (default 500). */
  status?: number;
  /** The share of deliveries to fail, 0–1. */
  failRate?: number;
  random: () => number;
  onRequest: (received: Received) => void;
}

// Deliveries are events of at most 1 MiB plus headers; anything far larger is not one.
const MAX_BODY = 5 * 1024 * 1024;

// As @hookline/webhooks/express answers: 401 when the signature or its time is wrong, 400 when
// the request is not a webhook at all.
const UNAUTHORIZED: ReadonlySet<VerificationFailure> = new Set([
  'no_matching_signature',
  'timestamp_too_old',
  'timestamp_too_new',
]);

/** A local webhook receiver: verifies, reports each request, answers as configured. */
export function createListener(options: ListenerOptions): Server {
  return createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        return;
      }
      const body = Buffer.concat(chunks);
      const verification = check(body, req.headers, options.secrets);
      const status =
        verification.kind === 'invalid'
          ? UNAUTHORIZED.has(verification.reason)
            ? 401
            : 400
          : answer(options);
      const received: Received = {
        at: new Date(),
        method: req.method ?? 'POST',
        path: req.url ?? '/',
        headers: req.headers,
        body,
        verification,
        event: parseEvent(body),
        status,
      };
      options.onRequest(received);
      if (verification.kind === 'invalid') {
        res.writeHead(status, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: {
              code: 'invalid_webhook',
              reason: verification.reason,
              message: verification.message,
            },
          }),
        );
      } else if (status >= 200 && status < 300) {
        res.writeHead(status).end();
      } else {
        res
          .writeHead(status, { 'content-type': 'text/plain' })
          .end(`hookline listen answered ${status} as asked\n`);
      }
    });
  });
}

function check(
  body: Buffer,
  headers: IncomingHttpHeaders,
  secrets: readonly string[],
): Verification {
  if (secrets.length === 0) return { kind: 'unchecked' };
  try {
    verify(body, headers, secrets);
    return { kind: 'verified' };
  } catch (error) {
    if (error instanceof WebhookVerificationError)
      return { kind: 'invalid', reason: error.reason, message: error.message };
    throw error;
  }
}

function answer({ status, failRate, random }: ListenerOptions): number {
  if (failRate === undefined) return status ?? 204;
  return random() < failRate ? (status ?? 500) : 204;
}

function parseEvent(body: Buffer): Partial<WebhookEvent> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A header as one string. */
export function headerOf(received: Received, name: string): string | undefined {
  const value = received.headers[name];
  return Array.isArray(value) ? value.join(' ') : value;
}
