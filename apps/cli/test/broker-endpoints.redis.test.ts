import type { CreatedEndpoint, Endpoint, Hookline } from '@hookline/client';
import { freePort } from '@hookline/core/testing';
import { expectOneLineFailure, Harness, hookline, requireBuild, type Result } from './harness';

// `hookline endpoints add | update | show | ls` with RabbitMQ and NATS endpoints, as child
// processes against the real producer: the type from the URL, each type's own options, and a
// broker password that never comes back out.

let h: Harness;
let client: Hookline;

beforeAll(async () => {
  requireBuild();
  h = await Harness.start('cli-brk');
  client = h.client();
});
afterAll(() => h.close());

const PASSWORD = 'cli-broker-pa55';

/** Runs the CLI; nothing it prints, on either stream, holds the broker password. */
async function run(...args: string[]): Promise<Result> {
  const result = await hookline(args, h.env());
  expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  return result;
}

test('add infers rabbitmq from amqp://, takes --exchange and --routing-key, and prints no password', async () => {
  const added = await run(
    'endpoints',
    'add',
    `amqp://hookline:${PASSWORD}@127.0.0.1:5672/orders`,
    '--exchange',
    'webhooks',
    '--routing-key',
    'hooks.{event}',
  );
  expect(added.code).toBe(0);
  const [, id] =
    /^(ep_\w+) created for amqp:\/\/hookline@127\.0\.0\.1:5672\/orders \(rabbitmq exchange webhooks, routing key hooks\.\{event\}; events: \*\)\nSigning secret: whsec_\S+\n$/.exec(
      added.stdout,
    ) ?? [];
  expect(await client.endpoints.get(id!)).toMatchObject({
    type: 'rabbitmq',
    exchange: 'webhooks',
    routing_key: 'hooks.{event}',
    subject: null,
  });

  const shown = await run('endpoints', 'show', id!);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toMatch(new RegExp(`^Endpoint\\s+${id!}\n`));
  expect(shown.stdout).toMatch(/^Type\s+rabbitmq$/m);
  expect(shown.stdout).toMatch(/^URL\s+amqp:\/\/hookline@127\.0\.0\.1:5672\/orders$/m);
  expect(shown.stdout).toMatch(/^Exchange\s+webhooks$/m);
  expect(shown.stdout).toMatch(/^Routing key\s+hooks\.\{event\}$/m);
  expect(shown.stdout).not.toMatch(/^(Subject|Authentication)/m);

  const json = await run('endpoints', 'show', id!, '--json');
  expect(JSON.parse(json.stdout)).toEqual(await client.endpoints.get(id!));
});

test('add --json of a rabbitmq endpoint with the defaults: the default exchange, {event}', async () => {
  const added = await run('endpoints', 'add', `amqps://u:${PASSWORD}@mq.example.com`, '--json');
  expect(added.code).toBe(0);
  expect(JSON.parse(added.stdout)).toMatchObject({
    type: 'rabbitmq',
    url: 'amqps://u@mq.example.com',
    exchange: '',
    routing_key: '{event}',
  });
  const { id } = JSON.parse(added.stdout) as CreatedEndpoint;
  expect((await run('endpoints', 'show', id)).stdout).toMatch(/^Exchange\s+\(default\)$/m);
});

test('add infers nats from nats:// (servers comma-separated) and needs --subject', async () => {
  const url = `nats://t0k-${PASSWORD}@127.0.0.1:4222,nats://hookline:${PASSWORD}@127.0.0.2:4222`;
  const added = await run('endpoints', 'add', url, '--subject', 'hooks.{event}', '--json');
  expect(added.code).toBe(0);
  const created = JSON.parse(added.stdout) as CreatedEndpoint;
  expect(created).toMatchObject({
    type: 'nats',
    url: 'nats://127.0.0.1:4222,nats://hookline@127.0.0.2:4222',
    subject: 'hooks.{event}',
  });
  const shown = await run('endpoints', 'show', created.id);
  expect(shown.stdout).toMatch(/^Type\s+nats$/m);
  expect(shown.stdout).toMatch(/^Subject\s+hooks\.\{event\}$/m);

  const tls = await run('endpoints', 'add', 'tls://n.example.com:4222', '--subject', 's', '--json');
  expect(JSON.parse(tls.stdout)).toMatchObject({ type: 'nats', url: 'tls://n.example.com:4222' });
});

