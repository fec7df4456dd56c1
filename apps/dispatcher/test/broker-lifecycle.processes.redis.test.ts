import { randomUUID } from 'node:crypto';
import type { DeadLetterReplay, Delivery } from '@hookline/api';
import { waitFor } from '@hookline/core/testing';
import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { Webhook } from 'standardwebhooks';
import { Harness } from './harness';
import { Receiver } from './receiver';
import { spawnService, type Service } from './services';

// What an HTTP endpoint has, a broker endpoint has too, through real producer and dispatcher
// processes: a test send, retries into the dead letter with their attempt log, the operational
// report of the dead delivery, and its replay from the dead letter once the broker takes it.
const KEY = 'broker-lifecycle-key-'.padEnd(40, 'x');
const BROKER = 'amqp://guest:guest@127.0.0.1:5672/';

let h: Harness;
let admin: ChannelModel;
let channel: ConfirmChannel;
const services: Service[] = [];
const receivers: Receiver[] = [];
const exchange = `hookline-test-lifecycle-${randomUUID().slice(0, 8)}`;
const queue = `${exchange}-q`;

beforeAll(async () => {
  h = await Harness.create();
  admin = await connect(BROKER);
  channel = await admin.createConfirmChannel();
  await channel.assertExchange(exchange, 'topic', { durable: false });
  await channel.assertQueue(queue, { durable: false });
});
afterAll(async () => {
  for (const s of services) {
    s.child.kill('SIGKILL');
    await s.exited;
  }
  await Promise.all(receivers.map((r) => r.close()));
  await channel.deleteQueue(queue);
  await channel.deleteExchange(exchange);
  await admin.close();
  await h.close();
});

async function api<T>(producer: Service, method: string, path: string, body?: unknown) {
  const res = await fetch(producer.url(path), {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

test('a rabbitmq endpoint gets test sends, retries into the dead letter with a report, and a replay', async () => {
  const env = h.processEnv({ HOOKLINE_API_KEYS: KEY, HOOKLINE_RETRY_SCHEDULE: '50ms,100ms' });
  const producer = await spawnService('producer', env);
  services.push(producer);
  services.push(await spawnService('dispatcher', env));
  const reports = await Receiver.start();
  receivers.push(reports);
  expect(
    (
      await api(producer, 'POST', '/v1/endpoints', {
        url: reports.url(),
        event_types: ['hookline.delivery.dead'],
      })
    ).status,
  ).toBe(201);
  const created = await api<{ id: string; secret: string }>(producer, 'POST', '/v1/endpoints', {
    type: 'rabbitmq',
    url: BROKER,
    exchange,
    routing_key: 'hooks.{event}',
  });
  expect(created.status).toBe(201);
  const endpoint = created.body;
  const got: ConsumeMessage[] = [];
  await channel.consume(queue, (message) => {
    if (!message) return;
    got.push(message);
    channel.ack(message);
  });
  const verify = (message: ConsumeMessage) =>
    new Webhook(endpoint.secret).verify(
      message.content.toString(),
      message.properties.headers as Record<string, string>,
    ) as { name: string };

  // A test send, routed by its name.
  await channel.bindQueue(queue, exchange, 'hooks.#');
  const sent = await api<{ id: string }>(producer, 'POST', `/v1/endpoints/${endpoint.id}/test`, {
    name: 'ping.test',
  });
  expect(sent.status).toBe(202);
  await waitFor(() => got.length === 1, { message: 'the test send on the queue' });
  expect(got[0]!.fields.routingKey).toBe('hooks.ping.test');
  expect(verify(got[0]!).name).toBe('ping.test');

  // Nothing bound: every attempt comes back unroutable, and the delivery dies after three.
  await channel.unbindQueue(queue, exchange, 'hooks.#');
  const published = await api<{ id: string }>(producer, 'POST', '/v1/events', {
    name: 'order.paid',
    data: { n: 1 },
  });
  expect(published.status).toBe(202);
  const event = await api<{ deliveries: { id: string; endpoint_id: string }[] }>(
    producer,
    'GET',
    `/v1/events/${published.body.id}`,
  );
  const deliveryId = event.body.deliveries.find((d) => d.endpoint_id === endpoint.id)!.id;
  const read = async () =>
    (await api<Delivery>(producer, 'GET', `/v1/deliveries/${deliveryId}`)).body;
  await waitFor(async () => (await read()).status === 'dead', { message: 'the delivery dead' });
  const dead = await read();
  expect(dead.attempts.map((a) => [a.error, a.status_code])).toEqual([
    ['unroutable', null],
    ['unroutable', null],
    ['unroutable', null],
  ]);
  await waitFor(() => reports.received.some((r) => r.body.includes(deliveryId)), {
    message: 'the dead delivery reported',
  });
  const report = JSON.parse(reports.received.find((r) => r.body.includes(deliveryId))!.body) as {
    name: string;
    data: { endpoint_id: string; attempts: number; last_error: string };
  };
  expect(report).toMatchObject({
    name: 'hookline.delivery.dead',
    data: { endpoint_id: endpoint.id, attempts: 3, last_error: 'unroutable' },
  });
  expect(got).toHaveLength(1);

  // The dead letter is the log's, which lists a settled delivery within about a second of its
  // read by id (docs/api.md): replay once it is there.
  await waitFor(
    async () =>
      (
        await api<{ data: { id: string }[] }>(
          producer,
          'GET',
          `/v1/dead-letter?endpoint_id=${endpoint.id}`,
        )
      ).body.data.some((d) => d.id === deliveryId),
    { message: 'the delivery in the dead letter' },
  );

  // Bound again, the replay delivers it: the fourth attempt, the same webhook-id.
  await channel.bindQueue(queue, exchange, 'hooks.#');
  const replay: DeadLetterReplay = { endpoint_id: endpoint.id };
  const replayed = await api<{ replayed: number }>(
    producer,
    'POST',
    '/v1/dead-letter/replay',
    replay,
  );
  expect(replayed.body.replayed).toBe(1);
  await waitFor(() => got.length === 2, { message: 'the replayed delivery on the queue' });
  const headers = got[1]!.properties.headers as Record<string, string>;
  expect(headers['webhook-id']).toBe(deliveryId);
  expect(headers['webhook-attempt']).toBe('4');
  expect(got[1]!.fields.routingKey).toBe('hooks.order.paid');
  expect(verify(got[1]!).name).toBe('order.paid');
  await waitFor(async () => (await read()).status === 'delivered', {
    message: 'the delivery delivered',
  });
});
