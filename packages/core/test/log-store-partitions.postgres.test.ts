import { withClient } from '../src/log/postgres/database';
import { createPostgresLogStore } from '../src/log/postgres/postgres-log-store';
import { anEndpoint, deliveryChange, eventChange, logStoreOfFile } from './log-store-fixtures';

// Daily partitions against a real Postgres (a database of this file's own). Times are passed
// explicitly, days away from today, so nothing here waits for a clock.

const DAY = 86_400_000;

const log = logStoreOfFile('log_partitions', { retentionMs: 10_000 * DAY });

async function partitions(): Promise<string[]> {
  return withClient(log.url, async (sql) =>
    (
      await sql.query<{ name: string }>(
        `SELECT relname AS name FROM pg_inherits JOIN pg_class ON pg_class.oid = inhrelid
          WHERE inhparent = ANY(ARRAY['events', 'deliveries', 'attempts']::regclass[])
          ORDER BY relname`,
      )
    ).rows.map((row) => row.name),
  );
}

const ofDay = (ms: number) => {
  const day = new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
  return [`attempts_p${day}`, `deliveries_p${day}`, `events_p${day}`];
};

test('a write for a day without partitions creates them', async () => {
  const at = Date.UTC(2031, 4, 17, 23, 59, 59, 999);
  expect(await partitions()).not.toContain(`events_p20310517`);
  const endpoint = anEndpoint();
  const event = eventChange({ at, endpoints: [endpoint] });
  await log.store.write([
    event,
    deliveryChange(event, endpoint, {
      status: 'delivered',
      attempts: 1,
      attempt: { status_code: 200, error: null },
    }),
  ]);
  expect(await partitions()).toEqual(expect.arrayContaining(ofDay(at)));
  expect((await log.store.getDeliveries([event.deliveries[0]!.id]))[0]?.attempts).toHaveLength(1);
});

test('maintain creates the partitions of its day and the next two', async () => {
  const now = Date.UTC(2032, 0, 10, 12);
  await log.store.maintain(now, 10_000 * DAY);
  expect(await partitions()).toEqual(
    expect.arrayContaining([...ofDay(now), ...ofDay(now + DAY), ...ofDay(now + 2 * DAY)]),
  );
  expect(await partitions()).not.toEqual(expect.arrayContaining(ofDay(now + 3 * DAY)));
});

test('maintain drops the partitions wholly older than the retention, and keeps one partly older', async () => {
  const now = Date.UTC(2033, 5, 10, 12);
  const old = eventChange({ at: Date.UTC(2033, 5, 7, 12) });
  const partlyOld = eventChange({ at: Date.UTC(2033, 5, 8, 12) });
  await log.store.write([old, partlyOld]);
  const before = await partitions();

  // The cutoff is June 8th, noon: June 7th ends before it, June 8th after it.
  const dropped = await log.store.maintain(now, 2 * DAY);
  const after = await partitions();
  expect(dropped).toBe(before.length + 3 * 3 - after.length);
  expect(after).not.toEqual(expect.arrayContaining(ofDay(old.created_at)));
  expect(after).toEqual(expect.arrayContaining(ofDay(partlyOld.created_at)));
  expect(await log.store.getEvent(old.id)).toBeUndefined();
  expect(await log.store.getEvent(partlyOld.id)).toBeDefined();
});

test('a write for a day another process dropped creates its partitions again', async () => {
  const at = Date.UTC(2034, 1, 1, 12);
  await log.store.write([eventChange({ at })]);
  const other = createPostgresLogStore(log.url);
  try {
    await other.maintain(at + 10 * DAY, DAY);
  } finally {
    await other.close();
  }
  expect(await partitions()).not.toEqual(expect.arrayContaining(ofDay(at)));
  // This store still believes the day has its partitions.
  const event = eventChange({ at });
  await log.store.write([event]);
  expect(await log.store.getEvent(event.id)).toBeDefined();
});

test('a day past the retention is kept while a delivery of it still moves, and its late changes are written', async () => {
  const now = Date.UTC(2035, 2, 20, 12);
  const store = createPostgresLogStore(log.url, { retentionMs: DAY, now: () => now });
  try {
    const endpoint = anEndpoint();
    const moving = eventChange({ at: Date.UTC(2035, 2, 15, 12), endpoints: [endpoint] });
    await log.store.write([moving]);
    // Pending since the 15th: the day is past the retention, and kept.
    await store.maintain(now, DAY);
    expect(await partitions()).toEqual(expect.arrayContaining(ofDay(moving.created_at)));
    // Its retry, days later, still reaches the log.
    await store.write([
      deliveryChange(moving, endpoint, {
        status: 'delivered',
        attempts: 2,
        attempt: { status_code: 200, error: null },
      }),
    ]);
    expect((await store.getDeliveries([moving.deliveries[0]!.id]))[0]?.status).toBe('delivered');
    // Settled: the day goes at the next maintenance.
    await store.maintain(now, DAY);
    expect(await partitions()).not.toEqual(expect.arrayContaining(ofDay(moving.created_at)));
  } finally {
    await store.close();
  }
});

test('a day past the retention is dropped after the grace, unsettled or not', async () => {
  const now = Date.UTC(2036, 7, 30, 12);
  const endpoint = anEndpoint();
  const lost = eventChange({ at: Date.UTC(2036, 7, 1, 12), endpoints: [endpoint] });
  await log.store.write([lost]);
  // The 1st is 29 days old: past a day's retention and the week of grace after it.
  await log.store.maintain(now, DAY);
  expect(await partitions()).not.toEqual(expect.arrayContaining(ofDay(lost.created_at)));
});
