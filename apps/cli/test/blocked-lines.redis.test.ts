import { newId } from '@hookline/core';
import { waitFor } from '@hookline/core/testing';
import type { BlockedLine, Hookline } from '@hookline/client';
import { expectOneLineFailure, Harness, hookline, receiver, requireBuild } from './harness';

// `hookline endpoints blocked-lines` as a child process against the real producer and dispatcher
// in this process. The lines are really blocked: the dispatcher's first attempt at each head gets
// a 500 from a receiver on 127.0.0.1, and the retry is an hour away, so each head holds its line
// for the whole file while the events published after it wait.

let h: Harness;
let client: Hookline;
let rx: Awaited<ReturnType<typeof receiver>>;

beforeAll(async () => {
  requireBuild();
  rx = await receiver(() => 500);
  h = await Harness.start('cli-blocked', { HOOKLINE_RETRY_SCHEDULE: '1h' });
  client = h.client();
});
afterAll(async () => {
  await h.close();
  await rx.close();
});

const run = (...args: string[]) => hookline(args, h.env());

/** Publishes one event (for `resource`, if given) and returns its delivery to `endpoint`. */
async function publish(endpoint: string, name: string, resource?: string): Promise<string> {
  const { id } = await client.events.publish({
    name,
    data: {},
    ...(resource !== undefined ? { resource: { id: resource, resource_type: 'order' } } : {}),
  });
  return (await client.events.get(id)).deliveries.find((d) => d.endpoint_id === endpoint)!.id;
}

/** The endpoint's blocked lines, once the API lists `count` of them. */
async function untilBlocked(endpoint: string, count: number): Promise<BlockedLine[]> {
  let lines: BlockedLine[] = [];
  await waitFor(
    async () => {
      lines = (await client.endpoints.listBlockedLines(endpoint)).data;
      return lines.length === count;
    },
    { message: `${count} blocked lines of ${endpoint}` },
  );
  return lines;
}

describe('endpoints blocked-lines', () => {
  let ordered: string;
  let head: string;
  let noResourceHead: string;

  beforeAll(async () => {
    ({ id: ordered } = await client.endpoints.create({
      url: `${rx.url}/ordered`,
      event_types: ['blocked.*'],
      ordering: { key: 'resource' },
    }));
    // Each head first, attempted and failed, so that what is published next waits behind it.
    head = await publish(ordered, 'blocked.one', 'ord_1');
    noResourceHead = await publish(ordered, 'blocked.two');
    await untilBlocked(ordered, 2);
    await publish(ordered, 'blocked.three', 'ord_1');
    await publish(ordered, 'blocked.four', 'ord_1');
  });

  test('prints a table of the lines: key, value (- for none), head delivery, how many wait, since when', async () => {
    const lines = await client.endpoints.listBlockedLines(ordered);
    const since = (value: string) => lines.data.find((l) => l.value === value)!.blocked_since;
    const result = await run('endpoints', 'blocked-lines', ordered);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^KEY\s+VALUE\s+HEAD\s+WAITING\s+SINCE$/);
    // Longest blocked first, as the API lists them.
    expect(rows.map((row) => row.split(/\s+/))).toEqual([
      ['resource', 'ord_1', head, '2', since('ord_1')],
      ['resource', '-', noResourceHead, '0', since('')],
    ]);
  });

  test('--json prints the lines as the API answers them', async () => {
    const result = await run('endpoints', 'blocked-lines', ordered, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(
      (await client.endpoints.listBlockedLines(ordered)).data,
    );
    expect(JSON.parse(result.stdout)).toEqual([
      expect.objectContaining({
        key: 'resource',
        value: 'ord_1',
        head_delivery_id: head,
        waiting: 2,
      }),
      expect.objectContaining({
        key: 'resource',
        value: '',
        head_delivery_id: noResourceHead,
        waiting: 0,
      }),
    ]);
  });

  test('an endpoint without a blocked line says so; --json prints []', async () => {
    const { id } = await client.endpoints.create({
      url: `${rx.url}/quiet`,
      event_types: ['quiet.*'],
      ordering: { key: 'endpoint' },
    });
    expect(await run('endpoints', 'blocked-lines', id)).toEqual({
      code: 0,
      stdout: `No blocked lines for ${id}\n`,
      stderr: '',
    });
    expect(JSON.parse((await run('endpoints', 'blocked-lines', id, '--json')).stdout)).toEqual([]);
  });

  test('an unknown endpoint is not_found (exit 1)', async () => {
    expectOneLineFailure(
      await run('endpoints', 'blocked-lines', newId('ep')),
      1,
      /not found \(not_found, HTTP 404\)/,
    );
  });
});
