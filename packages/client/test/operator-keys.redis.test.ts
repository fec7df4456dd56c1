import { HooklineApiError, type Hookline } from '../src';
import { Harness } from './harness';

// Operator keys through the client against the real producer and Redis, and clients built with
// the keys it makes.

let h: Harness;
let hookline: Hookline;

beforeAll(async () => {
  h = await Harness.start('client-opk');
  hookline = h.client();
});
afterAll(() => h.close());

const withKey = (apiKey: string) => h.client({ apiKey });

async function refusedWith(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HooklineApiError);
  return (error as HooklineApiError).code;
}

test('a key made with operatorKeys.create is an operator key; list pages without secrets', async () => {
  const made = await hookline.operatorKeys.create({ name: 'client', expires_in: '1d' });
  expect(made.key).toMatch(/^hlo_/);
  expect(await withKey(made.key).tenants.list().toArray()).toEqual(expect.any(Array));
  await hookline.operatorKeys.create({ name: 'client 2' });
  const listed = await hookline.operatorKeys.list({ limit: 1 }).toArray();
  expect(listed.map((k) => k.name)).toEqual(expect.arrayContaining(['client', 'client 2']));
  // A key's secret is its last 43 characters (`hlo_<id>_<secret>`; the secret may hold `_`).
  expect(JSON.stringify(listed)).not.toContain(made.key.slice(-43));
});

test('rotate returns a new key for the same id; revoke stops both at once', async () => {
  const made = await hookline.operatorKeys.create({});
  const rotated = await hookline.operatorKeys.rotate(made.id, { grace: '1h' });
  expect(rotated.id).toBe(made.id);
  await withKey(made.key).tenants.list().toArray();
  await withKey(rotated.key).tenants.list().toArray();
  await hookline.operatorKeys.revoke(made.id);
  expect(await refusedWith(withKey(made.key).tenants.list().toArray())).toBe('unauthorized');
  expect(await refusedWith(withKey(rotated.key).tenants.list().toArray())).toBe('unauthorized');
  expect(await refusedWith(hookline.operatorKeys.revoke(made.id))).toBe('not_found');
});

test('a tenant key is refused (403)', async () => {
  const { key } = await hookline.tenants.createKey('client-opk');
  expect(await refusedWith(withKey(key).operatorKeys.create())).toBe('forbidden');
});
