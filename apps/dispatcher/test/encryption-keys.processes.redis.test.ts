import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CreatedEndpoint } from '@hookline/api';
import { sealingKeyId } from '@hookline/core';
import { TEST_REDIS_ENV, waitFor } from '@hookline/core/testing';
import { Webhook } from 'standardwebhooks';
import { Harness } from './harness';
import { Receiver } from './receiver';
import { spawnService, type Service } from './services';

// The built services (dist/main.js) and the keys they seal endpoint secrets with: both must
// open what the other sealed, and production must not start without keys.

const API_KEY = 'k'.repeat(32);
let h: Harness;
let receiver: Receiver;
let cwd: string;
const services: Service[] = [];

beforeEach(async () => {
  h = await Harness.create();
  receiver = await Receiver.start();
  cwd = mkdtempSync(path.join(tmpdir(), 'hookline-keys-'));
});
afterEach(async () => {
  for (const s of services.splice(0)) {
    s.child.kill('SIGKILL');
    await s.exited;
  }
  await receiver.close();
  await h.close();
  rmSync(cwd, { recursive: true, force: true });
});

test('without HOOKLINE_ENCRYPTION_KEYS, a producer and a dispatcher started together in one directory share the one key made there: a delivery arrives signed with the secret the producer sealed', async () => {
  // Empty is unset; the level shows the dispatcher's line naming the key's file.
  const env = h.processEnv({
    HOOKLINE_ENCRYPTION_KEYS: '',
    HOOKLINE_API_KEYS: API_KEY,
    LOG_LEVEL: 'info',
  });
  services.push(
    ...(await Promise.all([
      spawnService('producer', env, cwd),
      spawnService('dispatcher', env, cwd),
    ])),
  );
  const file = path.join(cwd, '.hookline', 'encryption-key');
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  for (const service of services) {
    const output = service.output.join('');
    expect(output).toContain(`sealing secrets with the local key in ${file}`);
    expect(output).not.toContain(key.toString('base64'));
  }

  const producer = services[0]!;
  const headers = { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' };
  const created = await fetch(producer.url('/v1/endpoints'), {
    method: 'POST',
    headers,
    body: JSON.stringify({ url: receiver.url() }),
  });
  expect(created.status).toBe(201);
  const endpoint = (await created.json()) as CreatedEndpoint;
  const stored = (await h.api.redis.get(h.api.keys.endpoint(endpoint.id)))!;
  expect(stored).toContain(`"key":"hls1:${sealingKeyId(key)}:`);
  expect(stored).not.toContain(endpoint.secret);

  const published = await fetch(producer.url('/v1/events'), {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'order.filled', data: { id: 1 } }),
  });
  expect(published.status).toBe(202);
  await waitFor(() => receiver.received.length === 1, { message: 'the delivery' });
  const got = receiver.received[0]!;
  expect(() =>
    new Webhook(endpoint.secret).verify(got.body, got.headers as Record<string, string>),
  ).not.toThrow();
}, 60_000);

test('a dispatcher refuses to start in production without HOOKLINE_ENCRYPTION_KEYS, in one line naming it', async () => {
  const main = path.join(__dirname, '..', 'dist', 'main.js');
  const { HOOKLINE_ENCRYPTION_KEYS: _key, ...redisEnv } = TEST_REDIS_ENV;
  const child = spawn(process.execPath, [main], {
    cwd,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', ...redisEnv },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code).not.toBe(0);
  expect(stderr.split('\n').filter(Boolean)).toEqual([
    expect.stringMatching(
      /^hookline dispatcher: bad configuration: HOOKLINE_ENCRYPTION_KEYS: must be set when NODE_ENV=production/,
    ),
  ]);
});
