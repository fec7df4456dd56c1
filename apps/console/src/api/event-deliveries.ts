import { ApiError } from './api-error';
import type { Api, Query } from './client';
import type { HooklineEvent, Page } from './types';

// Browsers open 6 connections to one HTTP/1.1 origin: more at once would only queue, and would
// hold back the page's other requests behind them.
const AT_ONCE = 6;

/**
 * Events with their deliveries. `GET /v1/events` items carry the event alone, without its
 * deliveries; each one without them is read with `GET /v1/events/:id`. One that is gone by
 * then (past the retention, or its tenant deleted) stays, without deliveries.
 */
export async function withDeliveries(api: Api, events: HooklineEvent[]): Promise<HooklineEvent[]> {
  const result = [...events];
  const missing = events.flatMap((e, i) => (e.deliveries ? [] : [i]));
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const i = missing[next++]!;
      const event = events[i]!;
      try {
        result[i] = await api.get<HooklineEvent>(`/v1/events/${encodeURIComponent(event.id)}`);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, missing.length) }, worker));
  return result;
}

/** A page of `GET /v1/events`, each event with its deliveries. */
export async function listEvents(api: Api, query: Query): Promise<Page<HooklineEvent>> {
  const page = await api.get<Page<HooklineEvent>>('/v1/events', query);
  return { ...page, data: await withDeliveries(api, page.data) };
}