test('ls shows each endpoint with its type, and where a broker endpoint publishes', async () => {
  const http = await client.endpoints.create({ url: 'https://example.com/ls' });
  const rabbit = await client.endpoints.create({
    type: 'rabbitmq',
    url: `amqp://u:${PASSWORD}@127.0.0.1:5672`,
    exchange: 'ls-x',
  });
  const nats = await client.endpoints.create({
    type: 'nats',
    url: 'nats://127.0.0.1:4222',
    subject: 'ls.{event}',
  });
  await h.logged();
  for (const command of ['ls', 'list']) {
    const listed = await run('endpoints', command);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(
      /^ID\s+TYPE\s+URL\s+PUBLISHES TO\s+EVENTS\s+STATE\s+DESCRIPTION$/,
    );
    expect(listed.stdout).toMatch(
      new RegExp(`^${http.id}\\s+http\\s+https://example\\.com/ls\\s+-\\s+\\*\\s+enabled`, 'm'),
    );
    expect(listed.stdout).toMatch(
      new RegExp(
        `^${rabbit.id}\\s+rabbitmq\\s+amqp://u@127\\.0\\.0\\.1:5672\\s+exchange ls-x, routing key \\{event\\}\\s+\\*`,
        'm',
      ),
    );
    expect(listed.stdout).toMatch(
      new RegExp(
        `^${nats.id}\\s+nats\\s+nats://127\\.0\\.0\\.1:4222\\s+subject ls\\.\\{event\\}`,
        'm',
      ),
    );
  }
});

test('--type wins over the scheme: the API then judges the URL by that type', async () => {
  expectOneLineFailure(
    await run('endpoints', 'add', 'https://example.com/x', '--type', 'rabbitmq'),
    1,
    /url: .*\(validation_failed, HTTP 422\)/,
  );
  const explicit = await run(
    'endpoints',
    'add',
    'amqp://127.0.0.1:5672',
    '--type',
    'rabbitmq',
    '--json',
  );
  expect(JSON.parse(explicit.stdout)).toMatchObject({ type: 'rabbitmq' });
  expect((await run('endpoints', 'add', 'https://example.com/x', '--type', 'kafka')).code).toBe(2);
});

describe('an option of another type is a usage error before any request', () => {
  // A producer nobody listens on: a request would be a connection failure (exit 1), not exit 2.
  let nowhere: Record<string, string>;
  beforeAll(async () => {
    nowhere = h.env({ HOOKLINE_URL: `http://127.0.0.1:${await freePort()}` });
  });

  test.each([
    [
      ['https://example.com/h', '--exchange', 'x'],
      /--exchange is for rabbitmq endpoints only, and this one is http/,
    ],
    [
      ['https://example.com/h', '--subject', 's'],
      /--subject is for nats endpoints only, and this one is http/,
    ],
    [
      [`amqp://u:${PASSWORD}@127.0.0.1`, '--subject', 's'],
      /--subject is for nats endpoints only, and this one is rabbitmq/,
    ],
    [
      ['nats://127.0.0.1:4222', '--subject', 's', '--routing-key', 'k'],
      /--routing-key is for rabbitmq endpoints only, and this one is nats/,
    ],
    [
      [`amqp://u:${PASSWORD}@127.0.0.1`, '--oauth2-client-id', 'x'],
      /--oauth2-client-id is for http endpoints only, and this one is rabbitmq/,
    ],
    [
      ['nats://127.0.0.1:4222', '--subject', 's', '--client-cert', __filename],
      /--client-cert is for http endpoints only, and this one is nats/,
    ],
    [['https://example.com/h', '--type', 'nats'], /a nats endpoint needs --subject/],
    [['nats://127.0.0.1:4222'], /a nats endpoint needs --subject/],
  ])('add %j', async (args, message) => {
    const result = await hookline(['endpoints', 'add', ...args], nowhere);
    expect(result.stderr).not.toContain(PASSWORD);
    expectOneLineFailure(result, 2, message);
  });
});

