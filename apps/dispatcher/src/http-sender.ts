import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { type AttemptError } from '@hookline/api';
import { isBlockedAddress } from '@hookline/core';
import { Agent, request } from 'undici';
import { guardedLookup, systemResolver, type Resolver } from './ssrf-lookup';

export interface SenderOptions {
  /** Time to establish the connection (TCP + TLS). Default 5 s (docs/api.md, "What a receiver gets"). */
  connectTimeoutMs?: number;
  /** Time to wait for the response (headers, and between body chunks). Default 15 s. */
  responseTimeoutMs?: number;
  /** Time for the whole attempt. Default 25 s. */
  totalTimeoutMs?: number;
  /** Keep-alive connections per origin. Default 64. */
  connectionsPerOrigin?: number;
  /** `HOOKLINE_ALLOW_INSECURE_URLS`. */
  allowInsecure: boolean;
  /** Name resolution; the system resolver by default. */
  resolve?: Resolver;
}

/** How much of a response is read; the rest is discarded and the connection closed (documented for receivers). */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of a response is kept with the attempt. */
export const EXCERPT_BYTES = 4 * 1024;

/** The outcome of one HTTP attempt: a discriminated union, never a caught string. */
export type AttemptOutcome =
  | { kind: 'success'; status: number; excerpt: string; durationMs: number }
  | {
      kind: 'http_error';
      status: number;
      excerpt: string;
      retryAfter: string | undefined;
      durationMs: number;
    }
  | { kind: AttemptError; message: string; durationMs: number };

export interface Sender {
  send(url: string, headers: Record<string, string>, body: string): Promise<AttemptOutcome>;
  close(): Promise<void>;
}

const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_|HOSTNAME_MISMATCH)/;

function classify(error: unknown, timedOut: boolean): { kind: AttemptError; message: string } {
  const err = error as {
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const code = err.code ?? '';
  const causeCode = err.cause?.code ?? '';
  const message = err.message ?? String(error);
  if (code === 'HOOKLINE_SSRF_BLOCKED' || causeCode === 'HOOKLINE_SSRF_BLOCKED')
    return { kind: 'ssrf_blocked', message };
  if (
    timedOut ||
    /TIMEOUT/.test(code) ||
    code === 'ETIMEDOUT' ||
    err.cause?.message === 'timeout'
  ) {
    return { kind: 'timeout', message };
  }
  if (
    ['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME'].includes(code || causeCode)
  )
    return { kind: 'dns', message };
  if (TLS_CODES.test(code) || TLS_CODES.test(causeCode)) return { kind: 'tls', message };
  return { kind: 'connection', message };
}

/** The host of an endpoint URL (IPv6 without brackets), or `undefined` for a malformed one. */
function parseHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

// Hosts of recent URLs: parsing a URL per attempt showed in the drain's profile, and a dispatcher
// sends to few distinct URLs at a time. Emptied when full, so it stays small.
const HOSTS_KEPT = 1_000;
const hosts = new Map<string, string | undefined>();
function hostOf(url: string): string | undefined {
  if (hosts.has(url)) return hosts.get(url);
  if (hosts.size >= HOSTS_KEPT) hosts.clear();
  const host = parseHost(url);
  hosts.set(url, host);
  return host;
}

/**
 * Sends signed webhook requests with undici: keep-alive pools per origin (bounded), the documented
 * time limits, no redirects followed, at most 64 KiB of any response read, and every resolved
 * address checked against the SSRF policy at connect time.
 */
export function createSender(options: SenderOptions): Sender {
  const connectTimeout = options.connectTimeoutMs ?? 5_000;
  const responseTimeout = options.responseTimeoutMs ?? 15_000;
  const totalTimeout = options.totalTimeoutMs ?? 25_000;
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 64,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: responseTimeout,
    bodyTimeout: responseTimeout,
    connect: {
      timeout: connectTimeout,
      lookup: guardedLookup(options.resolve ?? systemResolver, options.allowInsecure),
    },
  });

  async function send(
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
    const host = hostOf(url);
    if (host === undefined) return { kind: 'connection', message: 'invalid URL', durationMs: 0 };
    // An IP literal never reaches the lookup: check it here the same way.
    if (!options.allowInsecure && isIP(host) !== 0 && isBlockedAddress(host)) {
      return {
        kind: 'ssrf_blocked',
        message: `${host} is not an address Hookline may connect to`,
        durationMs: 0,
      };
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, totalTimeout);
    try {
      const response = await request(url, {
        method: 'POST',
        headers,
        body,
        dispatcher: agent,
        signal: controller.signal,
      });
      const excerpt = await readBounded(response.body);
      const status = response.statusCode;
      if (status >= 200 && status < 300)
        return { kind: 'success', status, excerpt, durationMs: elapsed() };
      const retryAfter = response.headers['retry-after'];
      return {
        kind: 'http_error',
        status,
        excerpt,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        durationMs: elapsed(),
      };
    } catch (error) {
      return { ...classify(error, timedOut), durationMs: elapsed() };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    send,
    close: () => agent.close(),
  };
}

/**
 * Reads at most {@link MAX_RESPONSE_BYTES} of a body and keeps the first {@link EXCERPT_BYTES}.
 * A longer body is destroyed, which closes its connection instead of draining gigabytes. Read
 * with stream events rather than `for await`: the async iterator's promise per chunk showed in
 * the drain's profile, and nearly every response is one small chunk.
 */
function readBounded(body: Readable): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let readBytes = 0;
    const done = () => resolve(Buffer.concat(kept).toString('utf8'));
    body.on('data', (chunk: Buffer) => {
      readBytes += chunk.length;
      if (keptBytes < EXCERPT_BYTES) {
        const part = chunk.subarray(0, EXCERPT_BYTES - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      if (readBytes >= MAX_RESPONSE_BYTES) {
        body.destroy();
        done();
      }
    });
    body.on('end', done);
    body.on('error', reject);
  });
}
