import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { EndpointPatch, type Delivery } from '@hookline/api';
import { createLogger, deliveryIdFor } from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { Webhook } from 'standardwebhooks';
import { Harness } from './harness';
import { TcpProxy } from './tcp-proxy';

// The shared RabbitMQ of the test services (guest/guest); each test declares its own exchanges
// and queues under a unique name, and deletes them.
const BROKER = 'amqp://guest:guest@127.0.0.1:5672/';
const BROKER_PORT = 5672;

let h: Harness;
let admin: ChannelModel;
let channel: ConfirmChannel;
const exchanges: string[] = [];
const queues: string[] = [];
const proxies: TcpProxy[] = [];

const unique = (what: string) => `hookline-test-${what}-${randomUUID().slice(0, 8)}`;

async function exchange(type: 'topic' | 'direct'): Promise<string> {
  const name = unique('x');
  exchanges.push(name);
  await channel.assertExchange(name, type, { durable: false });
  return name;
}

async function queue(options: Record<string, unknown> = {}): Promise<string> {
  const name = unique('q');
  queues.push(name);
  await channel.assertQueue(name, { durable: true, arguments: options });
  return name;
}

/** Every message that reaches the queue, as it arrives. */
async function consume(name: string): Promise<ConsumeMessage[]> {
  const got: ConsumeMessage[] = [];
  await channel.consume(name, (message) => {
    if (!message) return;
    got.push(message);
    channel.ack(message);
  });
  return got;
}

async function proxy(): Promise<TcpProxy> {
  const started = await TcpProxy.start(BROKER_PORT);
  proxies.push(started);
  return started;
}

const settled = (d: Delivery) => d.status === 'delivered' || d.status === 'dead';

beforeAll(async () => {
  admin = await connect(BROKER);
  channel = await admin.createConfirmChannel();
});
afterAll(async () => {
  await admin.close();
});
afterEach(async () => {
  await h.close();
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  for (const name of queues.splice(0)) await channel.deleteQueue(name);
  for (const name of exchanges.splice(0)) await channel.deleteExchange(name);
});

test('events published to a rabbitmq endpoint arrive on the bound queue, signed so that standardwebhooks verifies them, with the routing key, headers and properties', async () => {
  h = await Harness.create();
  const x = await exchange('topic');
  const q = await queue();
  await channel.bindQueue(q, x, 'order.*');
  const got = await consume(q);
  const ep = await h.createEndpoint({
    type: 'rabbitmq',
    url: BROKER,
    exchange: x,
    headers: { 'X-Tenant': 't1' },
  });
  h.startDispatcher();
  const events = [
    await h.publish([ep.id], 'order.filled', { n: 1 }),
    await h.publish([ep.id], 'order.shipped', { n: 2 }),
  ];
  await waitFor(() => got.length === 2, { message: 'both messages on the queue' });

  for (const event of events) {
    const id = deliveryIdFor(event.event.id, ep.id);
    const message = got.find((m) => m.properties.messageId === id)!;
    expect(message).toBeDefined();
    const body = message.content.toString();
    expect(body).toBe(event.body);
    const headers = message.properties.headers as Record<string, string>;
    expect(new Webhook(ep.secrets[0]!.key).verify(body, headers)).toEqual(event.event);
    expect(headers['webhook-id']).toBe(id);
    expect(headers['webhook-attempt']).toBe('1');
    expect(headers['event-id']).toBe(event.event.id);
    expect(headers['X-Tenant']).toBe('t1');
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(message.fields.routingKey).toBe(event.event.name);
    expect(message.fields.exchange).toBe(x);
    expect(message.properties.deliveryMode).toBe(2);
    expect(message.properties.contentType).toBe('application/json');

    await h.logged();
    const delivery = await h.waitForDelivery(id, (d) => d.status === 'delivered');
    expect(delivery.attempts.map((a) => [a.number, a.status_code, a.error])).toEqual([
      [1, null, null],
    ]);
  }
});

