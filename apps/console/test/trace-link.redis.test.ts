import type { Browser, Page } from 'playwright-core';
import { browserAvailable, launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY, Receiver } from './hookline';
import { openPage } from './page';

// The trace id on the event and delivery pages in real headless Chromium, against the built
// producer and dispatcher: a link into the tracing UI when the producer has HOOKLINE_TRACE_URL,
// plain text when it has none, nothing for an event published without a trace.

const describeBrowser = browserAvailable() ? describe : describe.skip;
jest.setTimeout(90_000);

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE}-00f067aa0ba902b7-01`;
const TRACE_URL = 'https://jaeger.example/trace/{trace_id}?from=hookline';

interface Endpoint {
  id: string;
}

/** A Hookline started with `env`, an endpoint, a traced and an untraced event published to it. */
async function withEvents(label: string, env: Record<string, string>) {
  const hookline = await Hookline.start(label, env);
  const receiver = await Receiver.start();
  const endpoint = await hookline.api<Endpoint>('POST', '/v1/endpoints', { url: receiver.url });
  const traced = await hookline.publishTraced('order.traced', [endpoint.id], TRACEPARENT);
  const { id: untraced } = await hookline.api<{ id: string }>('POST', '/v1/events', {
    name: 'order.untraced',
    data: {},
  });
  return { hookline, receiver, traced, untraced };
}

/** The console at `route`, signed in with the operator key, once `ready` is on the page. */
async function open(page: Page, hookline: Hookline, route: string, ready: string): Promise<void> {
  await page.goto(`${hookline.url}/console#key=${OPERATOR_KEY}`);
  await page.locator('.topbar').waitFor();
  await page.goto(`${hookline.url}/console#/${route}`);
  await page.getByText(ready, { exact: false }).first().waitFor();
}

describeBrowser(
  'trace ids in the console (headless Chromium, built producer and dispatcher)',
  () => {
    let browser: Browser;
    const requested: string[] = [];

    beforeAll(async () => {
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    test('with HOOKLINE_TRACE_URL, the event and delivery pages link the trace id into the tracing UI', async () => {
      const { hookline, receiver, traced, untraced } = await withEvents('console-trace-link', {
        HOOKLINE_TRACE_URL: TRACE_URL,
      });
      const page = await openPage(browser, requested);
      try {
        const href = TRACE_URL.replace('{trace_id}', TRACE);

        await open(page, hookline, `events/${traced.event}`, 'order.traced');
        const onEvent = page.locator(`[data-trace="${TRACE}"]`);
        await onEvent.waitFor();
        expect(await onEvent.evaluate((e) => e.tagName)).toBe('A');
        expect(await onEvent.getAttribute('href')).toBe(href);
        expect(await onEvent.getAttribute('rel')).toBe('noopener noreferrer');
        expect(await onEvent.textContent()).toBe(TRACE);
        // The body shown is what receivers get: the trace id is the API's, not the body's.
        expect(await page.locator('.card', { hasText: 'Body' }).textContent()).not.toContain(
          'trace_id',
        );

        await open(page, hookline, `deliveries/${traced.deliveries[0]}`, traced.event);
        const onDelivery = page.locator(`[data-trace="${TRACE}"]`);
        await onDelivery.waitFor();
        expect(await onDelivery.evaluate((e) => e.tagName)).toBe('A');
        expect(await onDelivery.getAttribute('href')).toBe(href);

        await open(page, hookline, `events/${untraced}`, 'order.untraced');
        await page.locator('.card', { hasText: 'Body' }).waitFor();
        expect(await page.locator('[data-trace]').count()).toBe(0);

        // A link the user may follow, not a request the console makes.
        expect(requested.filter((url) => !url.startsWith(hookline.url))).toEqual([]);
      } finally {
        await page.context().close();
        await receiver.close();
        await hookline.close();
      }
    });

    test('without HOOKLINE_TRACE_URL, the event and delivery pages show the trace id as text', async () => {
      const { hookline, receiver, traced } = await withEvents('console-trace-text', {});
      const page = await openPage(browser, requested);
      try {
        await open(page, hookline, `events/${traced.event}`, 'order.traced');
        const onEvent = page.locator(`[data-trace="${TRACE}"]`);
        await onEvent.waitFor();
        expect(await onEvent.evaluate((e) => e.tagName)).toBe('SPAN');
        expect(await onEvent.textContent()).toBe(TRACE);
        expect(await page.locator('a[data-trace]').count()).toBe(0);

        await open(page, hookline, `deliveries/${traced.deliveries[0]}`, traced.event);
        const onDelivery = page.locator(`[data-trace="${TRACE}"]`);
        await onDelivery.waitFor();
        expect(await onDelivery.evaluate((e) => e.tagName)).toBe('SPAN');
        expect(await page.locator('a[data-trace]').count()).toBe(0);
      } finally {
        await page.context().close();
        await receiver.close();
        await hookline.close();
      }
    });
  },
);
