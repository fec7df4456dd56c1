import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createLogger, deliveryIdFor } from '@hookline/core';
import {
  connect,
  DiscardPolicy,
  type JetStreamManager,
  type JsMsg,
  type MsgHdrs,
  type NatsConnection,
} from 'nats';
import { Webhook } from 'standardwebhooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StoredEndpoint } from '@hookline/core';
import { makeTestPki } from '@hookline/core/testing-tls';
import { SpanKind } from '@opentelemetry/api';
import type { AttemptInput } from '../src/destinations/destination';
import { createNatsDestination, type NatsDestinationOptions } from '../src/destinations/nats';
import { natsSpan } from '../src/destinations/nats/span';
import { Harness } from './harness';
import { PrivateNatsServer } from '@hookline/core/testing-nats';

// JetStream destinations against a real NATS: the shared server on 127.0.0.1:4222 for what any
// test may do (its own streams and subjects, deleted after), a private nats-server for
// credentials. Each message is read back from its stream by a consumer.

const NATS_URL = 'nats://127.0.0.1:4222';

let h: Harness;
let nc: NatsConnection;
let jsm: JetStreamManager;
const streams: string[] = [];
const servers: PrivateNatsServer[] = [];

beforeAll(async () => {
  nc = await connect({ servers: '127.0.0.1:4222' });
  jsm = await nc.jetstreamManager();
});
afterAll(async () => {
  await nc.close();
});
beforeEach(async () => {
  h = await Harness.create();
});
afterEach(async () => {
  await h.close();
  for (const name of streams.splice(0)) await jsm.streams.delete(name).catch(() => undefined);
  for (const server of servers.splice(0)) await server.close();
});

/** A subject prefix and a stream name no other test uses. */
function unique() {
  const tag = randomBytes(6).toString('hex');
  return { prefix: `hookline-test.${tag}`, stream: `HOOKLINE_TEST_${tag}` };
}

async function createStream(
  name: string,
  subjects: string[],
  more: Parameters<JetStreamManager['streams']['add']>[0] = {},
) {
  await jsm.streams.add({ name, subjects, ...more });
  streams.push(name);
}

/** Every message the stream holds, read by an ordered consumer from its start. */
async function readStream(name: string, count: number): Promise<JsMsg[]> {
  const consumer = await nc.jetstream().consumers.get(name);
  const messages: JsMsg[] = [];
  const batch = await consumer.fetch({ max_messages: count, expires: 5_000 });
  for await (const m of batch) messages.push(m);
  return messages;
}

const headersOf = (h: MsgHdrs | undefined): Record<string, string> =>
  Object.fromEntries(h ? h.keys().map((k) => [k, h.get(k)]) : []);

/** A stream of its own, and a nats endpoint on the shared server publishing to its subjects. */
async function streamAndEndpoint(
  more: Parameters<JetStreamManager['streams']['add']>[0] = {},
  endpoint: Record<string, unknown> = {},
) {
  const { prefix, stream } = unique();
  await createStream(stream, [`${prefix}.>`], more);
  const ep = await h.createEndpoint({
    type: 'nats',
    url: NATS_URL,
    subject: `${prefix}.{event}`,
    ...endpoint,
  });
  return { prefix, stream, ep };
}

/** One attempt's input, white-box: as the pipeline would give it. */
function attemptInput(endpoint: StoredEndpoint, eventId: string, attempt = 1): AttemptInput {
  return {
    endpoint,
    deliveryId: deliveryIdFor(eventId, endpoint.id),
    eventId,
    eventName: 'order.filled',
    attempt,
    body: '{"n":1}',
    now: Date.now(),
    trace: { traceparent: `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01` },
  };
}

async function streamCount(name: string): Promise<number> {
  return (await jsm.streams.info(name)).state.messages;
}

