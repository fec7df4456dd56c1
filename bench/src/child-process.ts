import { fork, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sleep } from './clock';

/** A child process with the last lines it printed kept, for error messages. */
export class Child {
  private readonly tail: string[] = [];
  private readonly watchers = new Set<(line: string) => void>();
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        for (const watch of this.watchers) watch(line);
        this.tail.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
        if (this.tail.length > 20) this.tail.shift();
      }
    };
    process.stdout?.on('data', keep);
    process.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      process.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)));
      process.on('error', (error) => {
        this.tail.push(error.message);
        resolve(-1);
      });
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** The last lines it printed, for an error message. */
  output(): string {
    return this.tail.length === 0 ? '(it printed nothing)' : this.tail.join('\n');
  }

  /** Resolves once it prints a line matching `pattern`; rejects if it exits first, or after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<void> {
    if (this.tail.some((line) => pattern.test(line))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.watchers.delete(watch);
        if (error) reject(error);
        else resolve();
      };
      const watch = (line: string) => {
        if (pattern.test(line)) done();
      };
      const timer = setTimeout(
        () =>
          done(
            new Error(
              `${this.name} printed no ${pattern} within ${timeoutMs} ms:\n${this.output()}`,
            ),
          ),
        timeoutMs,
      );
      this.watchers.add(watch);
      void this.exited.then(() => done(new Error(`${this.name} exited:\n${this.output()}`)));
    });
  }

  /** SIGTERM, and SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGTERM');
    const exited = await Promise.race([
      this.exited.then(() => true),
      sleep(graceMs).then(() => false),
    ]);
    if (!exited && this.running) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }
}

export function spawnChild(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): Child {
  return new Child(name, spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options }));
}

/**
 * Forks one of the bench's own servers (`script`, a file of dist/) and waits for it to say which
 * port it listens on: an IPC message `{ type: 'listening', port }`.
 */
export async function forkServer(
  name: string,
  script: string,
): Promise<{ child: Child; port: number }> {
  const child = new Child(name, fork(script, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the ${name} did not start:\n${child.output()}`)),
      10_000,
    );
    child.process.on('message', (message: { type?: unknown; port?: unknown }) => {
      if (message.type !== 'listening' || typeof message.port !== 'number') return;
      clearTimeout(timer);
      resolve(message.port);
    });
    void child.exited.then(() =>
      reject(new Error(`the ${name} exited at start:\n${child.output()}`)),
    );
  });
  return { child, port };
}

/**
 * A process's peak resident set size so far (`VmHWM` in /proc/<pid>/status), in bytes;
 * `undefined` where there is no /proc (not Linux) or the process is gone.
 */
export function peakRssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time a process has used so far (user + system), in ms, from /proc/<pid>/stat; `undefined`
 * where there is no /proc. Ticks are USER_HZ, 100 per second on every Linux that Node runs on.
 */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
