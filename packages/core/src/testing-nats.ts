import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './testing';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/**
 * A nats-server of a test's own, with JetStream and a file store, on a spare port of 127.0.0.1:
 * for what the shared server must not be put through (credentials, being stopped). Stopped and
 * started again, it keeps its port and its store, as a restarted broker does.
 */
export class PrivateNatsServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly output: string[] = [];

  private constructor(
    readonly port: number,
    readonly storeDir: string,
    private readonly args: string[],
  ) {}

  /** `args`: more of nats-server's flags, e.g. `--user u --pass p` or `--auth token`. */
  static async start(args: string[] = []): Promise<PrivateNatsServer> {
    const server = new PrivateNatsServer(
      await freePort(),
      mkdtempSync(path.join(tmpdir(), 'hookline-nats-')),
      args,
    );
    await server.resume();
    return server;
  }

  /** Starts it (again), on the same port and store; resolves once it accepts clients. */
  async resume(): Promise<void> {
    const child = spawn(
      NATS_SERVER,
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir, ...this.args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      let text = '';
      const read = (chunk: Buffer) => {
        this.output.push(chunk.toString());
        text += chunk.toString();
        if (text.includes('Server is ready')) resolve();
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${text}`)));
    });
  }

  /** Stops it at once (SIGKILL: no goodbye to its clients, as a crash or a cut cable). */
  async stop(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
  }

  /** Stops it and removes its store. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
