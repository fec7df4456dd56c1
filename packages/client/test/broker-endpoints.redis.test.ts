import type {
  Endpoint,
  EndpointCreateParams,
  Hookline,
  NatsEndpointCreateParams,
  RabbitMqEndpointCreateParams,
} from '../src';
import { apiError, Harness } from './harness';

// Endpoints of each type through the client, against the real producer and the real Redis: what
// they are created with, what reading them shows, and what updating them may change.

let h: Harness;
let hookline: Hookline;

beforeAll(async () => {
  h = await Harness.start('client-broker');
  hookline = h.client();
});
afterAll(() => h.close());

const PASSWORD = 'client-broker-pass';

test('an http endpoint is created without a type, and reads back as http with no broker fields', async () => {
  const created = await hookline.endpoints.create({ url: 'https://example.com/typed' });
  expect(created).toMatchObject({
    type: 'http',
    exchange: null,
    routing_key: null,
    subject: null,
  });
});

test('a rabbitmq endpoint: created with its exchange and routing key, its password never shown', async () => {
  const params: RabbitMqEndpointCreateParams = {
    type: 'rabbitmq',
    url: `amqp://hookline:${PASSWORD}@127.0.0.1:5672/orders`,
    exchange: 'webhooks',
    routing_key: 'hooks.{event}',
    headers: { 'X-Team': 'payments' },
  };
  const created = await hookline.endpoints.create(params);
  expect(created).toMatchObject({
    type: 'rabbitmq',
    url: 'amqp://hookline@127.0.0.1:5672/orders',
    exchange: 'webhooks',
    routing_key: 'hooks.{event}',
    subject: null,
    auth: null,
    headers: { 'X-Team': 'payments' },
  });
  expect(created.secret).toMatch(/^whsec_/);

  const read: Endpoint = await hookline.endpoints.get(created.id);
  const listed = await hookline.endpoints.list({ limit: 250 }).toArray();
  expect(listed.find((e) => e.id === created.id)).toEqual(read);
  for (const shown of [created, read, listed])
    expect(JSON.stringify(shown)).not.toContain(PASSWORD);

  // The defaults: the broker's default exchange, the event's name as the routing key.
  const defaults = await hookline.endpoints.create({
    type: 'rabbitmq',
    url: 'amqp://127.0.0.1:5672',
  });
  expect(defaults).toMatchObject({ exchange: '', routing_key: '{event}' });
});

test('a nats endpoint: created with its servers and subject, its token never shown', async () => {
  const params: NatsEndpointCreateParams = {
    type: 'nats',
    url: `nats://t0ken-${PASSWORD}@127.0.0.1:4222,nats://127.0.0.2:4222`,
    subject: 'hooks.{event}',
  };
  const created = await hookline.endpoints.create(params);
  expect(created).toMatchObject({
    type: 'nats',
    url: 'nats://127.0.0.1:4222,nats://127.0.0.2:4222',
    subject: 'hooks.{event}',
    exchange: null,
    routing_key: null,
  });
  expect(JSON.stringify(await hookline.endpoints.get(created.id))).not.toContain(PASSWORD);
});

test("update changes a broker endpoint's own fields, and keeps its credentials without a url", async () => {
  const rabbit = await hookline.endpoints.create({
    type: 'rabbitmq',
    url: `amqp://hookline:${PASSWORD}@127.0.0.1:5672`,
  });
  const updated = await hookline.endpoints.update(rabbit.id, {
    exchange: 'amq.topic',
    routing_key: 'orders.{event}',
  });
  expect(updated).toMatchObject({
    url: 'amqp://hookline@127.0.0.1:5672',
    exchange: 'amq.topic',
    routing_key: 'orders.{event}',
  });
  // The dispatcher's copy still has the password: leaving out `url` kept it.
  expect((await h.context.endpoints.get(rabbit.id))?.broker_url).toBe(
    `amqp://hookline:${PASSWORD}@127.0.0.1:5672`,
  );

  const nats = await hookline.endpoints.create({
    type: 'nats',
    url: 'nats://127.0.0.1:4222',
    subject: 'a',
  });
  expect(await hookline.endpoints.update(nats.id, { subject: 'b.{event}' })).toMatchObject({
    subject: 'b.{event}',
  });
});

test("a field of another type is the API's 422 naming it, on create and on update", async () => {
  const wrongCreate = {
    type: 'nats',
    url: 'nats://127.0.0.1:4222',
    subject: 's',
    exchange: 'x',
  } as unknown as EndpointCreateParams;
  const created = await apiError(hookline.endpoints.create(wrongCreate));
  expect(created).toMatchObject({ status: 422, code: 'validation_failed' });
  expect(created.details).toEqual(
    expect.arrayContaining([expect.objectContaining({ path: 'exchange' })]),
  );

  const rabbit = await hookline.endpoints.create({ type: 'rabbitmq', url: 'amqp://127.0.0.1' });
  const updated = await apiError(hookline.endpoints.update(rabbit.id, { subject: 'a' }));
  expect(updated).toMatchObject({ status: 422, code: 'validation_failed' });
  expect(updated.details).toEqual(
    expect.arrayContaining([expect.objectContaining({ path: 'subject' })]),
  );
});

// The params type tells the three apart: compiled by `npm run typecheck`, never run.
export function typesOnly(): EndpointCreateParams[] {
  return [
    { url: 'https://example.com/' },
    { type: 'http', url: 'https://example.com/', auth: null },
    { type: 'rabbitmq', url: 'amqps://mq.example.com', exchange: 'x' },
    { type: 'nats', url: 'tls://n.example.com', subject: 's' },
    // @ts-expect-error a nats endpoint has a subject, not an exchange
    { type: 'nats', url: 'tls://n.example.com', subject: 's', exchange: 'x' },
    // @ts-expect-error a nats endpoint needs its subject
    { type: 'nats', url: 'tls://n.example.com' },
    // @ts-expect-error authentication is http's only
    { type: 'rabbitmq', url: 'amqps://mq.example.com', auth: null },
  ];
}
