import { spawn } from 'node:child_process';
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newId } from '@hookline/core';
import { freePort, waitFor } from '@hookline/core/testing';
import { makeTestPki } from '@hookline/core/testing-tls';
import type { CreatedEndpoint, Delivery, Endpoint, Hookline } from '@hookline/client';
import {
  expectOneLineFailure,
  Harness,
  hookline,
  MAIN,
  momentBetween,
  receiver,
  requireBuild,
} from './harness';

// `hookline send | endpoints | deliveries | dlq` as child processes against the real producer
// (and dispatcher) in this process. What lists read comes from the log: `h.logged()` first.

let h: Harness;
let client: Hookline;

beforeAll(async () => {
  requireBuild();
  h = await Harness.start('cli-cmd');
  client = h.client();
});
afterAll(() => h.close());

const run = (...args: string[]) => hookline(args, h.env());

describe('send', () => {
  test('publishes an event: exit 0 and its id on stdout', async () => {
    const result = await run(
      'send',
      'order.filled',
      '--data',
      '{"order":42}',
      '--resource',
      'order:ord_1',
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const id = /^(evt_\w+) published \(\d+ deliver(y|ies)\)\n$/.exec(result.stdout)?.[1];
    expect(id).toBeDefined();
    expect(await client.events.get(id!)).toMatchObject({
      name: 'order.filled',
      data: { order: 42 },
      resource: { resource_type: 'order', id: 'ord_1' },
    });
  });

  test('--json prints {id, deliveries}', async () => {
    const endpoint = await client.endpoints.create({ url: 'https://example.com/cli' });
    const result = await run(
      'send',
      'user.created',
      '--json',
      '--data',
      '{}',
      '--endpoint',
      endpoint.id,
    );
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as { id: string; deliveries: number };
    expect(body).toEqual({ id: expect.stringMatching(/^evt_/) as string, deliveries: 1 });
    expect((await client.events.get(body.id)).deliveries[0]!.endpoint_id).toBe(endpoint.id);
  });

  test('--idempotency-key makes a repeated send the same event', async () => {
    const key = randomUUID();
    const first = await run('send', 'a.b', '--json', '--idempotency-key', key);
    const second = await run('send', 'a.b', '--json', '--idempotency-key', key);
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(first.stdout));
  });

  test('--data that is not a JSON object is a usage error (exit 2)', async () => {
    expectOneLineFailure(
      await run('send', 'a.b', '--data', '{nope'),
      2,
      /--data is not valid JSON/,
    );
    expectOneLineFailure(
      await run('send', 'a.b', '--data', '[1]'),
      2,
      /--data must be a JSON object/,
    );
  });

  test("an invalid event name is the API's validation error on one line (exit 1)", async () => {
    expectOneLineFailure(
      await run('send', 'has spaces'),
      1,
      /name: .*\(validation_failed, HTTP 422\)/,
    );
  });
});