test('a queue that refuses messages (full, reject-publish) makes every attempt a broker_nack, retried on the schedule until the delivery is dead', async () => {
  h = await Harness.create();
  const q = await queue({ 'x-max-length': 1, 'x-overflow': 'reject-publish' });
  await new Promise<void>((resolve, reject) =>
    channel.sendToQueue(q, Buffer.from('{}'), {}, (error: unknown) =>
      error ? reject(new Error('the queue did not take its first message')) : resolve(),
    ),
  );
  const ep = await h.createEndpoint({
    type: 'rabbitmq',
    url: BROKER,
    exchange: '',
    routing_key: q,
  });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const dead = await h.waitForDelivery(id, settled);
  expect(dead.status).toBe('dead');
  // 1 + the two retries of the harness's '50ms,100ms'.
  expect(dead.attempts.map((a) => [a.number, a.error, a.status_code])).toEqual([
    [1, 'broker_nack', null],
    [2, 'broker_nack', null],
    [3, 'broker_nack', null],
  ]);
  expect((await channel.checkQueue(q)).messageCount).toBe(1);
});

test('a message no queue is bound to take is unroutable, not delivered', async () => {
  h = await Harness.create();
  const x = await exchange('direct');
  const ep = await h.createEndpoint({ type: 'rabbitmq', url: BROKER, exchange: x });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const dead = await h.waitForDelivery(deliveryIdFor(event.event.id, ep.id), settled);
  expect(dead.status).toBe('dead');
  expect(dead.attempts.map((a) => a.error)).toEqual(['unroutable', 'unroutable', 'unroutable']);
  expect(dead.attempts[0]!.response_excerpt).toMatch(/NO_ROUTE/);
});

test('an exchange that does not exist is broker_refused with the broker’s words, and the retry after it is declared delivers', async () => {
  h = await Harness.create({ HOOKLINE_RETRY_SCHEDULE: Array(20).fill('250ms').join(',') });
  const x = unique('x');
  const ep = await h.createEndpoint({ type: 'rabbitmq', url: BROKER, exchange: x });
  h.startDispatcher();
  const event = await h.publish([ep.id]);
  const id = deliveryIdFor(event.event.id, ep.id);
  const refused = await h.waitForDelivery(id, (d) => d.attempts.length > 0);
  expect(refused.attempts[0]!.error).toBe('broker_refused');
  expect(refused.attempts[0]!.response_excerpt).toBe(`NOT_FOUND - no exchange '${x}' in vhost '/'`);

  exchanges.push(x);
  await channel.assertExchange(x, 'topic', { durable: false });
  const q = await queue();
  await channel.bindQueue(q, x, '#');
  const got = await consume(q);
  const delivered = await h.waitForDelivery(id, settled);
  expect(delivered.status).toBe('delivered');
  expect(got.map((m) => m.properties.messageId as unknown)).toEqual([id]);
  expect(delivered.attempts.at(-1)!.error).toBeNull();
  expect(new Set(delivered.attempts.slice(0, -1).map((a) => a.error))).toEqual(
    new Set(['broker_refused']),
  );
});

test('a wrong password is broker_auth, and the password is nowhere in the attempts, the logs or the metrics', async () => {
  const password = `Wrong-${randomUUID()}`;
  h = await Harness.create();
  const lines: string[] = [];
  const logger = createLogger('debug', 'dispatcher-test', { write: (line) => lines.push(line) });
  const ep = await h.createEndpoint({
    type: 'rabbitmq',
    url: `amqp://guest:${password}@127.0.0.1:${BROKER_PORT}/`,
    exchange: 'amq.topic',
  });
  const dispatcher = h.startDispatcher({ logger });
  const event = await h.publish([ep.id]);
  const dead = await h.waitForDelivery(deliveryIdFor(event.event.id, ep.id), settled);
  expect(dead.attempts.map((a) => a.error)).toEqual(['broker_auth', 'broker_auth', 'broker_auth']);
  expect(dead.attempts[0]!.response_excerpt).toMatch(/ACCESS_REFUSED/);
  await h.logged();
  const logged = await h.api.log.getDeliveries([dead.id]);
  const metrics = await dispatcher.metrics.registry.metrics();
  expect(metrics).toMatch(/result="broker_auth"/);
  expect(lines.join('\n')).toMatch(/RabbitMQ refused/);
  for (const text of [JSON.stringify(dead), JSON.stringify(logged), lines.join('\n'), metrics])
    expect(text).not.toContain(password);
});

