// `npm run soak`: Hookline under steady mixed load for a long while (not part of CI). It runs the
// built producer and dispatchers against a redis-server of its own (AOF, fsync every second, as
// in production) and a log database of its own on the test Postgres, publishes SOAK_RATE events a
// second for SOAK_SECONDS to receivers that are mostly fine and partly hostile, and prints every
// 30 s what a leak or a backlog would show: resident memory of each process, Redis memory and key
// count, the queue, the changes not yet in the log and what the log holds.
//
//   SOAK_SECONDS=600 SOAK_RATE=500 SOAK_DISPATCHERS=2 SOAK_RETENTION=2m npm run soak
//
// Redis holds only what moves (a delivery's job goes once the log has its final state), so its
// memory and key count should stay flat from the first minute on; the short retention bounds the
// idempotency records too. The log grows with the traffic: it is the record.
import { createHash } from 'node:crypto';
import { type EventInput } from './harness/api';
import { Hookline, residentBytes } from './harness/hookline';
import { queueCounts } from './harness/inspect';
import { streamLength } from './harness/log';
import { Receiver, type Behaviour } from './harness/receiver';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const RATE = Number(process.env.SOAK_RATE ?? 500);
const DISPATCHERS = Number(process.env.SOAK_DISPATCHERS ?? 2);
const RETENTION = process.env.SOAK_RETENTION ?? '2m';
const REPORT_EVERY_MS = 30_000;
const DRAIN_MS = 180_000;

