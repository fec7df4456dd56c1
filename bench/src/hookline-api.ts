import type { ApiClient } from './api-client';
import { inParallel } from './case';
import { eventData } from './payload';

export interface CreatedEndpoint {
  id: string;
}

/** `POST /v1/endpoints {url, …}` → 201; `settings` the endpoint's others (`ordering`). */
export function createEndpoint(
  api: ApiClient,
  url: string,
  settings: Record<string, unknown> = {},
): Promise<CreatedEndpoint> {
  return api.expect<CreatedEndpoint>(201, 'POST', '/v1/endpoints', { ...settings, url });
}

/**
 * `POST /v1/endpoints {type: 'rabbitmq', url, exchange}` → 201: each delivery a message published
 * to `exchange`, its routing key the event's name (the endpoint's default, `{event}`).
 */
export function createRabbitMqEndpoint(
  api: ApiClient,
  brokerUrl: string,
  exchange: string,
): Promise<CreatedEndpoint> {
  return api.expect<CreatedEndpoint>(201, 'POST', '/v1/endpoints', {
    type: 'rabbitmq',
    url: brokerUrl,
    exchange,
  });
}

/** One event's publish body, its `data.bench_seq` = `seq`. */
export function eventJson(name: string, seq: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name, data: eventData(seq), ...extra });
}

/**
 * `batches` batch bodies of `size` events, sequence numbers from `firstSeq`, each event with
 * `extra(seq)` beside its name and data; built ahead of timing.
 */
export function batchBodies(
  name: string,
  batches: number,
  size: number,
  firstSeq = 0,
  extra: (seq: number) => Record<string, unknown> = () => ({}),
): string[] {
  return Array.from({ length: batches }, (_, b) => {
    const events = Array.from({ length: size }, (_, k) => {
      const seq = firstSeq + b * size + k;
      return eventJson(name, seq, extra(seq));
    });
    return `{"events":[${events.join(',')}]}`;
  });
}

/**
 * Publishes prebuilt batch bodies, `concurrency` at a time, and returns how many deliveries
 * they created (the sum of each event's `deliveries`).
 */
export async function publishBatches(
  api: ApiClient,
  bodies: readonly string[],
  concurrency: number,
  onBatch: (done: number) => void = () => undefined,
): Promise<number> {
  let deliveries = 0;
  let done = 0;
  await inParallel(bodies.length, concurrency, async (i) => {
    const answer = await api.expect<{ data: { deliveries: number }[] }>(
      202,
      'POST',
      '/v1/events/batch',
      bodies[i],
    );
    for (const event of answer.data) deliveries += event.deliveries;
    onBatch(++done);
  });
  return deliveries;
}
