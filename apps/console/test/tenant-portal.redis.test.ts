import type { Browser, Page } from 'playwright-core';
import { browserAvailable, launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY, Receiver } from './hookline';

// NOT YET ENABLED. The tenant portal, written against docs/api.md's tenant routes (GET
// /v1/tenants, POST /v1/tenants/:id/keys, tenant keys, GET /v1/events), which are being built on
// another branch and do not exist on this one. Once they are merged, set TENANT_ROUTES to true:
// until then these tests are reported as skipped, never as passed.
const TENANT_ROUTES = false;

const describeTenants = TENANT_ROUTES && browserAvailable() ? describe : describe.skip;
jest.setTimeout(60_000);

interface TenantKey {
  key: string;
  portal_url: string;
}
interface Delivery {
  id: string;
  status: string;
}

describeTenants('the tenant portal (headless Chromium, built producer and dispatcher)', () => {
  let hookline: Hookline;
  let receiver: Receiver;
  let browser: Browser;
  let page: Page;
  let acmeEndpoint: string;
  let globexEndpoint: string;
  const requested: string[] = [];

  beforeAll(async () => {
    receiver = await Receiver.start();
    hookline = await Hookline.start('portal');
    browser = await launchBrowser();
    acmeEndpoint = (
      await hookline.api<{ id: string }>('POST', '/v1/endpoints', {
        url: `${receiver.url}/acme`,
        tenant_id: 'acme',
        description: 'Acme orders',
      })
    ).id;
    globexEndpoint = (
      await hookline.api<{ id: string }>('POST', '/v1/endpoints', {
        url: `${receiver.url}/globex`,
        tenant_id: 'globex',
      })
    ).id;
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.close();
    await receiver?.close();
  });

  beforeEach(async () => {
    const context = await browser.newContext();
    context.on('request', (request) => requested.push(request.url()));
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });

  afterEach(() => page.context().close());

  async function openPortal(tenant: string): Promise<void> {
    const { key } = await hookline.api<TenantKey>('POST', `/v1/tenants/${tenant}/keys`, {});
    // The portal URL the API hands out, on this test's producer.
    await page.goto(`${hookline.url}/console#key=${encodeURIComponent(key)}`);
    await page.locator('.badge-tenant').waitFor();
  }

  const nav = (name: string) => page.locator('.nav').getByRole('link', { name, exact: true });

  test('a tenant key signs in as that tenant, with no tenants page and no publishing', async () => {
    await openPortal('acme');
    expect(await page.locator('.badge-tenant').innerText()).toContain('acme');
    expect(page.url()).toBe(`${hookline.url}/console`);
    expect(await nav('Tenants').count()).toBe(0);
    await nav('Events').click();
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    expect(await page.getByRole('button', { name: 'Publish event' }).count()).toBe(0);
  });

  test('the portal lists only the tenant’s own endpoints', async () => {
    await openPortal('acme');
    await nav('Endpoints').click();
    await page.locator(`tr[data-endpoint="${acmeEndpoint}"]`).waitFor();
    expect(await page.locator(`tr[data-endpoint="${globexEndpoint}"]`).count()).toBe(0);
  });

  test('a tenant watches its delivery die, and replays its dead letter', async () => {
    receiver.status = 500;
    const { id: eventId } = await hookline.api<{ id: string }>('POST', '/v1/events', {
      name: 'order.failed',
      tenant_id: 'acme',
      data: {},
    });
    const [delivery] = (
      await hookline.api<{ deliveries: Delivery[] }>('GET', `/v1/events/${eventId}`)
    ).deliveries;
    await openPortal('acme');
    await nav('Dead letter').click();
    const row = page.locator(`tr[data-delivery="${delivery!.id}"]`);
    await row.waitFor();

    receiver.status = 200;
    await page.getByRole('button', { name: 'Replay all' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page
      .locator('.notices [role=status]')
      .filter({ hasText: 'Replayed 1 delivery.' })
      .waitFor();
    await page.goto(`${hookline.url}/console#/deliveries/${delivery!.id}`);
    await page.locator('.page-header .badge-delivered').waitFor();
  });

  test('another tenant’s delivery is not found for a tenant key', async () => {
    const { id: eventId } = await hookline.api<{ id: string }>('POST', '/v1/events', {
      name: 'order.created',
      tenant_id: 'globex',
      data: {},
    });
    await openPortal('acme');
    await page.goto(`${hookline.url}/console#/events/${eventId}`);
    await page.getByRole('alert').filter({ hasText: 'not_found' }).waitFor();
  });

  test('an operator sees every tenant with its counts, mints a portal link and deletes a tenant', async () => {
    await page.goto(`${hookline.url}/console#key=${encodeURIComponent(OPERATOR_KEY)}`);
    await page.locator('.badge-operator').waitFor();
    await nav('Tenants').click();
    await page.locator('tr[data-tenant="acme"]').waitFor();
    await page.locator('tr[data-tenant="globex"]').waitFor();

    await page
      .locator('tr[data-tenant="acme"]')
      .getByRole('button', { name: 'Portal link' })
      .click();
    const link = page
      .locator('.notices [role=status]')
      .filter({ hasText: 'A portal link for acme' });
    await link.waitFor();
    expect(await link.locator('input').inputValue()).toMatch(/\/console#key=/);

    await page.locator('tr[data-tenant="globex"]').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.locator('tr[data-tenant="globex"]').waitFor({ state: 'detached' });
  });

  test('the operator filters endpoints, events and the dead letter by tenant', async () => {
    await page.goto(`${hookline.url}/console#key=${encodeURIComponent(OPERATOR_KEY)}`);
    await page.locator('.badge-operator').waitFor();
    await page.goto(`${hookline.url}/console#/endpoints?tenant_id=acme`);
    await page.locator(`tr[data-endpoint="${acmeEndpoint}"]`).waitFor();
    expect(await page.locator('tr[data-endpoint]').count()).toBe(1);
    await page.goto(`${hookline.url}/console#/events?tenant_id=acme`);
    await page.locator('tr[data-event]').first().waitFor();
    for (const text of await page.locator('tr[data-event]').allInnerTexts())
      expect(text).toContain('acme');
  });

  test('no request went to any host but the producer', () => {
    const origin = new URL(hookline.url).origin;
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
  });
});
