import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitFor } from '@hookline/core/testing';
import { Harness } from './harness';
import { Receiver } from './receiver';

// Real dispatcher processes (the built dist/main.js, as production runs it), killed for real.
const MAIN = path.join(__dirname, '..', 'dist', 'main.js');

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: string[];
}

async function spawnDispatcher(h: Harness): Promise<Proc> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      REDIS_URL: h.config.redisUrl,
      HOOKLINE_QUEUE_PREFIX: h.config.queuePrefix,
      HOOKLINE_ALLOW_INSECURE_URLS: 'true',
      HOOKLINE_CONCURRENCY: '20',
      METRICS_PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitFor(
    async () => {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      return res?.ok;
    },
    { message: `dispatcher on :${port} to be up (${output.join('')})` },
  );
  return { child, exited, output };
}

let h: Harness;
let receiver: Receiver;
const procs: Proc[] = [];

beforeEach(async () => {
  h = await Harness.create();
  // A few ms per request, so that there is always something in flight to be killed.
  receiver = await Receiver.start((_req, res) => setTimeout(() => res.writeHead(204).end(), 5));
});
afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  await receiver.close();
  await h.close();
});

test('a dispatcher killed with SIGKILL mid-load loses nothing: another delivers what it held', async () => {
  const ep = await h.createEndpoint({ url: receiver.url() });
  procs.push(await spawnDispatcher(h), await spawnDispatcher(h));
  const events = await h.publishMany([ep.id], 2_000);
  await waitFor(() => receiver.received.length >= 400, { message: 'load to start' });
  const killedAt = Date.now();
  procs[0]!.child.kill('SIGKILL');
  await waitFor(() => receiver.countsById().size === events.length, {
    timeoutMs: 60_000,
    message: 'every delivery to arrive after the kill',
  });
  const counts = receiver.countsById();
  const duplicates = [...counts.values()].filter((n) => n > 1).length;
  console.info(`SIGKILL: all ${events.length} delivered ${Date.now() - killedAt} ms after the kill; ${duplicates} delivered twice`);
  expect(counts.size).toBe(events.length);
}, 90_000);

test('a dispatcher stopped with SIGTERM mid-load finishes what it holds and exits 0: every delivery arrives exactly once', async () => {
  const ep = await h.createEndpoint({ url: receiver.url() });
  procs.push(await spawnDispatcher(h), await spawnDispatcher(h));
  const events = await h.publishMany([ep.id], 2_000);
  await waitFor(() => receiver.received.length >= 400, { message: 'load to start' });
  procs[0]!.child.kill('SIGTERM');
  expect(await procs[0]!.exited).toBe(0);
  await waitFor(() => receiver.countsById().size === events.length, { timeoutMs: 60_000, message: 'every delivery' });
  const counts = receiver.countsById();
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(receiver.received).toHaveLength(events.length);
}, 90_000);
