import { Pool } from 'undici';

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

export interface EventState {
  id: string;
  deliveries: { id: string; endpoint_id: string; status: string; attempts: number }[];
}

export interface DeliveryView {
  id: string;
  event_id: string | null;
  endpoint_id: string;
  status: string;
  attempts: {
    number: number;
    at: string;
    duration_ms: number;
    status_code: number | null;
    error: string | null;
    response_excerpt: string;
  }[];
}

export interface EventInput {
  name: string;
  data: Record<string, unknown>;
  endpoint_ids?: string[];
}

export interface Published {
  id: string;
  deliveries: number;
}

/** Hookline's HTTP API, as a client sees it: every call answers a status, never throws for one. */
export class Api {
  private readonly pool: Pool;

  constructor(
    readonly url: string,
    private readonly key: string,
    connections = 16,
  ) {
    // Bounded waits: an API call that hangs is itself a failure the scenarios must see.
    this.pool = new Pool(url, { connections, headersTimeout: 10_000, bodyTimeout: 10_000 });
  }

  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer<T>> {
    const res = await this.pool.request({
      method,
      path,
      headers: {
        authorization: `Bearer ${this.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON: keep the text, the caller's assertion shows it.
      }
    }
    return { status: res.statusCode, body: parsed as T };
  }

  /** Like {@link call}, but any answer other than `expected` throws with the body. */
  async expect<T>(
    expected: number,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status !== expected) {
      throw new Error(
        `${method} ${path}: expected ${expected}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`,
      );
    }
    return answer.body;
  }

  async createEndpoint(
    url: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; secret: string }> {
    return this.expect(201, 'POST', '/v1/endpoints', { url, ...extra });
  }

  publishBatch(
    events: EventInput[],
    headers: Record<string, string> = {},
  ): Promise<Answer<{ data: Published[] }>> {
    return this.call('POST', '/v1/events/batch', { events }, headers);
  }

  publish(event: EventInput): Promise<Answer<Published>> {
    return this.call('POST', '/v1/events', event);
  }

  event(id: string): Promise<EventState> {
    return this.expect(200, 'GET', `/v1/events/${id}`);
  }

  delivery(id: string): Promise<DeliveryView> {
    return this.expect(200, 'GET', `/v1/deliveries/${id}`);
  }

  /** Every item of a cursor-paginated list. */
  async list<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    const sep = path.includes('?') ? '&' : '?';
    do {
      const page: { data: T[]; next_cursor: string | null } = await this.expect(
        200,
        'GET',
        `${path}${sep}limit=250${cursor ? `&cursor=${cursor}` : ''}`,
      );
      items.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    return items;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Runs `fn` over `items` with at most `parallel` at a time; results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  parallel: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return results;
}

/** The state of every delivery of `eventIds`, as `GET /v1/events/:id` reports it. */
export async function deliveriesOf(
  api: Api,
  eventIds: readonly string[],
  parallel = 8,
): Promise<EventState['deliveries']> {
  const events = await mapLimit(eventIds, parallel, (id) => api.event(id));
  return events.flatMap((e) => e.deliveries);
}

/** Endpoints at `/ep0` … `/ep<n-1>` of a receiver, each taking every event: their ids, in order. */
export async function endpointsAt(
  api: Api,
  receiver: { url(path: string): string },
  n: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await api.createEndpoint(receiver.url(`/ep${i}`))).id);
  return ids;
}
