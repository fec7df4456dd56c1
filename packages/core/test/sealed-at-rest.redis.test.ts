import { readdirSync, readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { EndpointCreate } from '@hookline/api';
import { generateSecret } from '@hookline/webhooks';
import type { Redis } from 'ioredis';
import { EndpointStore } from '../src/catalog/endpoint-store';
import { redisKeys } from '../src/redis/keys';
import { createRedis } from '../src/redis/redis';
import { Sealer } from '../src/sealing/sealer';
import { TEST_ENCRYPTION_KEY, TestRedisServer, testPrefix, waitFor } from '../src/testing';
import { makeTestPki } from '../src/testing-tls';

// What a reader of Redis's files gets: a redis-server of the test's own, with AOF on (every write
// appended and fsynced) and RDB compression off (LZF would hide a plain string from a byte search,
// not from a reader who decompresses), holding endpoints written through the store. Then a
// snapshot, an AOF rewrite (its RDB-format base) and plain appends after it: no secret may be in
// any of those files in any spelling, while the same search finds values written unsealed.

let server: TestRedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await TestRedisServer.start([
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
    '--rdbcompression',
    'no',
  ]);
  redis = createRedis(server.url, 'api', { enableOfflineQueue: true });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.destroy();
});

/**
 * The spellings of a secret a reader could recognise: as written; the bytes inside a `whsec_` or
 * `whsk_` key, raw and in hex; and base64 and base64url of both, at each of the three alignments
 * a value can have inside a longer encoded string (ends trimmed, where padding and neighbours
 * change the characters).
 */
function spellings(secret: string): Buffer[] {
  const text = Buffer.from(secret);
  const body = /^wh(?:sec|sk)_(.+)$/.exec(secret)?.[1];
  const bytes = body === undefined ? [] : [Buffer.from(body, 'base64')];
  const found = [text, ...bytes, ...bytes.map((b) => Buffer.from(b.toString('hex')))];
  for (const data of [text, ...bytes])
    for (const encoding of ['base64', 'base64url'] as const)
      for (const shift of [0, 1, 2]) {
        const encoded = Buffer.concat([Buffer.alloc(shift), data]).toString(encoding);
        found.push(Buffer.from(encoded.slice(shift === 0 ? 0 : 4, -4)));
      }
  return found;
}

/** Every file under `dir`, by its path relative to it. */
function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(path.relative(dir, full), readFileSync(full));
    }
  };
  walk(dir);
  return files;
}

/** The files in which some spelling of `secret` is. */
const holding = (files: Map<string, Buffer>, secret: string) =>
  [...files]
    .filter(([, bytes]) => spellings(secret).some((s) => bytes.includes(s)))
    .map(([f]) => f);

async function persistence(): Promise<Record<string, string>> {
  const info = await redis.info('persistence');
  return Object.fromEntries(
    info
      .split('\r\n')
      .filter((line) => line.includes(':'))
      .map((line) => line.split(':') as [string, string]),
  );
}

/** The base file of the AOF that the manifest names now. */
function aofBase(): string | undefined {
  const manifest = path.join(server.dir, 'appendonlydir', 'appendonly.aof.manifest');
  return /file (\S+) seq \d+ type b/.exec(readFileSync(manifest, 'utf8'))?.[1];
}

