import type { CreatedOperatorKey, Hookline, OperatorKey } from '@hookline/client';
import { expectOneLineFailure, Harness, hookline, requireBuild } from './harness';

// `hookline operator-keys …` as child processes against the real producer in this process.

let h: Harness;
let client: Hookline;

beforeAll(async () => {
  requireBuild();
  h = await Harness.start('cli-opk');
  client = h.client();
});
afterAll(() => h.close());

const run = (...args: string[]) => hookline(args, h.env());
const withKey = (key: string, ...args: string[]) =>
  hookline(args, h.env({ HOOKLINE_API_KEY: key }));

test('create prints the key once; the key works as an operator key', async () => {
  const made = await run('operator-keys', 'create', '--name', 'ci deploys', '--expires-in', '7d');
  expect(made).toMatchObject({ code: 0, stderr: '' });
  const [, id, key, expires] =
    /^Operator key (opk_\w{26}): (hlo_\w{26}_[A-Za-z0-9_-]{43})\nExpires (\S+); it is shown only now\.\n$/.exec(
      made.stdout,
    ) ?? [];
  expect(Date.parse(expires!)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
  expect(await withKey(key!, 'tenants', 'ls')).toMatchObject({ code: 0, stderr: '' });
  expect((await client.operatorKeys.list().toArray()).map((k) => k.id)).toContain(id);
});

test('create --json prints the key with its record; without --expires-in it lives until revoked', async () => {
  const made = JSON.parse(
    (await run('operator-keys', 'create', '--json')).stdout,
  ) as CreatedOperatorKey;
  expect(made).toMatchObject({ name: null, expires_at: null });
  expect(made.key).toMatch(/^hlo_/);
  const text = await run('operator-keys', 'create');
  expect(text.stdout).toMatch(/\nIt lives until revoked; it is shown only now\.\n$/);
});

test('list shows every key without its secret, in a table or as JSON', async () => {
  const made = await client.operatorKeys.create({ name: 'listed' });
  const listed = await run('operator-keys', 'list');
  expect(listed).toMatchObject({ code: 0, stderr: '' });
  expect(listed.stdout).toMatch(/^ID\s+NAME\s+CREATED\s+EXPIRES\s+LAST USED\s+OLD KEY UNTIL\n/);
  expect(listed.stdout).toMatch(
    new RegExp(`\\n${made.id}\\s+listed\\s+${made.created_at}\\s+-\\s+-\\s+-\\n`),
  );
  // A key's secret is its last 43 characters (`hlo_<id>_<secret>`; the secret may hold `_`).
  expect(listed.stdout).not.toContain(made.key.slice(-43));
  const json = JSON.parse((await run('operator-keys', 'ls', '--json')).stdout) as OperatorKey[];
  const { key, ...record } = made;
  expect(json).toContainEqual(record);
  expect(JSON.stringify(json)).not.toContain(key.slice(-43));
});

test('revoke stops the key at once; revoking it again is not_found', async () => {
  const made = await client.operatorKeys.create({});
  expect(await run('operator-keys', 'revoke', made.id)).toMatchObject({
    code: 0,
    stdout: `${made.id} is revoked\n`,
  });
  expectOneLineFailure(await withKey(made.key, 'tenants', 'ls'), 1, /\(unauthorized, HTTP 401\)/);
  expectOneLineFailure(await run('operator-keys', 'revoke', made.id), 1, /\(not_found, HTTP 404\)/);
});

test('rotate prints the new key and until when the old one works; --grace 0s ends it at once', async () => {
  const made = await client.operatorKeys.create({});
  const rotated = await run('operator-keys', 'rotate', made.id, '--grace', '10m');
  expect(rotated).toMatchObject({ code: 0, stderr: '' });
  const [, newKey, until] =
    /^New key for opk_\w{26}: (hlo_\S+)\nIt lives until revoked; it is shown only now\.\nThe old key works until (\S+)\.\n$/.exec(
      rotated.stdout,
    ) ?? [];
  expect(Date.parse(until!)).toBeGreaterThan(Date.now() + 9 * 60_000);
  expect(await withKey(made.key, 'tenants', 'ls')).toMatchObject({ code: 0 });
  expect(await withKey(newKey!, 'tenants', 'ls')).toMatchObject({ code: 0 });

  const again = await run('operator-keys', 'rotate', made.id, '--grace', '0s');
  expect(again.stdout).toMatch(/\nThe old key no longer works\.\n$/);
  expectOneLineFailure(await withKey(newKey!, 'tenants', 'ls'), 1, /\(unauthorized, HTTP 401\)/);
});

test('bad durations are usage errors (exit 2); out of range is the API’s 422 (exit 1)', async () => {
  const made = await client.operatorKeys.create({});
  expectOneLineFailure(
    await run('operator-keys', 'create', '--expires-in', 'forever'),
    2,
    /--expires-in.*must be a duration/,
  );
  expectOneLineFailure(
    await run('operator-keys', 'rotate', made.id, '--grace', 'soon'),
    2,
    /--grace.*must be a duration like 0s, 10m or 24h/,
  );
  expectOneLineFailure(
    await run('operator-keys', 'rotate', made.id, '--grace', '31d'),
    1,
    /grace: .*\(validation_failed, HTTP 422\)/,
  );
});

test('a tenant key is refused (403)', async () => {
  const { key } = await client.tenants.createKey('cli-opk-tenant');
  expectOneLineFailure(await withKey(key, 'operator-keys', 'list'), 1, /\(forbidden, HTTP 403\)/);
});
