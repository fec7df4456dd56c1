import { execFile } from 'node:child_process';

/**
 * The Postgres the bench makes Hookline's log databases on: a server's `postgres` database, trust
 * auth on the loopback (as the tests and CI run one). `BENCH_POSTGRES_URL` names another.
 */
export const BENCH_POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The same server as `url`, another database. */
function onDatabase(url: string, database: string): string {
  const other = new URL(url);
  other.pathname = `/${database}`;
  return other.toString();
}

/**
 * Runs `sql` (one or more statements) with `psql` on the database `url` names, stopping at the
 * first error; resolves with what it printed (unaligned, tuples only). `psql` rather than a
 * driver: the bench depends on no database client, as it runs redis-server from the PATH too.
 */
export function psql(url: string, sql: string, timeoutMs = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'psql',
      [url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', '-'],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(`psql: ${stderr.trim() || error.message}`.slice(0, 1_000), { cause: error }),
          );
        else resolve(stdout);
      },
    );
    child.stdin?.end(sql);
  });
}

/**
 * Hookline's log databases (HOOKLINE_LOG_URL): one per queue prefix, so each case starts on an
 * empty log as it starts on an empty Redis; made on first use, dropped after each case, or at the
 * end of the run for one kept for the later rounds (a seeded log).
 */
export class LogDatabases {
  private readonly made = new Map<string, { url: Promise<string>; keep: boolean }>();

  constructor(private readonly serverUrl = BENCH_POSTGRES_URL) {}

  /** Why the log databases cannot be made (no psql, no server), or undefined. */
  async unavailable(): Promise<string | undefined> {
    try {
      await psql(this.serverUrl, 'SELECT 1', 10_000);
      return undefined;
    } catch (error) {
      const why = (error as Error).message;
      return /ENOENT/.test(why)
        ? 'psql is not installed (apt-get install postgresql-client)'
        : `the log's Postgres (BENCH_POSTGRES_URL) does not answer: ${why}`;
    }
  }

  /**
   * The URL of the log database of `prefix` (`bench-drain-1a2b3c` → `hl_bench_drain_1a2b3c`),
   * made on the first call. `keep`: not dropped after its case, only at the end of the run.
   */
  urlFor(prefix: string, { keep = false } = {}): Promise<string> {
    let made = this.made.get(prefix);
    if (!made) {
      const name = `hl_${prefix.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
      const url = psql(this.serverUrl, `CREATE DATABASE ${name}`).then(() =>
        onDatabase(this.serverUrl, name),
      );
      made = { url, keep };
      this.made.set(prefix, made);
    }
    made.keep ||= keep;
    return made.url;
  }

  /** Drops the databases of the case just run (all of them with `all`), connections or not. */
  async drop({ all = false } = {}): Promise<void> {
    for (const [prefix, made] of [...this.made]) {
      if (made.keep && !all) continue;
      this.made.delete(prefix);
      const url = await made.url.catch(() => undefined);
      if (!url) continue;
      const name = new URL(url).pathname.slice(1);
      await psql(this.serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }
}
