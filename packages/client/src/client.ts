import type { Hooks } from 'got' with { 'resolution-mode': 'import' };
import { DeadLetter } from './resources/dead-letter';
import { Deliveries } from './resources/deliveries';
import { EncryptionKeys } from './resources/encryption-keys';
import { Endpoints } from './resources/endpoints';
import { Events } from './resources/events';
import { OperatorKeys } from './resources/operator-keys';
import { Tenants } from './resources/tenants';
import { Transport } from './transport';

export interface HooklineOptions {
  /** The producer's base URL, e.g. `https://hookline.internal` (paths go under it: `/v1/...`). */
  url: string;
  /**
   * Sent as `Authorization: Bearer <key>`: an operator key (every route, every tenant: one of the
   * producer's `HOOKLINE_API_KEYS`, or an `hlo_…` key from `operatorKeys.create`), or a tenant key
   * (`hlt_…`, from `tenants.createKey`: one tenant's endpoints, events, deliveries and dead
   * letter; other routes answer 403 `forbidden`).
   */
  apiKey: string;
  /** Time limit of one attempt of a request, in ms. Default `30000`. */
  timeoutMs?: number;
  /**
   * How many times a request is retried after a network error, a timeout, 408, 429 or a 5xx
   * (got's backoff: about 1 s, 2 s, 4 s…; `Retry-After` is honoured). Reads, deletes,
   * publishes (which carry an `Idempotency-Key`) and dead-letter replays are retried; other
   * writes are not, since repeating them could do the thing twice. Default `2`.
   */
  retries?: number;
  /** got hooks (`beforeRequest`, `afterResponse`, `beforeRetry`…) run on every request. */
  hooks?: Partial<Hooks>;
  /** Headers added to every request (the client's own `Authorization` and `User-Agent` win). */
  headers?: Record<string, string>;
}

/**
 * Hookline's producer API.
 *
 * ```ts
 * const hookline = new Hookline({ url: 'http://127.0.0.1:3000', apiKey: process.env.HOOKLINE_API_KEY! });
 * await hookline.events.publish({ name: 'order.filled', data: { id: 'ord_1' } });
 * ```
 */
export class Hookline {
  readonly events: Events;
  readonly endpoints: Endpoints;
  readonly deliveries: Deliveries;
  readonly deadLetter: DeadLetter;
  readonly tenants: Tenants;
  readonly operatorKeys: OperatorKeys;
  readonly encryptionKeys: EncryptionKeys;

  constructor({
    url,
    apiKey,
    timeoutMs = 30_000,
    retries = 2,
    hooks = {},
    headers = {},
  }: HooklineOptions) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      throw new TypeError(`Hookline url must be an http(s) URL, not ${JSON.stringify(url)}`);
    }
    if (apiKey === '') throw new TypeError('Hookline apiKey must not be empty');
    const http = new Transport({ url, apiKey, timeoutMs, retries, hooks, headers });
    this.events = new Events(http);
    this.endpoints = new Endpoints(http);
    this.deliveries = new Deliveries(http);
    this.deadLetter = new DeadLetter(http);
    this.tenants = new Tenants(http);
    this.operatorKeys = new OperatorKeys(http);
    this.encryptionKeys = new EncryptionKeys(http);
  }
}
