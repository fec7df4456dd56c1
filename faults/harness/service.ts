import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '@hookline/core/testing';

const ROOT = path.join(__dirname, '..', '..');
export const PRODUCER_MAIN = path.join(ROOT, 'apps', 'producer', 'dist', 'main.js');
export const DISPATCHER_MAIN = path.join(ROOT, 'apps', 'dispatcher', 'dist', 'main.js');

/** How much of a process's output is kept (the tail), to print when a scenario fails. */
const OUTPUT_LIMIT = 2_000;

const running = new Set<ChildProcess>();
// A test runner that dies (or is interrupted) must not leave Hookline processes behind it.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One real Hookline process (the built `dist/main.js`, as production runs it), configured by
 * environment alone, with its stdout and stderr kept line by line.
 */
export class Service {
  /** The last {@link OUTPUT_LIMIT} lines the process wrote, stdout and stderr together. */
  readonly lines: string[] = [];
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  readonly startedAt = Date.now();
  private partial = '';

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    /** PORT of a producer, METRICS_PORT of a dispatcher. */
    readonly port: number,
  ) {
    running.add(child);
    const collect = (data: Buffer) => {
      const text = this.partial + data.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      for (const line of parts) this.lines.push(line);
      if (this.lines.length > OUTPUT_LIMIT) this.lines.splice(0, this.lines.length - OUTPUT_LIMIT);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        running.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  static spawn(name: string, main: string, env: Record<string, string>, port: number): Service {
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Service(name, child, port);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Waits until `GET <path>` answers 200 (or the process dies). */
  async waitHealthy(probe: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        if (!this.alive)
          throw new Error(
            `${this.name} exited (${JSON.stringify(this.exit)}) before it was up:\n${this.output()}`,
          );
        const res = await fetch(`${this.url}${probe}`, {
          signal: AbortSignal.timeout(2_000),
        }).catch(() => undefined);
        return res?.status === 200;
      },
      { timeoutMs, intervalMs: 50, message: `${this.name} ${probe} to answer 200` },
    );
  }

  /** Sends `signal` and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    if (this.alive) this.child.kill(signal);
    return this.exited;
  }

  output(): string {
    return [...this.lines, this.partial].filter(Boolean).join('\n');
  }

  /** The pino lines the process wrote, parsed (non-JSON lines are skipped). */
  logs(): { level: number; msg: string; [field: string]: unknown }[] {
    return this.lines.flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as { level: number; msg: string }];
      } catch {
        return [];
      }
    });
  }
}
