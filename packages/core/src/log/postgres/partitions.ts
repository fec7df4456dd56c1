import type { ClientBase, Pool } from 'pg';
import { DAY_MS, dayOf, iso } from './time';
import { checkin, checkout, transaction } from './db';

// Events, deliveries and attempts are partitioned by UTC day of creation (migrations/). A day's
// partitions are created ahead by `maintain`, and by a write that meets a day without them (a
// log writer catching up after downtime, a clock ahead of the maintainer's); dropping a whole
// day is how the retention expires rows. Creating and dropping run under one transaction-level
// advisory lock, so two processes never race on the same partition name, and outside the write
// transaction, because attaching or detaching a partition locks its parent table for as long as
// the transaction that did it lasts.

/** The partitioned tables, all by the same day ranges. */
const TABLES = ['events', 'deliveries', 'attempts'] as const;

/** The advisory lock key of partition changes (an arbitrary constant, "hlpartit" as bytes). */
const PARTITION_LOCK = 0x686c706172746974n.toString();

function dateOf(day: number): string {
  return iso(day * DAY_MS).slice(0, 10);
}

/** `deliveries_p20250131`: the table and the day, so listing partitions needs no other lookup. */
function partitionName(table: string, day: number): string {
  return `${table}_p${dateOf(day).replaceAll('-', '')}`;
}

const PARTITION_NAME = /^(events|deliveries|attempts)_p(\d{4})(\d{2})(\d{2})$/;

/** Each partition of the log's tables, with its day. */
async function listPartitions(client: ClientBase): Promise<{ name: string; day: number }[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT child.relname AS name
       FROM pg_inherits
       JOIN pg_class child ON child.oid = pg_inherits.inhrelid
      WHERE pg_inherits.inhparent = ANY($1::regclass[])`,
    [TABLES],
  );
  return rows.flatMap(({ name }) => {
    const match = PARTITION_NAME.exec(name);
    if (!match) return [];
    const [, , year, month, date] = match;
    return [{ name, day: dayOf(Date.UTC(Number(year), Number(month) - 1, Number(date))) }];
  });
}

/**
 * The log's partitions as this process knows them: the days known to have their partitions are
 * cached, so a write checks the catalog only for a day it has not met yet.
 */
export class Partitions {
  private readonly known = new Set<number>();

  constructor(private readonly pool: Pool) {}

  /** Creates the partitions of each day that lacks them. */
  async ensure(days: Iterable<number>): Promise<void> {
    const missing = [...new Set(days)].filter((day) => !this.known.has(day));
    if (missing.length === 0) return;
    await transaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      const existing = new Set((await listPartitions(client)).map((p) => p.name));
      for (const day of missing) {
        for (const table of TABLES) {
          const name = partitionName(table, day);
          if (existing.has(name)) continue;
          await client.query(
            `CREATE TABLE ${name} PARTITION OF ${table}
               FOR VALUES FROM ('${dateOf(day)}T00:00:00Z') TO ('${dateOf(day + 1)}T00:00:00Z')`,
          );
        }
      }
    });
    for (const day of missing) this.known.add(day);
  }

  /**
   * Drops the days wholly older than `cutoff` (ms), each day's three partitions together; returns
   * how many partitions it dropped. A day whose deliveries are not all settled is kept (the
   * retention never cuts short a delivery still moving: its next change must find its row) until
   * it is wholly older than `lastCutoff` too, past which what is still unsettled there is taken
   * for lost.
   */
  async dropBefore(cutoff: number, lastCutoff = cutoff): Promise<number> {
    return transaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      const old = (await listPartitions(client)).filter((p) => (p.day + 1) * DAY_MS <= cutoff);
      const days = [...new Set(old.map((p) => p.day))];
      const kept = new Set<number>();
      for (const day of days) {
        if ((day + 1) * DAY_MS <= lastCutoff) continue;
        const deliveries = partitionName('deliveries', day);
        if (!old.some((p) => p.name === deliveries)) continue;
        const { rows } = await client.query<{ moving: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM ${deliveries} WHERE status IN ('pending', 'failed')) AS moving`,
        );
        if (rows[0]?.moving) kept.add(day);
      }
      const dropped = old.filter((p) => !kept.has(p.day));
      for (const { name, day } of dropped) {
        await client.query(`DROP TABLE ${name}`);
        this.known.delete(day);
      }
      return dropped.length;
    });
  }

  /** Those of `days` whose partitions exist (a day past the retention is never created again). */
  async existing(days: Iterable<number>): Promise<Set<number>> {
    const asked = [...new Set(days)];
    if (asked.every((day) => this.known.has(day))) return new Set(asked);
    const client = await checkout(this.pool);
    let broken = true;
    try {
      const present = new Set((await listPartitions(client)).map((p) => p.name));
      broken = false;
      return new Set(asked.filter((day) => present.has(partitionName('deliveries', day))));
    } finally {
      checkin(client, broken);
    }
  }

  /** Forgets what it knows: another process may have dropped a partition it had cached. */
  forget(): void {
    this.known.clear();
  }
}