test('events are published to the stream signed: a consumer reads each once, the public standardwebhooks library verifies it, the log says delivered with the stream and its sequence', async () => {
  const { prefix, stream, ep } = await streamAndEndpoint({}, { headers: { 'X-Tenant': 't1' } });
  h.startDispatcher();
  const first = await h.publish([ep.id], 'order.filled', { n: 1 });
  const second = await h.publish([ep.id], 'order.shipped', { n: 2 });
  const events = [first, second];
  const ids = events.map((e) => deliveryIdFor(e.event.id, ep.id));
  for (const id of ids) await h.waitForDelivery(id, (d) => d.status === 'delivered');

  const messages = await readStream(stream, 2);
  expect(messages).toHaveLength(2);
  const bySubject = new Map(messages.map((m) => [m.subject, m]));
  for (const [i, event] of events.entries()) {
    const m = bySubject.get(`${prefix}.${event.event.name}`)!;
    expect(m).toBeDefined();
    const body = new TextDecoder().decode(m.data);
    expect(body).toBe(event.body);
    const headers = headersOf(m.headers);
    expect(new Webhook(ep.secrets[0]!.key).verify(body, headers)).toEqual(event.event);
    expect(headers['webhook-id']).toBe(ids[i]);
    expect(headers['Nats-Msg-Id']).toBe(ids[i]);
    expect(headers['webhook-attempt']).toBe('1');
    expect(headers['event-id']).toBe(event.event.id);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['X-Tenant']).toBe('t1');
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  }
  for (const id of ids) {
    const delivery = (await h.deliveryStatus(id))!;
    expect(delivery.status).toBe('delivered');
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({ error: null, status_code: null });
    expect(delivery.attempts[0]!.response_excerpt).toMatch(
      new RegExp(`^stream ${stream} seq \\d+$`),
    );
  }
});

test('a second publish of the same delivery (a retry whose first ack was lost) is acknowledged as a duplicate and stored once', async () => {
  const { stream, ep } = await streamAndEndpoint();
  const endpoint = (await h.api.endpoints.get(ep.id))!;
  const destination = createNatsDestination({ allowInsecure: true, connectTimeoutMs: 2_000 });
  try {
    const once = await destination.attempt(attemptInput(endpoint, 'evt_dedup', 1));
    const twice = await destination.attempt(attemptInput(endpoint, 'evt_dedup', 2));
    expect(once).toMatchObject({
      verdict: { kind: 'delivered' },
      excerpt: `stream ${stream} seq 1`,
    });
    expect(twice).toMatchObject({
      verdict: { kind: 'delivered' },
      excerpt: `stream ${stream} seq 1 duplicate`,
    });
    expect(await streamCount(stream)).toBe(1);
    const [m] = await readStream(stream, 1);
    expect(m!.headers?.get('webhook-attempt')).toBe('1');
  } finally {
    await destination.close();
  }
});

test('with no stream taking the subject an attempt is unroutable and retried; once a stream takes it, the next retry delivers', async () => {
  h = await replaceHarness({ HOOKLINE_RETRY_SCHEDULE: Array(20).fill('200ms').join(',') });
  const { prefix, stream } = unique();
  const ep = await h.createEndpoint({ type: 'nats', url: NATS_URL, subject: `${prefix}.{event}` });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const failed = await h.waitForDelivery(id, (d) => d.attempts.length >= 1);
  expect(failed.attempts[0]).toMatchObject({ error: 'unroutable', status_code: null });
  expect(failed.status).not.toBe('dead');

  await createStream(stream, [`${prefix}.>`]);
  const delivery = await h.waitForDelivery(id, (d) => d.status === 'delivered');
  const errors = delivery.attempts.map((a) => a.error);
  expect(errors.at(-1)).toBeNull();
  expect(new Set(errors.slice(0, -1))).toEqual(new Set(['unroutable']));
  expect(await streamCount(stream)).toBe(1);
});

