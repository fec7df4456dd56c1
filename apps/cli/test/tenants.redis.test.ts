import type { Delivery, Endpoint, Hookline, TenantKey } from '@hookline/client';
import { waitFor } from '@hookline/core/testing';
import { expectOneLineFailure, Harness, hookline, receiver, requireBuild } from './harness';

// `hookline tenants …` and `--tenant` as child processes against the real producer (and
// dispatcher) in this process. Counts and the dead letter come from the log: `h.logged()` first.

let h: Harness;
let client: Hookline;

beforeAll(async () => {
  requireBuild();
  h = await Harness.start('cli-tnt');
  client = h.client();
});
afterAll(() => h.close());

const run = (...args: string[]) => hookline(args, h.env());

const endpointFor = (tenant_id: string, path = tenant_id) =>
  client.endpoints.create({ url: `https://example.com/${path}`, tenant_id });

describe('tenants', () => {
  test('ls lists the tenants that have endpoints, with their endpoint counts', async () => {
    await endpointFor('ls-b');
    await endpointFor('ls-a');
    await endpointFor('ls-a', 'ls-a-2');

    const listed = await run('tenants', 'ls');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(/^ID\s+ENDPOINTS\n/);
    expect(listed.stdout).toMatch(/\nls-a\s+2\nls-b\s+1\n/);

    const json = JSON.parse((await run('tenants', 'ls', '--json')).stdout) as unknown[];
    expect(json).toEqual(
      expect.arrayContaining([
        { id: 'ls-a', endpoints: 2 },
        { id: 'ls-b', endpoints: 1 },
      ]),
    );
    expect(JSON.parse((await run('tenants', 'ls', '--json', '--limit', '1')).stdout)).toHaveLength(
      1,
    );
  });

  test('show counts endpoints, pending deliveries and the dead letter', async () => {
    await endpointFor('shown');
    await endpointFor('shown', 'shown-2');
    const shown = await run('tenants', 'show', 'shown');
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toMatch(
      /^Tenant\s+shown\nEndpoints\s+2\nPending\s+0\nDead letter\s+0\nWeight\s+1\n$/,
    );
    expect(JSON.parse((await run('tenants', 'show', 'shown', '--json')).stdout)).toEqual({
      id: 'shown',
      endpoints: 2,
      pending: 0,
      dead_letter: 0,
      weight: 1,
    });
  });

  test("weight sets a tenant's weight, which show prints; a weight out of 1-100 is a usage error", async () => {
    await endpointFor('weighed');
    const set = await run('tenants', 'weight', 'weighed', '7');
    expect(set).toMatchObject({ code: 0, stderr: '', stdout: 'weighed now has weight 7\n' });
    expect((await run('tenants', 'show', 'weighed')).stdout).toMatch(/\nWeight\s+7\n$/);
    for (const bad of ['0', '101', '2.5', 'x']) {
      const refused = await run('tenants', 'weight', 'weighed', bad);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/whole number from 1 to 100/);
    }
    expectOneLineFailure(
      await run('tenants', 'weight', 'nobody', '2'),
      1,
      /\(not_found, HTTP 404\)/,
    );
  });

  test('show of an unknown tenant is not_found (exit 1)', async () => {
    expectOneLineFailure(await run('tenants', 'show', 'nobody'), 1, /\(not_found, HTTP 404\)/);
  });

  test('key prints a tenant key and the portal URL; the key sees its tenant only', async () => {
    const own = await endpointFor('keyed');
    await endpointFor('keyed-other');
    const minted = await run('tenants', 'key', 'keyed', '--expires-in', '1h');
    expect(minted).toMatchObject({ code: 0, stderr: '' });
    const [, key, expires, portal] =
      /^Tenant key for keyed: (hlt_[0-9a-f]{24}_[A-Za-z0-9_-]{43})\nExpires (\S+); it is shown only now\.\nPortal: (\S+)\n$/.exec(
        minted.stdout,
      ) ?? [];
    expect(portal).toBe(`${h.url}/console#key=${encodeURIComponent(key!)}`);
    expect(Date.parse(expires!)).toBeLessThanOrEqual(Date.now() + 3_600_000);

    // The CLI with the tenant key: nothing else to set.
    const asTenant = (...args: string[]) => hookline(args, h.env({ HOOKLINE_API_KEY: key! }));
    const listed = JSON.parse((await asTenant('endpoints', 'ls', '--json')).stdout) as Endpoint[];
    expect(listed.map((e) => e.id)).toEqual([own.id]);
    const added = await asTenant('endpoints', 'add', 'https://example.com/keyed-2');
    expect(added.stdout).toMatch(/^ep_\w+ created for \S+ \(tenant keyed, events: \*\)\n/);
    expectOneLineFailure(await asTenant('send', 'order.filled'), 1, /\(forbidden, HTTP 403\)/);
    expectOneLineFailure(await asTenant('tenants', 'ls'), 1, /\(forbidden, HTTP 403\)/);
  });

  test('key --json prints {key, tenant_id, expires_at, portal_url}', async () => {
    await endpointFor('keyed-json');
    const result = await run('tenants', 'key', 'keyed-json', '--json');
    expect(result.code).toBe(0);
    const minted = JSON.parse(result.stdout) as TenantKey;
    expect(minted).toEqual({
      key: expect.stringMatching(/^hlt_/) as string,
      tenant_id: 'keyed-json',
      expires_at: expect.any(String) as string,
      portal_url: expect.stringContaining('/console#key=') as string,
    });
    // 24 hours by default.
    expect(Date.parse(minted.expires_at)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
  });

  test('key --expires-in that is not a duration is a usage error (exit 2); one over 30d is the API’s 422 (exit 1)', async () => {
    expectOneLineFailure(
      await run('tenants', 'key', 'keyed', '--expires-in', 'tomorrow'),
      2,
      /--expires-in.*must be a duration like 30m, 24h or 7d/,
    );
    expectOneLineFailure(
      await run('tenants', 'key', 'keyed', '--expires-in', '31d'),
      1,
      /expires_in: .*\(validation_failed, HTTP 422\)/,
    );
  });

  test('revoke ends every key of the tenant', async () => {
    await endpointFor('revoked');
    const { key } = await client.tenants.createKey('revoked');
    expect(await run('tenants', 'revoke', 'revoked')).toMatchObject({
      code: 0,
      stdout: 'Every key of revoked is revoked\n',
    });
    expectOneLineFailure(
      await hookline(['endpoints', 'ls'], h.env({ HOOKLINE_API_KEY: key })),
      1,
      /\(unauthorized, HTTP 401\)/,
    );
  });

  test('rm deletes the tenant’s endpoints and nothing of another tenant', async () => {
    const gone = await endpointFor('leaving');
    const kept = await endpointFor('staying');
    expect(await run('tenants', 'rm', 'leaving')).toMatchObject({
      code: 0,
      stdout: 'leaving deleted, with its endpoints and keys\n',
    });
    await expect(client.endpoints.get(gone.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await client.endpoints.get(kept.id)).toMatchObject({ tenant_id: 'staying' });
    expectOneLineFailure(await run('tenants', 'rm', 'leaving'), 1, /\(not_found, HTTP 404\)/);
  });
});

describe('--tenant', () => {
  test('endpoints add --tenant creates it in the tenant; endpoints ls --tenant lists only those', async () => {
    const added = await run('endpoints', 'add', 'https://example.com/flag', '--tenant', 'flagged');
    expect(added.code).toBe(0);
    const id =
      /^(ep_\w+) created for https:\/\/example\.com\/flag \(tenant flagged, events: \*\)\n/.exec(
        added.stdout,
      )?.[1];
    expect(await client.endpoints.get(id!)).toMatchObject({ tenant_id: 'flagged' });
    await endpointFor('flagged-other');

    const listed = await run('endpoints', 'ls', '--tenant', 'flagged');
    expect(listed.stdout).toMatch(
      new RegExp(
        `^ID\\s+TENANT\\s+TYPE\\s+URL\\s+EVENTS\\s+STATE\\s+DESCRIPTION\\n${id}\\s+flagged\\s+http\\s+https://example\\.com/flag\\s+\\*\\s+enabled\\n$`,
      ),
    );
    const json = JSON.parse(
      (await run('endpoints', 'ls', '--json', '--tenant', 'flagged')).stdout,
    ) as Endpoint[];
    expect(json.map((e) => e.id)).toEqual([id]);
    expect(await run('endpoints', 'ls', '--tenant', 'empty')).toMatchObject({
      code: 0,
      stdout: 'No endpoints for empty yet: hookline endpoints add <url> --tenant empty\n',
    });
  });

  test('an invalid tenant id is the API’s validation error (exit 1)', async () => {
    expectOneLineFailure(
      await run('endpoints', 'add', 'https://example.com/x', '--tenant', 'no spaces'),
      1,
      /tenant_id: .*\(validation_failed, HTTP 422\)/,
    );
  });

  test('send --tenant reaches only that tenant’s endpoints; dlq ls and replay --tenant take its dead deliveries only', async () => {
    let status = 500;
    const rx = await receiver(() => status);
    try {
      const acme = await client.endpoints.create({ url: `${rx.url}/acme`, tenant_id: 'dlq-acme' });
      const globex = await client.endpoints.create({
        url: `${rx.url}/globex`,
        tenant_id: 'dlq-globex',
      });
      const sent = await run('send', 'order.filled', '--tenant', 'dlq-acme');
      expect(sent).toMatchObject({ code: 0, stderr: '' });
      const eventId = /^(evt_\w+) published for dlq-acme \(1 delivery\)\n$/.exec(sent.stdout)?.[1];
      const event = await client.events.get(eventId!);
      expect(event.tenant_id).toBe('dlq-acme');
      expect(event.deliveries.map((d) => d.endpoint_id)).toEqual([acme.id]);
      const acmeDelivery = event.deliveries[0]!.id;

      const { id: globexEvent } = await client.events.publish({
        name: 'order.filled',
        data: {},
        tenant_id: 'dlq-globex',
      });
      const globexDelivery = (await client.events.get(globexEvent)).deliveries[0]!.id;
      expect((await client.events.get(globexEvent)).deliveries[0]!.endpoint_id).toBe(globex.id);
      for (const id of [acmeDelivery, globexDelivery])
        await waitFor(async () => (await client.deliveries.get(id)).status === 'dead', {
          message: `${id} to die`,
        });
      await h.logged();

      const dead = JSON.parse(
        (await run('dlq', 'ls', '--json', '--tenant', 'dlq-acme')).stdout,
      ) as Delivery[];
      expect(dead.map((d) => d.id)).toEqual([acmeDelivery]);
      expect((await run('dlq', 'ls', '--tenant', 'dlq-acme')).stdout).toMatch(
        new RegExp(
          `^ID\\s+ENDPOINT\\s+EVENT\\s+ATTEMPTS\\s+LAST\\s+CREATED\\n${acmeDelivery}\\s+${acme.id}\\s`,
        ),
      );

      status = 204;
      expect(await run('dlq', 'replay', '--tenant', 'dlq-acme')).toMatchObject({
        code: 0,
        stdout: 'Replayed 1 delivery\n',
      });
      await waitFor(
        async () => (await client.deliveries.get(acmeDelivery)).status === 'delivered',
        { message: 'the replay to deliver' },
      );
      expect((await client.deliveries.get(globexDelivery)).status).toBe('dead');
    } finally {
      await rx.close();
    }
  });
});