describe('endpoints', () => {
  test('add, ls, rotate and rm', async () => {
    const url = `https://example.com/${randomUUID()}`;
    const added = await run(
      'endpoints',
      'add',
      url,
      '--json',
      '--event',
      'order.*',
      '--event',
      'user.created',
      '--header',
      'X-Team: payments',
    );
    expect(added.code).toBe(0);
    const created = JSON.parse(added.stdout) as CreatedEndpoint;
    expect(created).toMatchObject({
      url,
      event_types: ['order.*', 'user.created'],
      headers: { 'X-Team': 'payments' },
    });
    expect(created.secret).toMatch(/^whsec_/);

    const listed = await run('endpoints', 'ls', '--json');
    expect(listed.code).toBe(0);
    const endpoints = JSON.parse(listed.stdout) as Endpoint[];
    expect(endpoints.find((e) => e.id === created.id)).toMatchObject({
      url,
      event_types: ['order.*', 'user.created'],
    });

    const table = await run('endpoints', 'ls');
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+TYPE\s+URL\s+EVENTS\s+STATE\s+DESCRIPTION$/);
    expect(table.stdout).toMatch(
      new RegExp(`${created.id}\\s+http\\s+${url}\\s+order\\.\\*,user\\.created\\s+enabled`),
    );

    const rotated = await run('endpoints', 'rotate', created.id);
    expect(rotated.code).toBe(0);
    const key = /New signing secret for ep_\w+: (whsec_\S+)\n$/.exec(rotated.stdout)?.[1];
    expect(await client.endpoints.getSecret(created.id)).toEqual({ key });

    expect(await run('endpoints', 'rm', created.id)).toMatchObject({
      code: 0,
      stdout: `${created.id} deleted\n`,
    });
    await expect(client.endpoints.get(created.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  test('add prints the id and the signing secret', async () => {
    const result = await run('endpoints', 'add', 'https://example.com/plain');
    expect(result.code).toBe(0);
    const [, id, secret] =
      /^(ep_\w+) created for https:\/\/example\.com\/plain \(events: \*\)\nSigning secret: (whsec_\S+)\n$/.exec(
        result.stdout,
      ) ?? [];
    expect(await client.endpoints.getSecret(id!)).toEqual({ key: secret });
  });

  test('add --signature v1a prints the public key; rotate prints the new one; a bad scheme is refused', async () => {
    const result = await run('endpoints', 'add', 'https://example.com/v1a', '--signature', 'v1a');
    expect(result.code).toBe(0);
    const [, id, key] =
      /^(ep_\w+) created for https:\/\/example\.com\/v1a \(events: \*\)\nPublic key \(receivers verify with it\): (whpk_\S+)\n$/.exec(
        result.stdout,
      ) ?? [];
    expect(await client.endpoints.get(id!)).toMatchObject({ signature: 'v1a', public_key: key });
    const rotated = await run('endpoints', 'rotate', id!);
    expect(rotated.stdout).toMatch(
      new RegExp(`^New public key \\(receivers verify with it\\) for ${id!}: whpk_\\S+\n$`),
    );
    expect(
      (await run('endpoints', 'add', 'https://example.com/v2', '--signature', 'v2')).code,
    ).not.toBe(0);
  });

  test('add --oauth2-… and --client-cert/--client-key set the auth; the secrets are not shown', async () => {
    const oauth2 = await run(
      'endpoints',
      'add',
      'https://example.com/oauth2',
      '--oauth2-token-url',
      'https://auth.example.com/token',
      '--oauth2-client-id',
      'hookline',
      '--oauth2-client-secret',
      'cli-client-secret',
      '--oauth2-scope',
      'webhooks',
      '--json',
    );
    expect(oauth2.code).toBe(0);
    expect(oauth2.stdout).not.toContain('cli-client-secret');
    const { id } = JSON.parse(oauth2.stdout) as CreatedEndpoint;
    expect((await client.endpoints.get(id)).auth).toEqual({
      type: 'oauth2_client_credentials',
      token_url: 'https://auth.example.com/token',
      client_id: 'hookline',
      scope: 'webhooks',
      audience: null,
    });

    const pki = makeTestPki();
    const dir = mkdtempSync(path.join(tmpdir(), 'hookline-cli-'));
    try {
      writeFileSync(path.join(dir, 'client.pem'), pki.client.certificate);
      writeFileSync(path.join(dir, 'client.key'), pki.client.key);
      const mtls = await run(
        'endpoints',
        'add',
        'https://example.com/mtls',
        '--client-cert',
        path.join(dir, 'client.pem'),
        '--client-key',
        path.join(dir, 'client.key'),
        '--json',
      );
      expect(mtls.code).toBe(0);
      const created = JSON.parse(mtls.stdout) as CreatedEndpoint;
      expect(created.auth).toMatchObject({
        type: 'client_certificate',
        certificate_fingerprint: new X509Certificate(pki.client.certificate).fingerprint256,
      });
      expect(mtls.stdout).not.toContain('PRIVATE KEY');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('add with half an auth, or both kinds, is a usage error', async () => {
    expectOneLineFailure(
      await run('endpoints', 'add', 'https://example.com/half', '--oauth2-client-id', 'x'),
      2,
      /needs --oauth2-token-url/,
    );
    expectOneLineFailure(
      await run(
        'endpoints',
        'add',
        'https://example.com/both',
        '--oauth2-token-url',
        'https://auth.example.com/token',
        '--oauth2-client-id',
        'x',
        '--oauth2-client-secret',
        'y',
        '--client-cert',
        __filename,
        '--client-key',
        __filename,
      ),
      2,
      /not both/,
    );
  });

  test('add --ordering orders the endpoint and show prints it; update --ordering changes it, none removes it', async () => {
    const added = await run(
      'endpoints',
      'add',
      'https://example.com/ordered',
      '--ordering',
      'resource',
      '--json',
    );
    expect(added.code).toBe(0);
    const { id, ordering } = JSON.parse(added.stdout) as CreatedEndpoint;
    expect(ordering).toEqual({ key: 'resource' });
    expect((await client.endpoints.get(id)).ordering).toEqual({ key: 'resource' });
    const shown = await run('endpoints', 'show', id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Ordering\s+resource \(a line per event's resource\.id\)$/m);

    const tenant = await run('endpoints', 'update', id, '--ordering', 'tenant');
    expect(tenant.code).toBe(0);
    expect(tenant.stdout).toMatch(/^Ordering\s+tenant\b/m);
    expect((await client.endpoints.get(id)).ordering).toEqual({ key: 'tenant' });

    // Another setting leaves the ordering as it is.
    await run('endpoints', 'update', id, '--description', 'kept');
    expect(await client.endpoints.get(id)).toMatchObject({
      description: 'kept',
      ordering: { key: 'tenant' },
    });

    const none = await run('endpoints', 'update', id, '--ordering', 'none');
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^Ordering\s+none$/m);
    expect((await client.endpoints.get(id)).ordering).toBeNull();
  });

  test('an endpoint added without --ordering shows none', async () => {
    const { id } = await client.endpoints.create({ url: 'https://example.com/unordered' });
    expect((await run('endpoints', 'show', id)).stdout).toMatch(/^Ordering\s+none$/m);
  });

  test('an --ordering key that does not exist is a usage error (exit 2); nothing is sent', async () => {
    const { id, updated_at } = await client.endpoints.create({ url: 'https://example.com/kept' });
    const before = await client.endpoints.list({ limit: 250 }).toArray();
    expectOneLineFailure(
      await run('endpoints', 'add', 'https://example.com/badly-ordered', '--ordering', 'event'),
      2,
      /--ordering <key>' argument 'event' is invalid\. Allowed choices are endpoint, resource, tenant/,
    );
    expect(await client.endpoints.list({ limit: 250 }).toArray()).toEqual(before);
    expectOneLineFailure(
      await run('endpoints', 'update', id, '--ordering', 'null'),
      2,
      /Allowed choices are endpoint, resource, tenant, none/,
    );
    expect((await client.endpoints.get(id)).updated_at).toBe(updated_at);
  });

  test('ls --limit pages through the API and stops at the limit', async () => {
    await Promise.all(
      [1, 2, 3].map((i) => client.endpoints.create({ url: `https://example.com/limit/${i}` })),
    );
    const result = await run('endpoints', 'ls', '--json', '--limit', '2');
    expect(JSON.parse(result.stdout)).toHaveLength(2);
  });

  test('an invalid URL is one line naming the field (exit 1)', async () => {
    expectOneLineFailure(
      await run('endpoints', 'add', 'ftp://example.com'),
      1,
      /url: .*\(validation_failed, HTTP 422\)/,
    );
  });

  test('rm of an unknown endpoint is not_found (exit 1)', async () => {
    expectOneLineFailure(
      await run('endpoints', 'rm', newId('ep')),
      1,
      /not found \(not_found, HTTP 404\)/,
    );
  });
});

describe('deliveries and the dead letter', () => {
  test('deliveries show, dlq ls and dlq replay --endpoint', async () => {
    let status = 500;
    const rx = await receiver(() => status);
    try {
      const endpoint = await client.endpoints.create({ url: `${rx.url}/hook` });
      const traceId = randomBytes(16).toString('hex');
      const { id: eventId } = await client.events.publish({
        name: 'order.filled',
        data: {},
        endpoint_ids: [endpoint.id],
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      });
      const deliveryId = (await client.events.get(eventId)).deliveries[0]!.id;
      await waitFor(async () => (await client.deliveries.get(deliveryId)).status === 'dead', {
        message: 'the delivery to die',
      });
      await h.logged();

      const shown = await run('deliveries', 'show', deliveryId);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(
        new RegExp(
          `^Delivery\\s+${deliveryId}\\nStatus\\s+dead\\nEvent\\s+${eventId}\\nEndpoint\\s+${endpoint.id}\\nCreated\\s+\\S+\\nTrace\\s+${traceId}\\n`,
        ),
      );
      expect(shown.stdout).toMatch(
        /#\s+AT\s+RESULT\s+DURATION\s+RESPONSE\n1\s+\S+\s+500\s+\d+ ms\s+answered 500\n2\s+\S+\s+500/,
      );
      const json = JSON.parse(
        (await run('deliveries', 'show', deliveryId, '--json')).stdout,
      ) as Delivery;
      expect(json).toMatchObject({
        id: deliveryId,
        status: 'dead',
        attempts: [{ status_code: 500 }, { status_code: 500 }],
      });

      const listed = await run('dlq', 'ls', '--endpoint', endpoint.id);
      expect(listed.stdout).toMatch(
        new RegExp(
          `^ID\\s+ENDPOINT\\s+EVENT\\s+ATTEMPTS\\s+LAST\\s+CREATED\\n${deliveryId}\\s+${endpoint.id}\\s+${eventId}\\s+2\\s+500\\s`,
        ),
      );
      const dead = JSON.parse(
        (await run('dlq', 'ls', '--json', '--endpoint', endpoint.id)).stdout,
      ) as Delivery[];
      expect(dead.map((d) => d.id)).toEqual([deliveryId]);

      status = 204;
      expect(await run('dlq', 'replay', '--endpoint', endpoint.id)).toMatchObject({
        code: 0,
        stdout: 'Replayed 1 delivery\n',
      });
      await waitFor(async () => (await client.deliveries.get(deliveryId)).status === 'delivered', {
        message: 'the replay to deliver',
      });
      await h.logged();
      expect(await run('dlq', 'ls', '--endpoint', endpoint.id)).toMatchObject({
        code: 0,
        stdout: 'The dead letter is empty.\n',
      });
      expect(JSON.parse((await run('dlq', 'replay', '--json', deliveryId)).stdout)).toEqual({
        replayed: 0,
        dry_run: false,
      });
    } finally {
      await rx.close();
    }
  });

  test('deliveries ls searches by tenant, endpoint, status, name, resource, HTTP status and time', async () => {
    const ok = await receiver(() => 204);
    const failing = await receiver(() => 503);
    try {
      const tenant_id = 'cli-search';
      const okEndpoint = await client.endpoints.create({ url: `${ok.url}/hook`, tenant_id });
      const failingEndpoint = await client.endpoints.create({
        url: `${failing.url}/hook`,
        tenant_id,
      });
      const publish = async (name: string, resource: string) => {
        const { id } = await client.events.publish({
          name,
          data: {},
          tenant_id,
          resource: { resource_type: 'doc', id: resource },
        });
        const { deliveries } = await client.events.get(id);
        const to = (e: Endpoint) => deliveries.find((d) => d.endpoint_id === e.id)!.id;
        return { event: id, ok: to(okEndpoint), failing: to(failingEndpoint) };
      };
      const paid = await publish('invoice.paid', 'inv_c1');
      const middle = await momentBetween();
      const created = await publish('customer.created', 'cus_c1');
      for (const { ok: id } of [paid, created])
        await waitFor(async () => (await client.deliveries.get(id)).status === 'delivered', {
          message: `${id} to be delivered`,
        });
      for (const { failing: id } of [paid, created])
        await waitFor(async () => (await client.deliveries.get(id)).status === 'dead', {
          message: `${id} to die`,
        });
      await h.logged();

      const ids = async (...flags: string[]) =>
        (
          JSON.parse(
            (await run('deliveries', 'ls', '--json', '--tenant', tenant_id, ...flags)).stdout,
          ) as Delivery[]
        )
          .map((d) => d.id)
          .sort();
      const sorted = (...list: string[]) => list.sort();
      expect(await ids()).toEqual(sorted(paid.ok, paid.failing, created.ok, created.failing));
      expect(await ids('--status', 'dead')).toEqual(sorted(paid.failing, created.failing));
      expect(await ids('--name', 'invoice.*')).toEqual(sorted(paid.ok, paid.failing));
      expect(await ids('--name', 'customer.created')).toEqual(sorted(created.ok, created.failing));
      expect(await ids('--resource', 'cus_c1')).toEqual(sorted(created.ok, created.failing));
      expect(await ids('--http-status', '503')).toEqual(sorted(paid.failing, created.failing));
      expect(await ids('--since', middle)).toEqual(sorted(created.ok, created.failing));
      expect(await ids('--until', middle)).toEqual(sorted(paid.ok, paid.failing));
      expect(await ids('--since', '1h', '--status', 'delivered')).toEqual(
        sorted(paid.ok, created.ok),
      );
      expect(await ids('--until', '1h')).toEqual([]);

      const table = await run(
        'deliveries',
        'ls',
        '--tenant',
        tenant_id,
        '--endpoint',
        okEndpoint.id,
      );
      expect(table).toMatchObject({ code: 0, stderr: '' });
      expect(table.stdout).toMatch(
        new RegExp(
          `^ID\\s+STATUS\\s+ENDPOINT\\s+EVENT\\s+ATTEMPTS\\s+LAST\\s+CREATED\\n` +
            `${created.ok}\\s+delivered\\s+${okEndpoint.id}\\s+${created.event}\\s+1\\s+204\\s+\\S+\\n` +
            `${paid.ok}\\s+delivered\\s+${okEndpoint.id}\\s+${paid.event}\\s+1\\s+204\\s+\\S+\\n$`,
        ),
      );
      const limited = await run('deliveries', 'ls', '--tenant', tenant_id, '--limit', '1');
      expect(limited.stdout.split('\n')).toHaveLength(3); // the header, one row, the end
      expect(limited.stderr).toBe('(more than 1: --limit to see more)\n');
      expect(await run('deliveries', 'ls', '--tenant', 'cli-search-nobody')).toMatchObject({
        code: 0,
        stdout: 'No deliveries found.\n',
      });
    } finally {
      await ok.close();
      await failing.close();
    }
  });

  test('deliveries ls refuses a bad flag before asking (exit 2), and a bad filter is the API’s 422 (exit 1)', async () => {
    expectOneLineFailure(
      await run('deliveries', 'ls', '--status', 'lost'),
      2,
      /--status <status>' argument 'lost' is invalid\. Allowed choices are pending, delivered, failed, dead/,
    );
    expectOneLineFailure(
      await run('deliveries', 'ls', '--since', 'yesterday'),
      2,
      /--since <time>' argument 'yesterday' is invalid/,
    );
    expectOneLineFailure(await run('deliveries', 'ls', '--http-status', '99'), 2, /100 to 599/);
    expectOneLineFailure(
      await run('deliveries', 'ls', '--name', 'has spaces'),
      1,
      /name: .*\(validation_failed, HTTP 422\)/,
    );
  });

  test('dlq replay --dry-run counts and sends nothing; --since and --until replay that time only', async () => {
    let status = 500;
    const rx = await receiver(() => status);
    try {
      const endpoint = await client.endpoints.create({ url: `${rx.url}/hook` });
      const deadOne = async () => {
        const { id } = await client.events.publish({
          name: 'order.filled',
          data: {},
          endpoint_ids: [endpoint.id],
        });
        const deliveryId = (await client.events.get(id)).deliveries[0]!.id;
        await waitFor(async () => (await client.deliveries.get(deliveryId)).status === 'dead', {
          message: `${deliveryId} to die`,
        });
        return deliveryId;
      };
      const before = await deadOne();
      const middle = await momentBetween();
      const after = await deadOne();
      await h.logged();
      status = 204;

      expect(await run('dlq', 'replay', '--endpoint', endpoint.id, '--dry-run')).toMatchObject({
        code: 0,
        stdout: 'Would replay 2 deliveries (dry run: nothing sent)\n',
      });
      expect(
        JSON.parse(
          (
            await run(
              'dlq',
              'replay',
              '--json',
              '--endpoint',
              endpoint.id,
              '--since',
              middle,
              '--dry-run',
            )
          ).stdout,
        ),
      ).toEqual({ replayed: 1, dry_run: true });
      await h.logged();
      const dead = JSON.parse(
        (await run('dlq', 'ls', '--json', '--endpoint', endpoint.id)).stdout,
      ) as Delivery[];
      expect(dead.map((d) => d.id)).toEqual([after, before]);
      expect(rx.received).toHaveLength(4); // two attempts each, and no replay

      expect(
        await run('dlq', 'replay', '--endpoint', endpoint.id, '--until', middle),
      ).toMatchObject({
        code: 0,
        stdout: 'Replayed 1 delivery\n',
      });
      await waitFor(async () => (await client.deliveries.get(before)).status === 'delivered', {
        message: 'the replay before the middle to deliver',
      });
      expect((await client.deliveries.get(after)).status).toBe('dead');
      await h.logged();
      expect(
        await run('dlq', 'replay', '--endpoint', endpoint.id, '--since', middle),
      ).toMatchObject({
        code: 0,
        stdout: 'Replayed 1 delivery\n',
      });
      await waitFor(async () => (await client.deliveries.get(after)).status === 'delivered', {
        message: 'the replay after the middle to deliver',
      });
    } finally {
      await rx.close();
    }
  });

  test('deliveries show of an unknown delivery is not_found (exit 1)', async () => {
    expectOneLineFailure(
      await run('deliveries', 'show', newId('whd')),
      1,
      /\(not_found, HTTP 404\)/,
    );
  });
});

describe('keys', () => {
  test('reseal: every endpoint is under the first key already, and it says so (exit 0)', async () => {
    await client.endpoints.create({ url: 'http://127.0.0.1:1/reseal' });
    const endpoints = (await client.endpoints.list().toArray()).length;
    const result = await run('keys', 'reseal');
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: `Sealed again under the first key: 0 endpoint(s); already under it: ${endpoints}\n`,
    });
    expect(JSON.parse((await run('keys', 'reseal', '--json')).stdout)).toEqual({
      resealed: 0,
      already_current: endpoints,
    });
  });
});

describe('failures', () => {
  test('a bad API key exits 1 with one line on stderr', async () => {
    const result = await hookline(['endpoints', 'ls'], h.env({ HOOKLINE_API_KEY: 'wrong' }));
    expectOneLineFailure(
      result,
      1,
      /^hookline: a valid API key is required.*\(unauthorized, HTTP 401\)\n$/,
    );
  });

  test('--api-key and --url win over the environment', async () => {
    const result = await hookline(['endpoints', 'ls', '--json', '--api-key', 'wrong'], h.env());
    expectOneLineFailure(result, 1, /unauthorized/);
    const right = await hookline(
      ['endpoints', 'ls', '--json', '--url', h.url],
      h.env({ HOOKLINE_URL: 'http://127.0.0.1:1' }),
    );
    expect(right.code).toBe(0);
  });

  test('no API key at all is a usage error (exit 2)', async () => {
    expectOneLineFailure(
      await hookline(['endpoints', 'ls'], { HOOKLINE_URL: h.url }),
      2,
      /no API key: set HOOKLINE_API_KEY or pass --api-key/,
    );
  });

  test('an unreachable producer exits 1 with one line', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    expectOneLineFailure(
      await hookline(['send', 'a.b'], h.env({ HOOKLINE_URL: url })),
      1,
      new RegExp(`cannot reach Hookline at ${url}: .*ECONNREFUSED`),
    );
  });

  test('an unknown command is a usage error (exit 2) with a suggestion on the same line', async () => {
    expectOneLineFailure(await run('sned'), 2, /unknown command 'sned' \(Did you mean send\?\)/);
  });

  test('Ctrl-C ends a command that is waiting on the producer at once (exit 130)', async () => {
    let requests = 0;
    const silent = createServer(() => (requests += 1)); // takes the request, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const child = spawn(process.execPath, [MAIN, 'send', 'a.b'], {
        env: { PATH: process.env.PATH, ...h.env({ HOOKLINE_URL: url }) },
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code)),
      );
      await waitFor(() => requests === 1, { message: 'the send to reach the silent producer' });
      child.kill('SIGINT');
      expect(await exited).toBe(130);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
