import type { Delivery, Pager } from '@hookline/client';
import type { GlobalOptions } from '../connection';
import { json, table, type Io } from '../io';
import { lastAttempt, result } from './describe';

/** The API's largest page. */
const MAX_PAGE = 250;

export interface DeliveryListOptions {
  /** At most this many are shown. */
  limit: number;
  /** The line printed when there are none. */
  empty: string;
  /** A `STATUS` column after the id. */
  withStatus?: boolean;
}

/**
 * `deliveries ls` and `dlq ls`: the first `limit` deliveries of `list`, as JSON or a table, and a
 * note on stderr when there are more. One more than shown is asked for, in pages as large as
 * that (up to the API's largest), so that a short list is one request.
 */
export async function printDeliveries(
  io: Io,
  globals: GlobalOptions,
  list: (pageSize: number) => Pager<Delivery>,
  { limit, empty, withStatus = false }: DeliveryListOptions,
): Promise<void> {
  const found = await list(Math.min(limit + 1, MAX_PAGE)).toArray(limit + 1);
  const shown = found.slice(0, limit);
  if (globals.json) {
    io.stdout.write(json(shown));
    return;
  }
  if (shown.length === 0) {
    io.stdout.write(`${empty}\n`);
    return;
  }
  const rows = shown.map((d) => [
    d.id,
    ...(withStatus ? [d.status] : []),
    d.endpoint_id,
    d.event_id ?? 'test',
    String(d.attempts.length),
    result(lastAttempt(d)),
    d.created_at,
  ]);
  const headers = ['ID', ...(withStatus ? ['STATUS'] : []), 'ENDPOINT', 'EVENT', 'ATTEMPTS'];
  io.stdout.write(table([...headers, 'LAST', 'CREATED'], rows));
  if (found.length > limit) io.stderr.write(`(more than ${limit}: --limit to see more)\n`);
}
