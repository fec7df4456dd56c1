import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@hookline/core/testing';

const run = promisify(execFile);

// The scripts themselves, not Debian's /usr/sbin wrappers: those switch to the `rabbitmq` user,
// whose Erlang cookie would then not be the one this node's rabbitmqctl presents.
const BIN = '/usr/lib/rabbitmq/bin';

const running = new Set<ChildProcess>();

/** Kills the node's process group: the script, and the Erlang VM it runs in the background. */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

// A test runner that dies must not leave its broker behind.
process.on('exit', () => {
  for (const child of running) killGroup(child);
});

/**
 * A RabbitMQ node of a scenario's own (its own node name, ports, data and cookie in a temporary
 * directory, no plugins, so no management listener; AMQP on 127.0.0.1 only), that the scenario
 * may stop and start again: the shared test broker must never be stopped under other tests.
 * Its data survive a stop, so durable queues and persistent messages come back with it.
 */
export class TestRabbitMqNode {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    private readonly dir: string,
    readonly node: string,
    readonly port: number,
    private readonly distPort: number,
  ) {}

  static async start(): Promise<TestRabbitMqNode> {
    const dir = mkdtempSync(path.join(tmpdir(), 'hookline-rabbitmq-'));
    writeFileSync(path.join(dir, 'enabled_plugins'), '[].\n');
    const node = new TestRabbitMqNode(
      dir,
      `hookline-faults-${randomBytes(4).toString('hex')}@localhost`,
      await freePort(),
      await freePort(),
    );
    await node.start();
    return node;
  }

  /** `amqp://guest:guest@127.0.0.1:<port>/` (guest may log in from the loopback). */
  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}/`;
  }

  private get env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      // The Erlang cookie is made in, and read from, $HOME.
      HOME: this.dir,
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_MNESIA_BASE: path.join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: path.join(this.dir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: path.join(this.dir, 'enabled_plugins'),
      RABBITMQ_CONFIG_FILE: path.join(this.dir, 'rabbitmq'),
      RABBITMQ_ADVANCED_CONFIG_FILE: path.join(this.dir, 'advanced.config'),
      RABBITMQ_CONF_ENV_FILE: path.join(this.dir, 'rabbitmq-env.conf'),
      RABBITMQ_PID_FILE: path.join(this.dir, 'pid'),
    };
  }

  /** Starts the node (again) and resolves once it takes connections. */
  async start(): Promise<void> {
    const child = spawn(path.join(BIN, 'rabbitmq-server'), [], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, which killGroup ends whole.
      detached: true,
    });
    this.child = child;
    running.add(child);
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', () => running.delete(child));
    // await_startup fails at once while the node has not yet registered with epmd: asked again
    // until it answers, within the time a boot takes on a loaded machine.
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        await this.ctl('await_startup', '--timeout', '60');
        return;
      } catch (error) {
        if (child.exitCode === null && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          continue;
        }
        killGroup(child);
        throw new Error(`RabbitMQ ${this.node} did not start: ${String(error)}\n${this.output}`, {
          cause: error,
        });
      }
    }
  }

  /** Stops the node (rabbitmqctl stop: every connection is closed) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await this.ctl('stop');
    await exited;
  }

  /** `rabbitmqctl -n <node> …`. */
  ctl(...args: string[]): Promise<{ stdout: string }> {
    return run(path.join(BIN, 'rabbitmqctl'), ['-n', this.node, ...args], {
      env: this.env,
      timeout: 90_000,
    });
  }

  /** Stops the node (killed when it does not stop) and removes its data. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    if (this.child) killGroup(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
