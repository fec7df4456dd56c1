import type { DeliveryDeadData, EndpointDisabledData } from '@hookline/api';
import { waitFor } from '@hookline/core/testing';
import { Webhook } from 'standardwebhooks';
import { Harness } from './harness';
import { Receiver } from './receiver';
import { ServicePair } from './services';

// Operational events end to end, through a real producer and a real dispatcher process (the
// built dist/main.js of each): subscribed through the API, both reports arrive signed at the
// operator's endpoint, and neither at a catch-all or a tenant's endpoint.

const KEY = 'operational-processes-key-'.padEnd(40, 'x');
let h: Harness;
let services: ServicePair;
const receivers: Receiver[] = [];

beforeAll(async () => {
  h = await Harness.create();
  services = await ServicePair.start(h.config, KEY, { HOOKLINE_RETRY_SCHEDULE: '20ms' });
}, 60_000);
afterAll(async () => {
  await services?.stop();
  await Promise.all(receivers.map((r) => r.close()));
  await h.close();
});

const api = <T>(method: string, path: string, body?: unknown) =>
  services.api<T>(method, path, body);

async function receiver(status: number) {
  const r = await Receiver.start((_req, res) => res.writeHead(status).end());
  receivers.push(r);
  return r;
}

test('a dead delivery and a disabled endpoint are reported, signed, to the subscribed endpoint only', async () => {
  const ops = await receiver(204);
  const catchAll = await receiver(204);
  const tenant = await receiver(204);
  const gone = await receiver(410);
  const down = await receiver(500);
  const create = async (body: Record<string, unknown>) => {
    const res = await api<{ id: string; secret: string }>('POST', '/v1/endpoints', body);
    expect(res.status).toBe(201);
    return res.body;
  };
  const opsEndpoint = await create({ url: ops.url(), event_types: ['hookline.*'] });
  await create({ url: catchAll.url() });
  await create({ url: tenant.url(), event_types: ['hookline.*'], tenant_id: 'acme' });
  const goneEndpoint = await create({ url: gone.url(), event_types: ['order.gone'] });
  const downEndpoint = await create({ url: down.url(), event_types: ['order.down'] });
  // Publishing Hookline's own names is refused.
  expect(
    (await api('POST', '/v1/events', { name: 'hookline.delivery.dead', data: {} })).status,
  ).toBe(422);

  await api('POST', '/v1/events', { name: 'order.gone', data: {} });
  await api('POST', '/v1/events', { name: 'order.down', data: {} });
  const reports = () =>
    ops.received.map((r) => {
      const verified = new Webhook(opsEndpoint.secret).verify(
        r.body,
        r.headers as Record<string, string>,
      ) as { name: string; data: DeliveryDeadData | EndpointDisabledData };
      return verified;
    });
  await waitFor(
    () => {
      const names = reports().map((e) => e.name);
      return (
        names.includes('hookline.endpoint.disabled') &&
        names.filter((n) => n === 'hookline.delivery.dead').length >= 2
      );
    },
    { message: 'both kinds of report at the operator endpoint', timeoutMs: 30_000 },
  );
  const disabled = reports().find((e) => e.name === 'hookline.endpoint.disabled')!;
  expect(disabled.data).toEqual({
    endpoint_id: goneEndpoint.id,
    tenant_id: null,
    reason: 'the endpoint answered 410 Gone',
  });
  const dead = reports()
    .filter((e) => e.name === 'hookline.delivery.dead')
    .map((e) => e.data as DeliveryDeadData);
  expect(dead.map((d) => d.endpoint_id).sort()).toEqual([goneEndpoint.id, downEndpoint.id].sort());
  expect(dead.find((d) => d.endpoint_id === downEndpoint.id)).toMatchObject({
    attempts: 2,
    last_status_code: 500,
    last_error: null,
  });
  // The catch-all endpoint got the order events it subscribes to, and no report.
  expect(
    catchAll.received.map((r) => (JSON.parse(r.body) as { name: string }).name).sort(),
  ).toEqual(['order.down', 'order.gone']);
  expect(tenant.received).toEqual([]);
  // Listed by the API like any event, once the log has it.
  await h.logged();
  const listed = await api<{ data: { name: string }[] }>(
    'GET',
    '/v1/events?name=hookline.endpoint.disabled',
  );
  expect(listed.body.data).toHaveLength(1);
}, 60_000);