test("no endpoint secret, broker password or custom header value is in Redis's RDB or AOF files, in plain text or base64", async () => {
  const keys = redisKeys(testPrefix('at-rest'));
  const store = new EndpointStore(redis, keys, new Sealer([TEST_ENCRYPTION_KEY]));
  const secrets: string[] = [];
  const ids: string[] = [];
  const token = () => `Bearer tok_${generateSecret().slice(6)}`;
  const create = async (fields: Record<string, unknown>) => {
    const headers = { Authorization: token(), 'X-Api-Key': generateSecret().slice(6) };
    const endpoint = await store.create(
      EndpointCreate.parse({ url: 'https://example.com/hook', headers, ...fields }),
    );
    ids.push(endpoint.id);
    secrets.push(...endpoint.secrets.map((s) => s.key), ...Object.values(headers));
    return endpoint;
  };
  const rotate = async (id: string) => {
    const key = await store.rotateSecret(id, undefined, 3_600_000);
    secrets.push((await store.get(id))!.secrets[0]!.key);
    return key;
  };

  // Before the AOF rewrite: in its base (RDB format) and in the snapshot.
  const hmac = await create({ secret: generateSecret() });
  const ed25519 = await create({ signature: 'v1a' });
  expect(ed25519.secrets[0]!.key).toMatch(/^whsk_/);
  await rotate(hmac.id);
  const newHeader = token();
  secrets.push(newHeader);
  await store.update(ed25519.id, { headers: { Authorization: newHeader } });
  // Controls: written unsealed on purpose, as text and as base64 (a byte off alignment).
  const plainControl = generateSecret();
  const base64Control = generateSecret();
  await redis.set(`${keys.catalog}:control:plain`, plainControl);
  await redis.set(
    `${keys.catalog}:control:base64`,
    Buffer.concat([Buffer.from('x'), Buffer.from(base64Control)]).toString('base64'),
  );

  const baseBefore = aofBase();
  await redis.bgrewriteaof();
  await waitFor(
    async () => {
      const p = await persistence();
      return (
        p.aof_rewrite_in_progress === '0' &&
        p.aof_rewrite_scheduled === '0' &&
        aofBase() !== baseBefore
      );
    },
    { message: 'the AOF rewrite' },
  );

  // After it: appended to the AOF's incremental file, and in the snapshot.
  const later = await create({ secret: generateSecret() });
  await rotate(later.id);
  await store.rotateSecret(ed25519.id, undefined, 3_600_000);
  secrets.push((await store.get(ed25519.id))!.secrets[0]!.key);
  // What authenticates Hookline to receivers: an OAuth 2.0 client secret, a certificate's key
  // (searched for by its longest line of base64, the part that is the key).
  const clientSecret = generateSecret().slice(6);
  await create({
    auth: {
      type: 'oauth2_client_credentials',
      token_url: 'https://auth.example.com/oauth/token',
      client_id: 'hookline',
      client_secret: clientSecret,
    },
  });
  const { client } = makeTestPki();
  await create({ auth: { type: 'client_certificate', ...client } });
  const keyLines = client.key.split('\n').filter((line) => !line.startsWith('-----'));
  secrets.push(clientSecret, keyLines.sort((a, b) => b.length - a.length)[0]!);
  // A broker's password and a NATS token, given in the endpoint's URL.
  const brokerPassword = randomBytes(16).toString('hex');
  const natsToken = randomBytes(16).toString('hex');
  await create({
    type: 'rabbitmq',
    url: `amqps://hookline:${brokerPassword}@mq.example.com/prod`,
  });
  await create({ type: 'nats', url: `tls://${natsToken}@nats.example.com`, subject: 'hooks' });
  secrets.push(brokerPassword, natsToken);
  const appendedControl = generateSecret();
  await redis.set(`${keys.catalog}:control:appended`, appendedControl);

  await redis.bgsave();
  await waitFor(
    async () => {
      const p = await persistence();
      return p.rdb_bgsave_in_progress === '0' && p.rdb_changes_since_last_save === '0';
    },
    { message: 'the snapshot' },
  );
  expect((await persistence()).rdb_last_bgsave_status).toBe('ok');

  const files = filesUnder(server.dir);
  const names = [...files.keys()];
  const base = path.join('appendonlydir', aofBase()!);
  const incr = names.find((n) => /\.incr\.aof$/.test(n))!;
  expect(names).toEqual(expect.arrayContaining(['dump.rdb', base, incr]));
  // The records are in every file: the search looks where they are.
  for (const file of ['dump.rdb', incr]) expect(files.get(file)!.includes(later.id)).toBe(true);
  for (const file of ['dump.rdb', base]) expect(files.get(file)!.includes(hmac.id)).toBe(true);
  // It finds a secret written unsealed, as text or as base64, in each kind of file.
  expect(holding(files, plainControl)).toEqual(expect.arrayContaining(['dump.rdb', base]));
  expect(holding(files, base64Control)).toEqual(expect.arrayContaining(['dump.rdb', base]));
  expect(Buffer.concat([...files.values()]).includes(base64Control)).toBe(false);
  expect(holding(files, appendedControl)).toEqual(expect.arrayContaining(['dump.rdb', incr]));

  // Three of each endpoint's own (its key, two header values), and those named above.
  expect(secrets).toHaveLength(29);
  for (const secret of secrets)
    expect([secret.slice(0, 10), holding(files, secret)]).toEqual([secret.slice(0, 10), []]);
});
