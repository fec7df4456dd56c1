import { X509Certificate } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '@hookline/core/testing';
import { makeTestPki } from '@hookline/core/testing-tls';
import { browserAvailable, launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY, Receiver } from './hookline';

// The console in real headless Chromium, against the built producer (which serves the built
// console) and a built dispatcher, delivering to a receiver on 127.0.0.1. Every wait is on what
// the page shows; pages refresh by polling, so nothing here reloads a page to see a change.

const describeBrowser = browserAvailable() ? describe : describe.skip;
jest.setTimeout(60_000);

interface Delivery {
  id: string;
  status: string;
}

describeBrowser(
  'the console, operator key (headless Chromium, built producer and dispatcher)',
  () => {
    let hookline: Hookline;
    let receiver: Receiver;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const requested: string[] = [];
    const consoleErrors: string[] = [];
    let endpointId: string;

    beforeAll(async () => {
      receiver = await Receiver.start();
      hookline = await Hookline.start('console');
      browser = await launchBrowser();
    });

    afterAll(async () => {
      await browser?.close();
      await hookline?.close();
      await receiver?.close();
    });

    beforeEach(async () => {
      context = await browser.newContext();
      // Every request any page of this context makes, to whatever host.
      context.on('request', (request) => requested.push(request.url()));
      page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
    });

    afterEach(() => context.close());

    async function signIn(key = OPERATOR_KEY): Promise<void> {
      await page.goto(`${hookline.url}/console`);
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
    }

    const nav = (name: string) => page.locator('.nav').getByRole('link', { name, exact: true });
    const notice = (text: string | RegExp) =>
      page.locator('.notices [role=status]').filter({ hasText: text }).last();

    test('serves the page with a strict Content-Security-Policy, nosniff, no-referrer and the right caching', async () => {
      const assets: { url: string; cache: string | undefined }[] = [];
      page.on('response', (response) => {
        if (response.url().includes('/console/assets/'))
          assets.push({ url: response.url(), cache: response.headers()['cache-control'] });
      });
      const response = await page.goto(`${hookline.url}/console`);
      const headers = response!.headers();
      expect(response!.status()).toBe(200);
      const csp = headers['content-security-policy'] ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['cache-control']).toBe('no-cache');
      await page.getByLabel('API key').waitFor();
      expect(assets.length).toBeGreaterThanOrEqual(2); // the script and the stylesheet
      for (const asset of assets) expect(asset.cache).toBe('public, max-age=31536000, immutable');
      // `/console/` is the same page.
      const slash = await fetch(`${hookline.url}/console/`);
      expect(slash.status).toBe(200);
      expect(slash.headers.get('content-security-policy')).toBe(csp);
    });

    test('a wrong key is refused with the API’s message, and nothing is stored', async () => {
      await signIn('not-a-key-of-this-server-at-all');
      await page.getByRole('alert').filter({ hasText: 'unauthorized' }).waitFor();
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    });

    test('signs in with a key and creates an endpoint; a refused one shows the API’s error', async () => {
      await signIn();
      await page.locator('.badge-operator').waitFor();
      await nav('Endpoints').click();
      await page.getByRole('button', { name: 'New endpoint' }).click();

      await page.locator('input[name=url]').fill('ftp://nowhere');
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      await page
        .locator('.notices [role=alert]')
        .filter({ hasText: 'validation_failed' })
        .waitFor();

      await page.locator('input[name=url]').fill(receiver.url);
      await page.locator('input[name=description]').fill('the console test receiver');
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      const created = notice(/Created ep_/);
      await created.waitFor();
      endpointId = /Created (ep_\w+)/.exec(await created.innerText())![1]!;
      expect(await created.locator('input').inputValue()).toMatch(/^whsec_/);
      await page.locator(`tr[data-endpoint="${endpointId}"]`).waitFor();
    });

    test('a published event’s delivery appears on the endpoint’s page, then its attempt', async () => {
      await signIn();
      await page.locator('.badge-operator').waitFor();
      await page.goto(`${hookline.url}/console#/endpoints/${endpointId}`);
      await page.getByRole('heading', { name: receiver.url }).waitFor();

      const { id: eventId } = await hookline.api<{ id: string }>('POST', '/v1/events', {
        name: 'order.filled',
        data: { qty: 3 },
      });
      const [delivery] = (
        await hookline.api<{ deliveries: Delivery[] }>('GET', `/v1/events/${eventId}`)
      ).deliveries;
      const row = page.locator(`tr[data-delivery="${delivery!.id}"]`);
      await row.locator('.badge-delivered').waitFor();
      expect(await row.innerText()).toContain('HTTP 200');

      await row.getByRole('link', { name: delivery!.id }).click();
      const attempt = page.locator('tr[data-attempt="1"]');
      await attempt.waitFor();
      expect(await attempt.innerText()).toContain('HTTP 200');
      expect(await attempt.innerText()).toContain('answered 200');

      await page.getByRole('link', { name: eventId }).click();
      await page.getByRole('heading', { name: 'order.filled' }).waitFor();
      expect(await page.locator('pre.code').innerText()).toContain('"qty": 3');
    });

    test('endpoint actions say what they did: disable, enable, rotate the secret, send a test', async () => {
      await signIn();
      await page.goto(`${hookline.url}/console#/endpoints/${endpointId}`);
      await page.getByRole('heading', { name: receiver.url }).waitFor();

      await page.getByRole('button', { name: 'Disable' }).click();
      await notice(`Disabled ${endpointId}.`).waitFor();
      await page.getByRole('button', { name: 'Enable' }).click();
      await notice(`Enabled ${endpointId}.`).waitFor();

      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await page.getByRole('button', { name: 'Yes' }).click();
      const rotated = notice(/^Rotated/);
      await rotated.waitFor();
      expect(await rotated.locator('input').inputValue()).toMatch(/^whsec_/);

      await page.getByRole('button', { name: 'Send test' }).click();
      await page.locator('input[name=test_name]').fill('test.console');
      await page.locator('form').getByRole('button', { name: 'Send test' }).click();
      const sent = notice(/^Test sent \(event evt_\w+\)/);
      await sent.waitFor();
      const testEvent = /(evt_\w+)/.exec(await sent.innerText())![1]!;
      const [delivery] = (
        await hookline.api<{ deliveries: Delivery[] }>('GET', `/v1/events/${testEvent}`)
      ).deliveries;
      await page.locator(`tr[data-delivery="${delivery!.id}"] .badge-delivered`).waitFor();
    });

    test('a delivery that fails every attempt reaches the dead letter; replaying it delivers it', async () => {
      receiver.status = 500;
      await signIn();
      await page.locator('.badge-operator').waitFor();
      await nav('Dead letter').click();
      await page.getByRole('heading', { name: 'Dead letter' }).waitFor();

      const { id: eventId } = await hookline.api<{ id: string }>('POST', '/v1/events', {
        name: 'order.failed',
        data: { qty: 1 },
      });
      const [delivery] = (
        await hookline.api<{ deliveries: Delivery[] }>('GET', `/v1/events/${eventId}`)
      ).deliveries;
      const row = page.locator(`tr[data-delivery="${delivery!.id}"]`);
      await row.waitFor();
      expect(await row.innerText()).toContain('HTTP 500');
      expect(await row.locator('td.num').innerText()).toBe('3');

      receiver.status = 200;
      await row.getByRole('checkbox').check();
      await page.getByRole('button', { name: 'Replay selected (1)' }).click();
      await notice('Replayed 1 delivery.').waitFor();
      await row.waitFor({ state: 'detached' });

      await page.goto(`${hookline.url}/console#/deliveries/${delivery!.id}`);
      await page.locator('.page-header .badge-delivered').waitFor();
      const attempts = await page.locator('tr[data-attempt]').allInnerTexts();
      expect(attempts.filter((a) => a.includes('HTTP 500'))).toHaveLength(3);
      expect(attempts.filter((a) => a.includes('HTTP 200'))).toHaveLength(1);
    });

    test('the overview shows pending, dead letter and the success ratio of recent deliveries', async () => {
      await signIn();
      const dead = page.locator('[data-figure="Dead letter"] .figure-value');
      await dead.waitFor();
      await page.waitForFunction(
        () =>
          document.querySelector('[data-figure="Dead letter"] .figure-value')?.textContent === '0',
      );
      expect(await page.locator('[data-figure="Pending"] .figure-value').innerText()).toMatch(
        /^\d+$/,
      );
      expect(await page.locator('[data-figure="Success ratio"] .figure-value').innerText()).toMatch(
        /%$/,
      );
    });

    test('the events page lists events with their deliveries, filtered by name and by time', async () => {
      const publish = async (name: string) => {
        const { id } = await hookline.api<{ id: string }>('POST', '/v1/events', {
          name,
          data: {},
        });
        return hookline.api<{ id: string; created_at: string }>('GET', `/v1/events/${id}`);
      };
      const early = await publish('invoice.paid');
      // A later millisecond, so that the two events' times tell them apart.
      await waitFor(() => Date.now() > Date.parse(early.created_at));
      const late = await publish('invoice.refunded');
      const rows = () =>
        page
          .locator('tr[data-event]')
          .evaluateAll((all) => all.map((row) => row.getAttribute('data-event')));

      await signIn();
      await page.locator('.badge-operator').waitFor();
      await nav('Events').click();
      await page.getByRole('heading', { name: 'Events' }).waitFor();
      const row = page.locator(`tr[data-event="${late.id}"]`);
      await row.locator('.badge-delivered').waitFor();
      expect(await row.innerText()).toContain('1 delivered');
      // Newest first.
      const all = await rows();
      expect(all.indexOf(late.id)).toBeLessThan(all.indexOf(early.id));
      expect(await page.locator('[role=alert]').count()).toBe(0);

      await page.locator('input[name=name]').fill('invoice.paid');
      await page.getByRole('button', { name: 'Filter' }).click();
      await row.waitFor({ state: 'detached' });
      await page.locator(`tr[data-event="${early.id}"]`).waitFor();
      expect(await rows()).toEqual([early.id]);
      await page.getByRole('button', { name: 'Clear' }).click();
      await row.waitFor();

      // `after` is inclusive, `before` exclusive: the two events' own times split them. (The
      // page changes in place, its former rows shown until the new list comes: wait for it.)
      await page.goto(`${hookline.url}/console#/events?after=${late.created_at}`);
      await waitFor(async () => (await rows()).join() === late.id, {
        message: 'only the later event after its own time',
      });
      await page.goto(`${hookline.url}/console#/events?before=${late.created_at}`);
      await waitFor(
        async () => {
          const shown = await rows();
          return shown.includes(early.id) && !shown.includes(late.id);
        },
        { message: 'the earlier event, not the later, before the later one’s time' },
      );
      // The time filters show the times asked for, to the second, in local time.
      expect(await page.locator('input[name=before]').inputValue()).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/,
      );
    });

    test('a portal link (#key=…) signs in at once and leaves no key in the address bar', async () => {
      await page.goto(`${hookline.url}/console#key=${encodeURIComponent(OPERATOR_KEY)}`);
      await page.locator('.badge-operator').waitFor();
      expect(page.url()).toBe(`${hookline.url}/console`);
      // Signed in for this tab: a reload keeps the session.
      await page.reload();
      await page.locator('.badge-operator').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    });

    test('a #key=… fragment on a page already open signs in, and neither the address bar nor Back shows the key', async () => {
      await page.goto(`${hookline.url}/console#/events`);
      await page.getByLabel('API key').waitFor();
      // Only the fragment changes, as when a portal link is opened in a tab on the console: no
      // load, so a key read only at load would go unseen.
      await page.evaluate((key) => {
        window.location.hash = `#key=${encodeURIComponent(key)}`;
      }, OPERATOR_KEY);
      await page.locator('.badge-operator').waitFor();
      expect(page.url()).toBe(`${hookline.url}/console`);
      expect(await page.content()).not.toContain(OPERATOR_KEY);
      // The page shown is the console's, not one named after the fragment.
      await page.getByRole('heading', { name: 'Overview', exact: true }).waitFor();

      // The fragment's history entry was replaced, not left behind the current one.
      await page.goBack();
      await waitFor(() => page.url() === `${hookline.url}/console#/events`, {
        message: 'Back to the page before the link',
      });
      await page.getByRole('heading', { name: 'Events', exact: true }).waitFor();
      await page.goForward();
      await waitFor(() => page.url() === `${hookline.url}/console`, {
        message: 'Forward to the console, without the key',
      });
    });

    test('an endpoint created as v1a shows its public key, never a secret, and its page says how it signs', async () => {
      await signIn();
      await page.locator('.badge-operator').waitFor();
      await nav('Endpoints').click();
      await page.getByRole('button', { name: 'New endpoint' }).click();
      await page.locator('input[name=url]').fill(`${receiver.url}/v1a`);
      await page.locator('select[name=signature]').selectOption('v1a');
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      const created = notice(/Its public key/);
      await created.waitFor();
      const id = /Created (ep_\w+)/.exec(await created.innerText())![1]!;
      const key = await created.locator('input').inputValue();
      expect(key).toMatch(/^whpk_/);
      await page.goto(`${hookline.url}/console#/endpoints/${id}`);
      await page
        .locator('.details')
        .filter({ hasText: `v1a (ed25519), public key ${key}` })
        .waitFor();
      await page.getByRole('button', { name: 'Show public key' }).click();
      expect(
        await notice(/The public key:/)
          .locator('input')
          .inputValue(),
      ).toBe(key);
    });

    test('the endpoint form sets OAuth 2.0 or a client certificate; the page shows neither secret', async () => {
      const pki = makeTestPki();
      await signIn();
      await page.locator('.badge-operator').waitFor();
      await nav('Endpoints').click();
      await page.getByRole('button', { name: 'New endpoint' }).click();
      await page.locator('input[name=url]').fill(`${receiver.url}/oauth2`);
      // An event nobody publishes: the dispatcher never asks the token URL for a token.
      await page.locator('input[name=event_types]').fill('console.auth-test');
      await page.locator('select[name=auth_type]').selectOption('oauth2_client_credentials');
      await page.locator('input[name=token_url]').fill(`${receiver.url}/token`);
      await page.locator('input[name=client_id]').fill('console-client');
      await page.locator('input[name=client_secret]').fill('console-client-secret');
      await page.locator('input[name=scope]').fill('webhooks');
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      const created = notice(/^Created (ep_\w+)/);
      await created.waitFor();
      const id = /Created (ep_\w+)/.exec(await created.innerText())![1]!;
      await page.goto(`${hookline.url}/console#/endpoints/${id}`);
      await page
        .locator('.details')
        .filter({
          hasText: `OAuth 2.0 client credentials: client console-client at ${receiver.url}/token, scope webhooks`,
        })
        .waitFor();
      expect(await page.content()).not.toContain('console-client-secret');

      await page.getByRole('button', { name: 'Edit' }).click();
      await page.locator('select[name=auth_type]').selectOption('client_certificate');
      await page.locator('textarea[name=certificate]').fill(pki.client.certificate);
      await page.locator('textarea[name=key]').fill(pki.client.key);
      await page.getByRole('button', { name: 'Save' }).click();
      await notice(`Saved ${id}.`).waitFor();
      const fingerprint = new X509Certificate(pki.client.certificate).fingerprint256;
      await page
        .locator('.details')
        .filter({ hasText: `client certificate, SHA-256 ${fingerprint}` })
        .waitFor();
      expect(await page.content()).not.toContain('PRIVATE KEY');
      const shown = await hookline.api<{ auth: { type: string } }>('GET', `/v1/endpoints/${id}`);
      expect(shown.auth.type).toBe('client_certificate');

      // Editing something else keeps it ("unchanged").
      await page.getByRole('button', { name: 'Edit' }).click();
      await page.locator('input[name=description]').fill('with a certificate');
      await page.getByRole('button', { name: 'Save' }).click();
      await notice(`Saved ${id}.`).waitFor();
      const kept = await hookline.api<{ auth: { type: string } }>('GET', `/v1/endpoints/${id}`);
      expect(kept.auth.type).toBe('client_certificate');
    });

    test('no request went to any host but the producer, and the policy refused nothing', () => {
      expect(requested.length).toBeGreaterThan(20);
      const origin = new URL(hookline.url).origin;
      expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
      expect(requested.some((url) => url.includes('key='))).toBe(false);
      expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
    });
  },
);