function roll(id: string, attempt: number): number {
  return createHash('sha256').update(`${id}:${attempt}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** Event kinds, their share of the events, and how their endpoint answers. */
const KINDS: { kind: string; share: number; behave: (id: string, attempt: number) => Behaviour }[] =
  [
    { kind: 'ok', share: 0.74, behave: () => ({ kind: 'ok' }) },
    {
      kind: 'flaky',
      share: 0.2,
      behave: (id, attempt) => {
        const r = roll(id, attempt);
        if (r < 0.1) return { kind: 'status', status: 500 };
        if (r < 0.15) return { kind: 'reset' };
        return { kind: 'ok' };
      },
    },
    { kind: 'slow', share: 0.04, behave: () => ({ kind: 'ok', delayMs: 300 }) },
    { kind: 'dead', share: 0.006, behave: () => ({ kind: 'status', status: 500 }) },
    { kind: 'redirect', share: 0.002, behave: () => ({ kind: 'redirect' }) },
    { kind: 'big', share: 0.001, behave: () => ({ kind: 'big' }) },
    {
      kind: 'hang',
      share: 0.001,
      behave: (_id, attempt) => (attempt === 1 ? { kind: 'hang' } : { kind: 'ok' }),
    },
  ];

function pickKind(i: number): string {
  // Deterministic and evenly spread: event i's place in [0, 1) by a golden-ratio sequence.
  let x = (i * 0.6180339887498949) % 1;
  for (const k of KINDS) {
    if (x < k.share) return k.kind;
    x -= k.share;
  }
  return 'ok';
}

/** Deliveries that ended dead, as the log has them so far. */
function deadCount(h: Hookline): Promise<number> {
  return h.context.log.count({ status: 'dead' });
}

const mib = (bytes: number | undefined) =>
  bytes === undefined ? '?' : `${Math.round(bytes / 1048576)}`;

async function main(): Promise<void> {
  const behaviours = new Map(KINDS.map((k) => [`/${k.kind}`, k.behave]));
  const receiver = await Receiver.start(
    ({ id, attempt, path }) =>
      behaviours.get(path)?.(id, attempt) ?? { kind: 'status', status: 404 },
  );
  const h = await Hookline.start({
    redisArgs: ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
    dispatchers: DISPATCHERS,
    env: {
      HOOKLINE_RETENTION: RETENTION,
      HOOKLINE_RETRY_SCHEDULE: '1s,5s,10s',
      HOOKLINE_CONCURRENCY: '100',
    },
  });
  let stopping = false;
  const shutdown = async (code: number) => {
    stopping = true;
    await h.destroy().catch(() => undefined);
    await receiver.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(130));

  for (const k of KINDS)
    await h.api.createEndpoint(receiver.url(`/${k.kind}`), { event_types: [`soak.${k.kind}`] });
  process.stdout.write(
    `soak: ${SECONDS} s at ${RATE} events/s, ${DISPATCHERS} dispatchers, retention ${RETENTION}, Redis AOF everysec on port ${h.server.port}\n`,
  );

  const started = Date.now();
  let sent = 0;
  let accepted = 0;
  const answers: Record<string, number> = {};
  let inFlight = 0;
  const publisher = setInterval(() => {
    if (stopping) return;
    const due = Math.min(Math.floor(((Date.now() - started) / 1000) * RATE), SECONDS * RATE) - sent;
    // At most four requests out: a producer that falls behind shows as lag, not as a pile of sockets.
    for (let n = due; n > 0 && inFlight < 4;) {
      const size = Math.min(n, 500);
      const events: EventInput[] = Array.from({ length: size }, (_, j) => ({
        name: `soak.${pickKind(sent + j)}`,
        data: { i: sent + j },
      }));
      sent += size;
      n -= size;
      inFlight += 1;
      h.api
        .publishBatch(events)
        .then(
          (answer) => {
            answers[answer.status] = (answers[answer.status] ?? 0) + 1;
            if (answer.status === 202)
              accepted += answer.body.data.reduce((sum, p) => sum + p.deliveries, 0);
          },
          () => {
            answers.error = (answers.error ?? 0) + 1;
          },
        )
        .finally(() => {
          inFlight -= 1;
        });
    }
  }, 100);

  const line = async (label: string) => {
    const [counts, info, keys, unlogged, logged, rss] = await Promise.all([
      queueCounts(h),
      h.redis.info('memory'),
      h.redis.dbsize(),
      streamLength(h),
      h.context.log.count({}),
      Promise.all(
        h.services
          .filter((s) => s.alive)
          .map(async (s) => `${s.name}=${mib(await residentBytes(s))}`),
      ),
    ]);
    const dead = await deadCount(h);
    const used = Number(/used_memory:(\d+)/.exec(info)?.[1]);
    const t = Math.round((Date.now() - started) / 1000);
    process.stdout.write(
      `${label} t=${t}s published=${sent} accepted_deliveries=${accepted} delivered=${receiver.delivered} dead=${dead} ` +
        `backlog(wait/active/delayed)=${counts.waiting}/${counts.active}/${counts.delayed} rss_mib(${rss.join(' ')}) ` +
        `redis_used_mib=${mib(used)} redis_keys=${keys} changes_not_logged=${unlogged} logged_deliveries=${logged} ` +
        `answers=${JSON.stringify(answers)}\n`,
    );
    return { counts, dead };
  };

  while (Date.now() - started < SECONDS * 1000) {
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(REPORT_EVERY_MS, SECONDS * 1000 - (Date.now() - started))),
    );
    await line('soak');
  }
  clearInterval(publisher);
  const drainStart = Date.now();
  let drained = false;
  while (Date.now() - drainStart < DRAIN_MS) {
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const { counts, dead } = await line('drain');
    if (
      inFlight === 0 &&
      counts.waiting === 0 &&
      counts.active === 0 &&
      counts.delayed === 0 &&
      receiver.delivered + dead >= accepted
    ) {
      drained = true;
      break;
    }
  }
  const crashed = h.services.filter((s) => !s.alive).map((s) => s.name);
  await h.untilLogged(60_000).catch(() => undefined);
  const dead = await deadCount(h);
  // Neither delivered nor dead: the log skips the final change of a delivery created longer ago
  // than the retention (SOAK_RETENTION), so one that waited that long is missing from the count.
  const unlogged = await streamLength(h);
  process.stdout.write(
    `soak ${drained && crashed.length === 0 ? 'OK' : 'FAILED'}: ${accepted} deliveries accepted, ${receiver.delivered} delivered, ` +
      `${dead} dead, ${accepted - receiver.delivered - dead} neither (${unlogged} changes still not in the log), ` +
      `${receiver.deliveredTwice()} answered 2xx more than once, drained=${drained}, crashed=[${crashed.join(',')}]\n`,
  );
  if (!drained || crashed.length > 0) process.stdout.write(h.dumpLogs());
  await shutdown(drained && crashed.length === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