test('a stream that refuses (full, discarding new messages) fails every attempt with its reason, and the delivery goes dead after the configured attempts', async () => {
  const { prefix, stream, ep } = await streamAndEndpoint({
    max_msgs: 1,
    discard: DiscardPolicy.New,
  });
  await nc.jetstream().publish(`${prefix}.filler`, new TextEncoder().encode('{}'));
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const delivery = await h.waitForDelivery(id, (d) => d.status === 'dead');
  // The '50ms,100ms' schedule: the first attempt and two retries.
  expect(delivery.attempts.map((a) => a.error)).toEqual([
    'broker_nack',
    'broker_nack',
    'broker_nack',
  ]);
  expect(delivery.attempts[0]!.response_excerpt).toMatch(/maximum messages exceeded/);
  expect(await streamCount(stream)).toBe(1);
});

describe('credentials from the URL, on a private nats-server', () => {
  const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
  const TOKEN = `tok-${randomBytes(8).toString('hex')}`;

  /** The server, a stream on it, and an admin connection to create it with. */
  async function privateStream(
    args: string[],
    admin: { user?: string; pass?: string; token?: string },
  ) {
    const server = await PrivateNatsServer.start(args);
    servers.push(server);
    const { prefix, stream } = unique();
    const conn = await connect({ servers: `127.0.0.1:${server.port}`, ...admin });
    try {
      await (
        await conn.jetstreamManager()
      ).streams.add({ name: stream, subjects: [`${prefix}.>`] });
    } finally {
      await conn.close();
    }
    return { server, prefix };
  }

  /** A dispatcher whose log lines are kept, and what its deliveries and metrics show. */
  async function run(url: string, subject: string) {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const dispatcher = h.startDispatcher({ logger: createLogger('debug', 'nats-test', sink) });
    const ep = await h.createEndpoint({ type: 'nats', url, subject });
    const event = await h.publish([ep.id]);
    const id = deliveryIdFor(event.event.id, ep.id);
    const delivery = await h.waitForDelivery(
      id,
      (d) => d.status === 'delivered' || d.status === 'dead',
    );
    const shown = JSON.stringify(await h.api.endpoints.get(ep.id).then((e) => e?.url));
    const metrics = await dispatcher.metrics.registry.metrics();
    return {
      delivery,
      everything: [JSON.stringify(delivery), lines.join(''), metrics, shown].join('\n'),
    };
  }

  test('a user and password deliver; a wrong password fails as broker_auth, and the password is nowhere in the attempts, logs or metrics', async () => {
    const { server, prefix } = await privateStream(['--user', 'hookline', '--pass', PASSWORD], {
      user: 'hookline',
      pass: PASSWORD,
    });
    const right = await run(
      `nats://hookline:${PASSWORD}@127.0.0.1:${server.port}`,
      `${prefix}.{event}`,
    );
    expect(right.delivery.status).toBe('delivered');

    const wrong = `wrong-${PASSWORD}`;
    const refused = await run(
      `nats://hookline:${wrong}@127.0.0.1:${server.port}`,
      `${prefix}.{event}`,
    );
    expect(refused.delivery.status).toBe('dead');
    expect(refused.delivery.attempts.map((a) => a.error)).toEqual([
      'broker_auth',
      'broker_auth',
      'broker_auth',
    ]);
    expect(refused.everything).not.toContain(wrong);
    expect(right.everything + refused.everything).not.toContain(PASSWORD);
  });

  test('a token delivers; a wrong token fails as broker_auth, and it is nowhere in the attempts, logs or metrics', async () => {
    const { server, prefix } = await privateStream(['--auth', TOKEN], { token: TOKEN });
    const right = await run(`nats://${TOKEN}@127.0.0.1:${server.port}`, `${prefix}.{event}`);
    expect(right.delivery.status).toBe('delivered');

    const wrong = `wrong-${TOKEN}`;
    const refused = await run(`nats://${wrong}@127.0.0.1:${server.port}`, `${prefix}.{event}`);
    expect(refused.delivery.attempts.map((a) => a.error)).toEqual([
      'broker_auth',
      'broker_auth',
      'broker_auth',
    ]);
    expect(right.everything + refused.everything).not.toContain(TOKEN);
  });
});