describe('update', () => {
  test("changes a rabbitmq endpoint's exchange and routing key, keeping its password", async () => {
    const created = await client.endpoints.create({
      type: 'rabbitmq',
      url: `amqp://hookline:${PASSWORD}@127.0.0.1:5672`,
    });
    const updated = await run(
      'endpoints',
      'update',
      created.id,
      '--exchange',
      'amq.topic',
      '--routing-key',
      'orders.{event}',
      '--description',
      'orders bus',
    );
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(/^Exchange\s+amq\.topic$/m);
    expect(updated.stdout).toMatch(/^Routing key\s+orders\.\{event\}$/m);
    expect(updated.stdout).toMatch(/^Description\s+orders bus$/m);
    const stored = await h.storedEndpoint(created.id);
    expect(stored?.broker_url).toBe(`amqp://hookline:${PASSWORD}@127.0.0.1:5672`);

    // A new URL replaces the credentials with its own.
    const moved = await run(
      'endpoints',
      'update',
      created.id,
      '--endpoint-url',
      `amqp://other:${PASSWORD}x@127.0.0.1:5672/vh`,
      '--json',
    );
    expect(JSON.parse(moved.stdout)).toMatchObject({ url: 'amqp://other@127.0.0.1:5672/vh' });
    expect((await h.storedEndpoint(created.id))?.broker_url).toBe(
      `amqp://other:${PASSWORD}x@127.0.0.1:5672/vh`,
    );
  });

  test("changes a nats endpoint's subject, and can disable and enable it", async () => {
    const created = await client.endpoints.create({
      type: 'nats',
      url: 'nats://127.0.0.1:4222',
      subject: 'a',
    });
    const updated = await run(
      'endpoints',
      'update',
      created.id,
      '--subject',
      'b.{event}',
      '--disable',
    );
    expect(updated.code).toBe(0);
    expect(await client.endpoints.get(created.id)).toMatchObject({
      subject: 'b.{event}',
      disabled: true,
    });
    await run('endpoints', 'update', created.id, '--enable');
    expect((await client.endpoints.get(created.id)).disabled).toBe(false);
  });

  test('an option of the wrong type is refused, and nothing changes', async () => {
    const rabbit = await client.endpoints.create({ type: 'rabbitmq', url: 'amqp://127.0.0.1' });
    const http = await client.endpoints.create({ url: 'https://example.com/u' });
    const refusals: [Endpoint, string[], RegExp][] = [
      [
        rabbit,
        ['--subject', 's', '--description', 'no'],
        /--subject is for nats endpoints only, and this one is rabbitmq/,
      ],
      [
        http,
        ['--routing-key', 'k'],
        /--routing-key is for rabbitmq endpoints only, and this one is http/,
      ],
      [
        http,
        ['--endpoint-url', 'nats://127.0.0.1:4222', '--exchange', 'x'],
        /--exchange is for rabbitmq endpoints only, and this one is nats/,
      ],
      [rabbit, ['--exchange', 'x', '--subject', 's'], /one type, which never changes/],
      [rabbit, [], /nothing to change/],
      [rabbit, ['--enable', '--disable'], /not both/],
    ];
    for (const [endpoint, args, message] of refusals)
      expectOneLineFailure(await run('endpoints', 'update', endpoint.id, ...args), 2, message);
    expect(await client.endpoints.get(rabbit.id)).toMatchObject({
      description: '',
      exchange: '',
      updated_at: rabbit.updated_at,
    });
    expect((await client.endpoints.get(http.id)).updated_at).toBe(http.updated_at);
  });

  test("a URL of another type's scheme is the API's refusal (exit 1)", async () => {
    const rabbit = await client.endpoints.create({ type: 'rabbitmq', url: 'amqp://127.0.0.1' });
    expectOneLineFailure(
      await run('endpoints', 'update', rabbit.id, '--endpoint-url', 'https://example.com/'),
      1,
      /url: .*\(validation_failed, HTTP 422\)/,
    );
  });
});
