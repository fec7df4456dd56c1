import { generateSecret } from '@hookline/webhooks';
import { waitFor } from '@hookline/core/testing';
import type { Delivery, Hookline } from '@hookline/client';
import { Harness, hookline, Listen, requireBuild } from './harness';

// `hookline listen` as a child process, receiving real signed deliveries from a real dispatcher.

let h: Harness;
let client: Hookline;
const running: Listen[] = [];

beforeAll(async () => {
  requireBuild();
  h = await Harness.start('cli-listen');
  client = h.client();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((l) => l.stop()));
});
afterAll(() => h.close());

async function startListen(args: string[]) {
  const started = await Listen.start(args);
  running.push(started.listen);
  return started;
}

/** Creates an endpoint at `url`, publishes one event to it, and returns its delivery's id. */
async function deliverTo(
  url: string,
  secret: string,
  data: Record<string, unknown> = { order: 42 },
) {
  const endpoint = await client.endpoints.create({ url, secret });
  const { id } = await client.events.publish({
    name: 'order.filled',
    data,
    endpoint_ids: [endpoint.id],
  });
  const [delivery] = (await client.events.get(id)).deliveries;
  return { eventId: id, deliveryId: delivery!.id };
}

const attempted = (id: string, attempts: number) =>
  waitFor(
    async () => {
      const delivery: Delivery = await client.deliveries.get(id);
      return delivery.attempts.length >= attempts ? delivery : undefined;
    },
    { message: `${attempts} attempt(s) of ${id}` },
  );

test('prints a real delivery with its event name and "verified", and answers 204', async () => {
  const secret = generateSecret();
  const { listen, url } = await startListen(['--secret', secret]);
  const { eventId, deliveryId } = await deliverTo(url, secret);

  await listen.waitFor(/order\.filled\s+attempt 1\s+✔ signature verified\s+→ 204/);
  await listen.waitFor(new RegExp(`event ${eventId}\\s+delivery ${deliveryId}`));
  await listen.waitFor(/"order": 42/);
  const delivery = await attempted(deliveryId, 1);
  expect(delivery.status).toBe('delivered');
  expect(delivery.attempts[0]!.status_code).toBe(204);
});

test('--status 500 answers 500: the dispatcher records a failed attempt and retries', async () => {
  const secret = generateSecret();
  const { listen, url } = await startListen(['--secret', secret, '--status', '500']);
  const { deliveryId } = await deliverTo(url, secret);

  const delivery = await attempted(deliveryId, 2);
  expect(delivery.attempts.map((a) => a.status_code)).toEqual([500, 500]);
  expect(delivery.attempts[0]!.response_excerpt).toContain('answered 500');
  await listen.waitFor(/attempt 2\s+✔ signature verified\s+→ 500/);
});

test('a delivery signed with another secret is reported invalid and answered 401', async () => {
  const { listen, url } = await startListen(['--secret', generateSecret()]);
  const { deliveryId } = await deliverTo(url, generateSecret());

  await listen.waitFor(/✘ signature invalid: no_matching_signature/);
  const delivery = await attempted(deliveryId, 1);
  expect(delivery.attempts[0]!.status_code).toBe(401);
});

test('--json prints one JSON object per delivery; --fail-rate 1 fails every one', async () => {
  const secret = generateSecret();
  const { listen, url } = await startListen(['--json', '--secret', secret, '--fail-rate', '1']);
  const { eventId, deliveryId } = await deliverTo(url, secret, { n: 7 });

  await attempted(deliveryId, 2);
  await listen.waitFor(/\n.*\n/); // two lines
  const lines = listen.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(lines).toHaveLength(2);
  expect(lines[0]).toEqual({
    at: expect.any(String) as string,
    path: '/webhooks',
    webhook_id: deliveryId,
    event_id: eventId,
    attempt: 1,
    verified: true,
    status: 500,
    event: {
      id: eventId,
      name: 'order.filled',
      data: { n: 7 },
      created_at: expect.any(String) as string,
    },
  });
  expect(lines[1]).toMatchObject({ attempt: 2, webhook_id: deliveryId, status: 500 });
  expect(listen.stderr).toMatch(/^Listening on /); // not on stdout: that is JSON lines only
});

test('without --secret a delivery is printed as not checked and answered 204', async () => {
  const { listen, url } = await startListen([]);
  await deliverTo(url, generateSecret());
  await listen.waitFor(/order\.filled\s+attempt 1\s+signature not checked \(no --secret\)\s+→ 204/);
  expect(listen.stdout).toMatch(/signatures are not checked/);
});

test('stops on SIGTERM with exit code 0', async () => {
  const { listen } = await startListen([]);
  expect(await listen.stop()).toBe(0);
});

test('a port already in use exits 1 with one line', async () => {
  const { url } = await startListen([]);
  const port = new URL(url).port;
  const result = await hookline(['listen', '--port', port], {});
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    new RegExp(`^hookline: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE[^\\n]*\\n$`),
  );
});
