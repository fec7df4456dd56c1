import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@hookline/core/testing';
import type { TestLog } from '@hookline/core/testing-log';
import { Client } from 'pg';

const run = promisify(execFile);

/** Where Debian's packages put PostgreSQL's server binaries; else they are looked up on the PATH. */
const SERVER_BINARIES = ['17', '16', '15', '14']
  .map((version) => `/usr/lib/postgresql/${version}/bin`)
  .find((dir) => existsSync(path.join(dir, 'initdb')));

function binary(name: 'initdb' | 'pg_ctl'): string {
  return SERVER_BINARIES ? path.join(SERVER_BINARIES, name) : name;
}

/**
 * The OS user the server runs as: PostgreSQL refuses to run as root, so a root test run hands
 * the data directory to the `postgres` user and runs the tools as that user (`runuser`).
 */
const AS_ROOT = userInfo().uid === 0;

/** `name args…` as the server's OS user: the command and its arguments. */
function asServerUser(name: string, args: string[]): [string, string[]] {
  return AS_ROOT ? ['runuser', ['-u', 'postgres', '--', name, ...args]] : [name, args];
}

const running = new Set<string>();
// pg_ctl leaves the server running on its own: a test runner that dies (or is interrupted) must
// not leave it behind.
process.on('exit', () => {
  for (const dataDir of running) {
    try {
      execFileSync(...asServerUser(binary('pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop']), {
        stdio: 'ignore',
      });
    } catch {
      // Already stopped.
    }
  }
});

/**
 * A PostgreSQL server of a scenario's own (initdb in a temporary directory, on a spare port,
 * trust auth for `postgres` on 127.0.0.1), that the scenario may stop and start again: the shared
 * test Postgres must never be stopped under other tests.
 */
export class TestPostgresServer {
  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<TestPostgresServer> {
    const dir = mkdtempSync(path.join(tmpdir(), 'hookline-postgres-'));
    if (AS_ROOT) chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), -1);
    const server = new TestPostgresServer(dir, await freePort());
    try {
      // --no-sync: only initdb's own files skip fsync; the running server keeps its default
      // (fsync on), so a commit it acknowledges survives its stop.
      await run(
        ...asServerUser(binary('initdb'), [
          '-D',
          server.dataDir,
          '-U',
          'postgres',
          '--auth=trust',
          '-E',
          'UTF8',
          '--no-sync',
        ]),
      );
      await server.start();
    } catch (error) {
      server.remove();
      throw error;
    }
    return server;
  }

  private get dataDir(): string {
    return path.join(this.dir, 'data');
  }

  /** A URL of `database` on this server. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the server (again) and waits until it accepts connections. */
  async start(): Promise<void> {
    running.add(this.dataDir);
    await run(
      ...asServerUser(binary('pg_ctl'), [
        '-D',
        this.dataDir,
        '-l',
        path.join(this.dir, 'server.log'),
        '-o',
        `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`,
        '-w',
        '-t',
        '60',
        'start',
      ]),
    );
  }

  /**
   * Stops the server: `immediate` as a crash would (every connection cut, recovery from the WAL
   * at the next start), `fast` as an operator would (open transactions rolled back, a clean
   * shutdown).
   */
  async stop(mode: 'fast' | 'immediate' = 'immediate'): Promise<void> {
    await run(...asServerUser(binary('pg_ctl'), ['-D', this.dataDir, '-m', mode, '-w', 'stop']));
    running.delete(this.dataDir);
  }

  /** A database of its own on this server, as `createTestLog` makes one on the test Postgres. */
  async createLog(label: string): Promise<TestLog> {
    const name = `hl_${label.replace(/[^a-z0-9]+/g, '_')}_${randomBytes(4).toString('hex')}`;
    await this.query(`CREATE DATABASE ${name}`);
    return {
      url: this.url(name),
      drop: () => this.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  }

  private async query(sql: string): Promise<void> {
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /** Stops the server (if it runs) and removes its files. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    this.remove();
  }

  private remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A {@link TestPostgresServer} for the test file: started before its tests, destroyed after them.
 * Read it with the returned function once the tests run.
 */
export function postgresOfFile(): () => TestPostgresServer {
  let server: TestPostgresServer | undefined;
  beforeAll(async () => {
    server = await TestPostgresServer.start();
  });
  afterAll(() => server?.destroy());
  return () => {
    if (!server) throw new Error('the Postgres of this file is not started');
    return server;
  };
}
