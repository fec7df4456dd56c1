import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanupPrefix, testPrefix, waitFor, TEST_REDIS_ENV } from '@hookline/core/testing';

// `node dist/main.js` as operators run it. CI builds before testing; run locally after
// `npm run build` (the tests are skipped, saying so, when there is no build).
const MAIN = path.join(__dirname, '..', 'dist', 'main.js');
const built = existsSync(MAIN);
if (!built) console.warn(`skipping main.js tests: ${MAIN} is missing (run npm run build first)`);
const maybe = built ? describe : describe.skip;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for the child: nothing of ours leaks in from the test runner's own. */
function env(vars: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, LOG_LEVEL: 'silent', ...vars };
}

function run(vars: Record<string, string>, cwd?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN], { env: env(vars), cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

maybe('main.js', () => {
  test('refuses to start in production without API keys, in one line naming HOOKLINE_API_KEYS', async () => {
    const result = await run({ NODE_ENV: 'production', ...TEST_REDIS_ENV });
    expect(result.code).not.toBe(0);
    expect(lines(result.stderr)).toEqual([expect.stringContaining('HOOKLINE_API_KEYS')]);
  });

  test('refuses to start in production without HOOKLINE_ENCRYPTION_KEYS, in one line naming it, writing no key', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'hookline-main-'));
    try {
      const { HOOKLINE_ENCRYPTION_KEYS: _key, ...redisEnv } = TEST_REDIS_ENV;
      const result = await run(
        { NODE_ENV: 'production', HOOKLINE_API_KEYS: 'k'.repeat(32), ...redisEnv },
        cwd,
      );
      expect(result.code).not.toBe(0);
      expect(lines(result.stderr)).toEqual([
        expect.stringMatching(/^HOOKLINE_ENCRYPTION_KEYS: must be set when NODE_ENV=production/),
      ]);
      expect(existsSync(path.join(cwd, '.hookline'))).toBe(false);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('refuses a HOOKLINE_ENCRYPTION_KEYS that is not base64 of 32 bytes, in one line that does not repeat it', async () => {
    const bad = Buffer.alloc(24, 7).toString('base64');
    const result = await run({ HOOKLINE_ENCRYPTION_KEYS: bad, HOOKLINE_API_KEYS: 'k'.repeat(32) });
    expect(result.code).not.toBe(0);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        /^HOOKLINE_ENCRYPTION_KEYS: key 1 of 1 is not base64 of exactly 32 bytes/,
      ),
    ]);
    expect(result.stderr).not.toContain(bad);
  });

  test('without HOOKLINE_ENCRYPTION_KEYS outside production, generates a key under .hookline/ of its directory (0600), names the file but not the key, and reuses it on the next start', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'hookline-main-'));
    const { HOOKLINE_ENCRYPTION_KEYS: _key, ...redisEnv } = TEST_REDIS_ENV;
    const start = async () => {
      const child = spawn(process.execPath, [MAIN], {
        cwd,
        env: env({
          PORT: '0',
          HOST: '127.0.0.1',
          HOOKLINE_API_KEYS: 'k'.repeat(32),
          ...redisEnv,
          HOOKLINE_QUEUE_PREFIX: testPrefix('main-key'),
        }),
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await waitFor(() => stdout.includes('listening on'), { message: 'the listening line' });
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      return stdout;
    };
    try {
      const file = path.join(cwd, '.hookline', 'encryption-key');
      const first = await start();
      const key = readFileSync(file, 'utf8').trim();
      expect(Buffer.from(key, 'base64')).toHaveLength(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(first).toContain(
        `HOOKLINE_ENCRYPTION_KEYS is not set: sealing secrets with the local key in ${file} (generated now)`,
      );
      expect(first).not.toContain(key);

      const second = await start();
      expect(readFileSync(file, 'utf8').trim()).toBe(key);
      expect(second).toContain(`the local key in ${file}`);
      expect(second).not.toContain('generated');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('refuses a bad setting in one line naming the variable', async () => {
    const result = await run({ PORT: 'abc', HOOKLINE_API_KEYS: 'k'.repeat(32) });
    expect(result.code).not.toBe(0);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^PORT: /)]);
  });

  test('refuses a HOOKLINE_TRACE_URL that is not an http(s) template with {trace_id}, in one line', async () => {
    const result = await run({
      HOOKLINE_TRACE_URL: 'https://jaeger.example/trace/',
      HOOKLINE_API_KEYS: 'k'.repeat(32),
    });
    expect(result.code).not.toBe(0);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(
        /^HOOKLINE_TRACE_URL: must be an http:\/\/ or https:\/\/ URL with \{trace_id\}/,
      ),
    ]);
  });

  test('without keys outside production, generates one, serves with it, and on SIGTERM finishes the request in flight and exits 0', async () => {
    const prefix = testPrefix('main');
    const child = spawn(process.execPath, [MAIN], {
      env: env({
        PORT: '0',
        HOST: '127.0.0.1',
        ...TEST_REDIS_ENV,
        HOOKLINE_QUEUE_PREFIX: prefix,
      }),
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    try {
      const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(stdout)?.[1], {
        message: 'the listening line',
      });
      const key = /generated an API key for this run: (\S+)/.exec(stdout)?.[1];
      expect(key).toBeDefined();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, {
        message: 'readiness',
      });
      expect((await fetch(`${url}/v1/endpoints`)).status).toBe(401);
      expect(
        (await fetch(`${url}/v1/endpoints`, { headers: { Authorization: `Bearer ${key}` } }))
          .status,
      ).toBe(200);

      // A request in flight when SIGTERM arrives: its body is half sent.
      const inFlight = request(`${url}/v1/events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      });
      const answered = new Promise<{ status: number | undefined; body: string }>(
        (resolve, reject) => {
          inFlight.once('response', (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode, body }));
          });
          inFlight.once('error', reject);
        },
      );
      inFlight.write('{"name": "in.flight", ');
      await new Promise<void>((resolve) =>
        inFlight.once('socket', (socket) => socket.once('connect', () => resolve())),
      );
      child.kill('SIGTERM');
      // Once it stops accepting, new connections are refused while the old one is still served.
      await waitFor(
        () =>
          fetch(`${url}/healthz`).then(
            () => false,
            () => true,
          ),
        { message: 'new connections refused' },
      );
      inFlight.end('"data": {}}');
      const response = await answered;
      expect(response.status).toBe(202);
      expect(JSON.parse(response.body)).toEqual({
        id: expect.stringMatching(/^evt_/) as string,
        deliveries: 0,
      });
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await cleanupPrefix(prefix);
    }
  });
});
