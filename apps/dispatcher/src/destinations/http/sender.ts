import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { type AttemptError } from '@hookline/api';
import { isBlockedAddress } from '@hookline/core';
import { Agent, request } from 'undici';
import { guardedLookup, systemResolver, type Resolver } from '../../ssrf-lookup';
import { CLIENT_CERTIFICATE_ALERTS, TlsAlerts } from './tls-alerts';

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
  /**
   * The certificate authorities to trust, in place of Node's own list: tests give the CA they
   * make. Unset in production, where `NODE_EXTRA_CA_CERTS` adds a private CA to Node's list.
   */
  ca?: string;
}

/** The client certificate an endpoint presents on the TLS handshake (mutual TLS). */
export interface ClientTls {
  endpointId: string;
  /** Its authentication's revision: a new one replaces the connections made with the old. */
  revision: string;
  certificate: string;
  key: string;
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
  send(
    url: string,
    headers: Record<string, string>,
    body: string,
    clientTls?: ClientTls,
  ): Promise<AttemptOutcome>;
  /** Closes the connections an endpoint's client certificate opened (it changed, or is gone). */
  forget(endpointId: string): void;
  close(): Promise<void>;
}

/** Error codes of a failed TLS handshake or certificate check (Node, OpenSSL). */
export const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_OSSL_|HOSTNAME_MISMATCH)/;

function classify(
  error: unknown,
  timedOut: boolean,
  presentedCertificate: boolean,
  alert: string | undefined,
): { kind: AttemptError; message: string } {
  const err = error as {
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
    socket?: { bytesRead?: number };
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
  const refusal = [alert, code, causeCode].find((c) => c && CLIENT_CERTIFICATE_ALERTS.test(c));
  if (refusal)
    return { kind: 'tls_client_certificate', message: `the receiver's TLS alert: ${refusal}` };
  if (TLS_CODES.test(code) || TLS_CODES.test(causeCode)) return { kind: 'tls', message };
  // In TLS 1.3 the client's handshake is over before the server has checked the client's
  // certificate; a server that refuses it then may just close the connection (Node's https
  // does): closed before a byte of answer, on a connection that presented a certificate.
  if (presentedCertificate && code === 'UND_ERR_SOCKET' && err.socket?.bytesRead === 0)
    return {
      kind: 'tls_client_certificate',
      message: `the receiver closed the connection before answering, having checked the client certificate: ${message}`,
    };
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
  const lookup = guardedLookup(options.resolve ?? systemResolver, options.allowInsecure);
  const alerts = new TlsAlerts();
  const newAgent = (clientTls?: ClientTls) =>
    new Agent({
      connections: options.connectionsPerOrigin ?? 64,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: responseTimeout,
      bodyTimeout: responseTimeout,
      connect: alerts.connector({
        timeout: connectTimeout,
        lookup,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        ...(clientTls ? { cert: clientTls.certificate, key: clientTls.key } : {}),
      }),
    });
  const agent = newAgent();
  // An agent per endpoint with a client certificate: its connections present that certificate,
  // so none may serve another endpoint. Replaced when the certificate's revision changes.
  const clientAgents = new Map<string, { revision: string; agent: Agent }>();
  const closeQuietly = (old: Agent) => void old.close().catch(() => undefined);
  function agentFor(clientTls: ClientTls | undefined): Agent {
    if (!clientTls) return agent;
    const held = clientAgents.get(clientTls.endpointId);
    if (held?.revision === clientTls.revision) return held.agent;
    if (held) closeQuietly(held.agent);
    const fresh = { revision: clientTls.revision, agent: newAgent(clientTls) };
    clientAgents.set(clientTls.endpointId, fresh);
    return fresh.agent;
  }

  async function send(
    url: string,
    headers: Record<string, string>,
    body: string,
    clientTls?: ClientTls,
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
        dispatcher: agentFor(clientTls),
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
      return {
        ...classify(
          error,
          timedOut,
          clientTls !== undefined && url.startsWith('https:'),
          alerts.of(error),
        ),
        durationMs: elapsed(),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    send,
    forget(endpointId) {
      const held = clientAgents.get(endpointId);
      if (!held) return;
      clientAgents.delete(endpointId);
      // close() lets the requests in flight finish; only new ones would need another agent.
      closeQuietly(held.agent);
    },
    close: async () => {
      const all = [agent, ...[...clientAgents.values()].map((held) => held.agent)];
      clientAgents.clear();
      await Promise.all(all.map((a) => a.close()));
    },
  };
}

/**
 * Reads at most {@link MAX_RESPONSE_BYTES} of a body and keeps the first {@link EXCERPT_BYTES}.
 * A longer body is destroyed, which closes its connection instead of draining gigabytes. Read
 * with stream events rather than `for await`: the async iterator's promise per chunk showed in
 * the drain's profile, and nearly every response is one small chunk.
 */
export function readBounded(body: Readable): Promise<string> {
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
