import type { Browser, Page } from 'playwright-core';
import { waitFor } from '@hookline/core/testing';
import { browserAvailable, launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY, Receiver } from './hookline';
import { expectSettled, openPage } from './page';

// An ordered endpoint's blocked lines on its page, in real headless Chromium against the built
// producer and dispatcher. The lines are really blocked: the dispatcher's first attempt at each
// head gets a 500 from a receiver on 127.0.0.1, and the retry is an hour away, so each head
// holds its line for the whole test while the events published after it wait.

const describeBrowser = browserAvailable() ? describe : describe.skip;
jest.setTimeout(60_000);

const TENANT = 'acme';
const RESOURCE = 'ord_blocked';

interface BlockedLine {
  key: string;
  value: string;
  head_delivery_id: string;
  waiting: number;
  blocked_since: string;
}
interface EventWithDeliveries {
  id: string;
  deliveries: { id: string; endpoint_id: string }[];
}

describeBrowser(
  'blocked lines in the console (headless Chromium, built producer and dispatcher)',
  () => {
    let hookline: Hookline;
    let receiver: Receiver;
    let browser: Browser;
    let page: Page;
    const requested: string[] = [];
    /** Ordered by resource, the tenant's, delivering to a receiver that answers 500. */
    let ordered: string;
    /** The head of the RESOURCE line and of the line of events without a resource. */
    let resourceHead: string;
    let noResourceHead: string;

    const api = <T>(method: string, route: string, body?: unknown) =>
      hookline.api<T>(method, route, body);
    const blockedLines = async () =>
      (await api<{ data: BlockedLine[] }>('GET', `/v1/endpoints/${ordered}/blocked-lines`)).data;

    /** Publishes one event for the tenant, with RESOURCE or without a resource; its delivery's id. */
    async function publish(withResource: boolean): Promise<string> {
      const { id } = await api<{ id: string }>('POST', '/v1/events', {
        name: 'order.updated',
        data: {},
        tenant_id: TENANT,
        ...(withResource ? { resource: { id: RESOURCE, resource_type: 'order' } } : {}),
      });
      const event = await api<EventWithDeliveries>('GET', `/v1/events/${id}`);
      return event.deliveries.find((d) => d.endpoint_id === ordered)!.id;
    }

    /** Resolves once the API lists `count` blocked lines with `waiting` behind the RESOURCE one. */
    async function untilBlocked(count: number, waiting: number): Promise<void> {
      await waitFor(
        async () => {
          const lines = await blockedLines();
          return (
            lines.length === count && lines.find((l) => l.value === RESOURCE)?.waiting === waiting
          );
        },
        {
          timeoutMs: 20_000,
          intervalMs: 100,
          message: `${count} blocked lines, ${waiting} waiting`,
        },
      );
    }

    beforeAll(async () => {
      receiver = await Receiver.start();
      receiver.status = 500;
      hookline = await Hookline.start('console-blocked', { HOOKLINE_RETRY_SCHEDULE: '1h' });
      browser = await launchBrowser();
      ({ id: ordered } = await api<{ id: string }>('POST', '/v1/endpoints', {
        url: receiver.url,
        tenant_id: TENANT,
        ordering: { key: 'resource' },
      }));
      // Each head first, attempted and failed, so that what is published next waits behind it.
      resourceHead = await publish(true);
      noResourceHead = await publish(false);
      await untilBlocked(2, 0);
      await publish(true);
      await untilBlocked(2, 1);
    });

    afterAll(async () => {
      await browser?.close();
      await hookline?.close();
      await receiver?.close();
    });

    beforeEach(async () => {
      page = await openPage(browser, requested);
    });

    afterEach(() => page.context().close());

    async function signIn(key: string): Promise<void> {
      await page.goto(`${hookline.url}/console`);
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('.badge-operator').waitFor();
    }

    const section = () => page.locator('section.blocked-lines');
    const row = (value: string) => section().locator(`tr[data-line="${value}"]`);
    const cells = (value: string) => row(value).locator('td').allInnerTexts();

    /** The rows as shown: line, head delivery, waiting; and whether each time reads as a time. */
    const shownRows = async () =>
      section()
        .locator('tbody tr')
        .evaluateAll((rows) =>
          rows.map((r) => {
            const [line, head, waiting, since] = [...r.querySelectorAll('td')].map(
              (td) => td.textContent ?? '',
            );
            return {
              line,
              head,
              waiting,
              since: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(since ?? ''),
            };
          }),
        );

    test("an ordered endpoint's page lists its blocked lines: the value, the head, how many wait, since when", async () => {
      await signIn(OPERATOR_KEY);
      await page.goto(`${hookline.url}/console#/endpoints/${ordered}`);
      await section().getByRole('heading', { name: 'Blocked lines' }).waitFor();
      await row(RESOURCE).waitFor();
      // Longest blocked first, as the API lists them.
      expect(await shownRows()).toEqual([
        { line: RESOURCE, head: resourceHead, waiting: '1', since: true },
        { line: '(no resource)', head: noResourceHead, waiting: '0', since: true },
      ]);
      const since = (await blockedLines()).find((l) => l.value === RESOURCE)!.blocked_since;
      expect(await row(RESOURCE).locator('time').getAttribute('datetime')).toBe(since);
    });

    test('the head delivery links to its page', async () => {
      await signIn(OPERATOR_KEY);
      await page.goto(`${hookline.url}/console#/endpoints/${ordered}`);
      await row(RESOURCE).getByRole('link', { name: resourceHead }).click();
      await page.waitForURL(`${hookline.url}/console#/deliveries/${resourceHead}`);
      await page.getByRole('heading', { name: 'Delivery' }).waitFor();
      await page.getByText(resourceHead).first().waitFor();
    });

    test('the table follows the line without a reload: one more event waiting behind the head', async () => {
      await signIn(OPERATOR_KEY);
      await page.goto(`${hookline.url}/console#/endpoints/${ordered}`);
      await row(RESOURCE).waitFor();
      const before = (await blockedLines()).find((l) => l.value === RESOURCE)!.waiting;
      await publish(true);
      await untilBlocked(2, before + 1);
      await expectSettled(
        async () => (await cells(RESOURCE))[2],
        String(before + 1),
        'the waiting count to go up',
      );
    });

    test('an ordered endpoint without a blocked line says so; an unordered one has no such section', async () => {
      const { id: quiet } = await api<{ id: string }>('POST', '/v1/endpoints', {
        url: receiver.url,
        event_types: ['nothing.*'],
        ordering: { key: 'endpoint' },
      });
      const { id: unordered } = await api<{ id: string }>('POST', '/v1/endpoints', {
        url: receiver.url,
        event_types: ['nothing.*'],
      });
      await signIn(OPERATOR_KEY);
      await page.goto(`${hookline.url}/console#/endpoints/${quiet}`);
      await section().getByText('No blocked lines').waitFor();
      expect(await section().locator('table').count()).toBe(0);

      await page.goto(`${hookline.url}/console#/endpoints/${unordered}`);
      // The section renders with the endpoint's details: once they are this endpoint's.
      await page.locator('.details').getByText('none (any order)').waitFor();
      expect(await section().count()).toBe(0);
    });

    test("the tenant portal shows its own endpoint's blocked lines", async () => {
      const { portal_url } = await api<{ portal_url: string }>(
        'POST',
        `/v1/tenants/${TENANT}/keys`,
        {},
      );
      await page.goto(portal_url);
      await page.locator('.badge-tenant').waitFor();
      await page.goto(`${hookline.url}/console#/endpoints/${ordered}`);
      await row(RESOURCE).waitFor();
      expect((await cells(RESOURCE)).slice(0, 2)).toEqual([RESOURCE, resourceHead]);
      expect((await cells(''))[0]).toBe('(no resource)');
    });
  },
);