describe('where a connection goes: the address policy at connect time, and TLS verified against the name', () => {
  const resolveTo127 = (hostname: string) =>
    hostname.endsWith('.test') || hostname === 'localhost'
      ? Promise.resolve([{ address: '127.0.0.1', family: 4 }])
      : Promise.reject(Object.assign(new Error(`no such name ${hostname}`), { code: 'ENOTFOUND' }));

  /** One attempt of a fresh destination to `url` (the endpoint's subject goes to a stream of its own). */
  async function attemptTo(url: string, options: Partial<NatsDestinationOptions> = {}) {
    const { ep } = await streamAndEndpoint();
    const endpoint = { ...(await h.api.endpoints.get(ep.id))!, broker_url: url };
    const destination = createNatsDestination({
      allowInsecure: true,
      connectTimeoutMs: 2_000,
      resolve: resolveTo127,
      ...options,
    });
    try {
      return await destination.attempt(
        attemptInput(endpoint, `evt_${randomBytes(4).toString('hex')}`),
      );
    } finally {
      await destination.close();
    }
  }

  test('a name is resolved through the dispatcher’s resolver and the connection goes to the address it gave', async () => {
    const result = await attemptTo('nats://broker.test:4222');
    expect(result.verdict).toEqual({ kind: 'delivered' });
  });

  test('without HOOKLINE_ALLOW_INSECURE_URLS a name resolving to a loopback address, or the address itself, is ssrf_blocked', async () => {
    for (const url of ['nats://broker.test:4222', 'nats://127.0.0.1:4222']) {
      expect(await attemptTo(url, { allowInsecure: false })).toMatchObject({
        error: 'ssrf_blocked',
        verdict: { kind: 'retry' },
        gate: 'neutral',
      });
    }
  });

  test('a name that does not resolve is dns; a refused connection is connection', async () => {
    expect((await attemptTo('nats://nowhere.invalid:4222')).error).toBe('dns');
    const closed = await PrivateNatsServer.start();
    await closed.close();
    expect((await attemptTo(`nats://127.0.0.1:${closed.port}`)).error).toBe('connection');
  });

  test('tls:// verifies the certificate against the name in the URL though the socket goes to its address', async () => {
    const pki = makeTestPki();
    const dir = mkdtempSync(path.join(tmpdir(), 'hookline-nats-tls-'));
    writeFileSync(path.join(dir, 'cert.pem'), pki.server.certificate);
    writeFileSync(path.join(dir, 'key.pem'), pki.server.key);
    const server = await PrivateNatsServer.start([
      '--tls',
      '--tlscert',
      path.join(dir, 'cert.pem'),
      '--tlskey',
      path.join(dir, 'key.pem'),
    ]);
    servers.push(server);
    const ca = pki.ca.certificate;
    // The certificate names localhost: through the resolver to 127.0.0.1, it verifies.
    const url = (host: string) => `tls://${host}:${server.port}`;
    expect((await attemptTo(url('localhost'), { ca })).error).toBe('unroutable');
    // Another name, to the same address: the certificate does not name it.
    expect((await attemptTo(url('broker.test'), { ca })).error).toBe('tls');
    // A CA that did not sign it.
    expect((await attemptTo(url('localhost'), { ca: pki.otherCa.certificate })).error).toBe('tls');
    // A server that offers no TLS at all.
    expect((await attemptTo('tls://localhost:4222', { ca })).error).toBe('tls');
    rmSync(dir, { recursive: true, force: true });
  });
});

test('the span is a producer span named after the subject as configured, in the messaging conventions, with no credentials', () => {
  const shape = natsSpan({
    url: 'tls://nats.example.com:4443,tls://b.example.com',
    subject: 'orders.{event}',
  } as StoredEndpoint);
  expect(shape).toEqual({
    name: 'publish orders.{event}',
    kind: SpanKind.PRODUCER,
    attributes: {
      'messaging.system': 'nats',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': 'orders.{event}',
      'server.address': 'nats.example.com',
      'server.port': 4443,
    },
  });
});

/** This test's harness, replaced by one with `env`. */
async function replaceHarness(env: Record<string, string>): Promise<Harness> {
  await h.close();
  return Harness.create(env);
}