test('one connection serves an endpoint’s deliveries; a changed URL closes it and the next deliveries use the new one', async () => {
  h = await Harness.create();
  const [first, second] = [await proxy(), await proxy()];
  const x = await exchange('topic');
  const q = await queue();
  await channel.bindQueue(q, x, '#');
  const got = await consume(q);
  const ep = await h.createEndpoint({
    type: 'rabbitmq',
    url: `amqp://guest:guest@127.0.0.1:${first.port}/`,
    exchange: x,
  });
  h.startDispatcher();
  const deliver = async (count: number) => {
    const events = await h.publishMany([ep.id], count);
    for (const e of events)
      expect((await h.waitForDelivery(deliveryIdFor(e.event.id, ep.id), settled)).status).toBe(
        'delivered',
      );
  };
  await deliver(10);
  await deliver(5);
  expect(first.accepted).toBe(1);

  await h.api.endpoints.update(
    ep.id,
    EndpointPatch.parse({ url: `amqp://guest:guest@127.0.0.1:${second.port}/` }),
  );
  await waitFor(() => first.openSockets === 0, { message: 'the old connection to close' });
  await deliver(5);
  expect(first.accepted).toBe(1);
  expect(second.accepted).toBe(1);
  expect(got).toHaveLength(20);
});

test('the broker’s name is resolved through the dispatcher’s resolver: a name it knows is connected to, one it does not is a dns failure', async () => {
  h = await Harness.create();
  const x = await exchange('topic');
  const q = await queue();
  await channel.bindQueue(q, x, '#');
  const got = await consume(q);
  const known = await h.createEndpoint({
    type: 'rabbitmq',
    url: `amqp://guest:guest@rabbit.hookline.test:${BROKER_PORT}/`,
    exchange: x,
  });
  const unknown = await h.createEndpoint({
    type: 'rabbitmq',
    url: `amqp://guest:guest@nowhere.hookline.test:${BROKER_PORT}/`,
    exchange: x,
  });
  h.startDispatcher({
    resolve: (hostname) =>
      hostname === 'rabbit.hookline.test'
        ? Promise.resolve([{ address: '127.0.0.1', family: 4 }])
        : Promise.reject(Object.assign(new Error(`no ${hostname}`), { code: 'ENOTFOUND' })),
  });
  const event = await h.publish([known.id, unknown.id]);
  const reached = await h.waitForDelivery(deliveryIdFor(event.event.id, known.id), settled);
  expect(reached.status).toBe('delivered');
  expect(got).toHaveLength(1);
  const failed = await h.waitForDelivery(deliveryIdFor(event.event.id, unknown.id), settled);
  expect(failed.attempts.map((a) => a.error)).toEqual(['dns', 'dns', 'dns']);
});

test('a broker that never answers is a timeout, and a port nobody listens on a connection failure', async () => {
  h = await Harness.create();
  // Takes connections and says nothing: the AMQP handshake never starts.
  const held = new Set<Socket>();
  const silent = createServer((socket) => {
    held.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  try {
    const mute = await h.createEndpoint({
      type: 'rabbitmq',
      url: `amqp://guest:guest@127.0.0.1:${(silent.address() as AddressInfo).port}/`,
    });
    const refusing = await h.createEndpoint({
      type: 'rabbitmq',
      url: `amqp://guest:guest@127.0.0.1:${closedPort}/`,
    });
    h.startDispatcher();
    const event = await h.publish([mute.id, refusing.id]);
    const timedOut = await h.waitForDelivery(deliveryIdFor(event.event.id, mute.id), settled);
    expect(timedOut.attempts.map((a) => a.error)).toEqual(['timeout', 'timeout', 'timeout']);
    const refused = await h.waitForDelivery(deliveryIdFor(event.event.id, refusing.id), settled);
    expect(refused.attempts.map((a) => a.error)).toEqual([
      'connection',
      'connection',
      'connection',
    ]);
  } finally {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});
