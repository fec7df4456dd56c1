import type { Browser, Page } from 'playwright-core';
import { waitFor } from '@hookline/core/testing';
import { browserAvailable, launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY, Receiver, type LoggedDelivery } from './hookline';
import { expectSettled, openPage } from './page';

// The activity chart (deliveries per minute from `GET /v1/activity`) in real headless Chromium,
// against the built producer and dispatcher on a log of their own, so that everything the
// overview's chart counts is what this file published.

const describeBrowser = browserAvailable() ? describe : describe.skip;
jest.setTimeout(60_000);

const SERIES = ['delivered', 'failed', 'dead'] as const;
type Totals = Record<(typeof SERIES)[number], number>;

describeBrowser('the activity chart (headless Chromium, built producer and dispatcher)', () => {
  let hookline: Hookline;
  let okReceiver: Receiver;
  let failingReceiver: Receiver;
  let browser: Browser;
  let page: Page;
  let okEndpoint: string;
  let failingEndpoint: string;
  /** Every delivery this file made, as the log holds them once settled. */
  let deliveries: LoggedDelivery[];
  const requested: string[] = [];

  const publish = (endpointIds: string[]) =>
    hookline.api('POST', '/v1/events', {
      name: 'order.filled',
      data: {},
      endpoint_ids: endpointIds,
    });

  beforeAll(async () => {
    okReceiver = await Receiver.start();
    failingReceiver = await Receiver.start();
    failingReceiver.status = 500;
    hookline = await Hookline.start('activity');
    browser = await launchBrowser();
    const create = async (url: string) =>
      (await hookline.api<{ id: string }>('POST', '/v1/endpoints', { url })).id;
    okEndpoint = await create(okReceiver.url);
    failingEndpoint = await create(failingReceiver.url);

    // Four delivered; one dead after two failed attempts (the harness retries twice, 50 ms apart).
    for (let i = 0; i < 3; i++) await publish([okEndpoint]);
    await publish([okEndpoint, failingEndpoint]);
    deliveries = await hookline.settledDeliveries(5);
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.close();
    await Promise.all([okReceiver, failingReceiver].map((r) => r?.close()));
  });

  beforeEach(async () => {
    page = await openPage(browser, requested);
    await page.goto(`${hookline.url}/console#key=${encodeURIComponent(OPERATOR_KEY)}`);
    await page.locator('.badge-operator').waitFor();
  });

  afterEach(() => page.context().close());

  /**
   * What the chart must add up to, from the deliveries themselves: those delivered and dead, and
   * every attempt but a delivery's last (each of those failed and left a retry to come).
   */
  function expectedTotals(endpointId?: string): Totals {
    const mine = deliveries.filter((d) => !endpointId || d.endpoint_id === endpointId);
    return {
      delivered: mine.filter((d) => d.status === 'delivered').length,
      failed: mine.reduce((sum, d) => sum + d.attempts.length - 1, 0),
      dead: mine.filter((d) => d.status === 'dead').length,
    };
  }

  const chart = () => page.locator('section.activity');

  async function shownTotals(): Promise<Totals> {
    const totals = {} as Totals;
    for (const series of SERIES) {
      const text = await chart().locator(`[data-total=${series}] strong`).innerText();
      totals[series] = Number(text.replace(/,/g, ''));
    }
    return totals;
  }

  /** The legend's totals once they are `expected` (the first render shows zeros). */
  const expectTotals = (expected: Totals) =>
    expectSettled(shownTotals, expected, `totals ${JSON.stringify(expected)}`);

  /**
   * One area per series, of some thickness where the series counted something and of none
   * elsewhere. An area is its upper line, then its lower line backwards (each stacked on the
   * series below, so its bounding box says nothing of its own thickness).
   */
  async function expectSeries(totals: Totals): Promise<void> {
    for (const series of SERIES) {
      const path = chart().locator(`path[data-series=${series}]`);
      expect(await path.count()).toBe(1);
      const d = (await path.getAttribute('d')) ?? '';
      expect(d).toMatch(/^M[\d.,L]+Z$/);
      const ys = d
        .slice(1, -1)
        .split('L')
        .map((point) => Number(point.split(',')[1]));
      const upper = ys.slice(0, ys.length / 2);
      const lower = ys.slice(ys.length / 2).reverse();
      const thick = upper.some((y, i) => y !== lower[i]);
      expect({ series, thick }).toEqual({ series, thick: totals[series] > 0 });
    }
  }

  const activityRequests = () => requested.filter((url) => url.includes('/v1/activity?'));

  test('the overview’s chart totals what was delivered, failed and dead, and draws each series', async () => {
    const expected = expectedTotals();
    // The scenario, as the API's deliveries show it.
    expect(expected).toEqual({ delivered: 4, failed: 2, dead: 1 });
    await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    await expect(chart().getAttribute('data-activity')).resolves.toBe('1h');
    await expectTotals(expected);
    await expectSeries(expected);
    expect(await chart().locator('svg').getAttribute('aria-label')).toContain(
      '4 delivered, 2 failed, 1 dead',
    );
  });

  test('“Last day” asks for the day and shows the same deliveries over it', async () => {
    const expected = expectedTotals();
    await expectTotals(expected);
    const before = activityRequests().length;
    await chart().getByRole('tab', { name: 'Last day' }).click();
    await page.locator('section.activity[data-activity="24h"]').waitFor();
    await waitFor(
      () =>
        activityRequests()
          .slice(before)
          .some((url) => url.includes('window=24h')),
      {
        message: 'a request for the day’s activity',
      },
    );
    expect(await chart().getByRole('tab', { name: 'Last day' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    await expectTotals(expected);
    await expectSeries(expected);

    await chart().getByRole('tab', { name: 'Last hour' }).click();
    await page.locator('section.activity[data-activity="1h"]').waitFor();
    await expectTotals(expected);
  });

  test('each endpoint’s page charts its own deliveries alone', async () => {
    for (const [endpointId, url] of [
      [okEndpoint, okReceiver.url],
      [failingEndpoint, failingReceiver.url],
    ] as const) {
      const expected = expectedTotals(endpointId);
      const before = activityRequests().length;
      await page.goto(`${hookline.url}/console#/endpoints/${endpointId}`);
      await page.getByRole('heading', { name: url }).waitFor();
      await expectTotals(expected);
      await expectSeries(expected);
      const asked = activityRequests().slice(before);
      expect(asked.some((u) => new URL(u).searchParams.get('endpoint_id') === endpointId)).toBe(
        true,
      );
    }
    expect(expectedTotals(okEndpoint)).toEqual({ delivered: 4, failed: 0, dead: 0 });
    expect(expectedTotals(failingEndpoint)).toEqual({ delivered: 0, failed: 2, dead: 1 });
  });

  test('no request went to any host but the producer, and no key was in a URL sent', () => {
    expect(activityRequests().length).toBeGreaterThan(0);
    const origin = new URL(hookline.url).origin;
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(requested.some((url) => url.includes('key='))).toBe(false);
  });
});
