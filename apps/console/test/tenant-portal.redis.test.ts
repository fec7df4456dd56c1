import type { Browser, Page } from 'playwright-core';
import { waitFor } from '@hookline/core/testing';
import { browserAvailable, launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY, Receiver } from './hookline';
import { expectRows as expectRowsOf, openPage, rowIds as rowIdsOf } from './page';

// The tenant portal and the operator's tenant views, in real headless Chromium against the
// built producer and dispatcher. Two tenants, acme and globex, and one untenanted endpoint:
// signed in with acme's portal link, nothing of the others may reach the page, in its text or
// in its markup (links, row ids).

const describeTenants = browserAvailable() ? describe : describe.skip;
jest.setTimeout(60_000);

interface TenantKey {
  key: string;
  tenant_id: string;
  portal_url: string;
}
interface Delivery {
  id: string;
  status: string;
}
interface Published {
  id: string;
  delivery: string;
}

describeTenants('the tenant portal (headless Chromium, built producer and dispatcher)', () => {
  let hookline: Hookline;
  let acmeReceiver: Receiver;
  let globexReceiver: Receiver;
  let internalReceiver: Receiver;
  let browser: Browser;
  let page: Page;
  let acmeEndpoint: string;
  let globexEndpoint: string;
  let internalEndpoint: string;
  let acmeCreated: Published;
  let acmeInvoice: Published;
  let globexDead: Published;
  let internalEvent: Published;
  /** What acme's portal must never show: globex's and the untenanted endpoint's ids and URLs. */
  let foreign: string[];
  const requested: string[] = [];

  const createEndpoint = async (url: string, tenant_id?: string, description = '') =>
    (await hookline.api<{ id: string }>('POST', '/v1/endpoints', { url, tenant_id, description }))
      .id;

  /** Publishes an event to one endpoint and waits for its delivery to reach `status`. */
  async function publish(
    name: string,
    tenant_id: string | undefined,
    status: string,
  ): Promise<Published> {
    const { id } = await hookline.api<{ id: string }>('POST', '/v1/events', {
      name,
      tenant_id,
      data: { for: tenant_id ?? 'nobody' },
    });
    let delivery = '';
    await waitFor(
      async () => {
        const [d] = (await hookline.api<{ deliveries: Delivery[] }>('GET', `/v1/events/${id}`))
          .deliveries;
        delivery = d?.id ?? '';
        return d?.status === status;
      },
      { timeoutMs: 20_000, message: `${name}'s delivery to be ${status}` },
    );
    return { id, delivery };
  }

  beforeAll(async () => {
    acmeReceiver = await Receiver.start();
    globexReceiver = await Receiver.start();
    internalReceiver = await Receiver.start();
    globexReceiver.status = 500;
    // Quotas a tenant reaches in a click or two: acme has its one endpoint already.
    hookline = await Hookline.start('portal', {
      HOOKLINE_TENANT_MAX_ENDPOINTS: '1',
      HOOKLINE_TENANT_TEST_SENDS_PER_MINUTE: '1',
    });
    browser = await launchBrowser();
    acmeEndpoint = await createEndpoint(`${acmeReceiver.url}/acme`, 'acme', 'Acme orders');
    globexEndpoint = await createEndpoint(`${globexReceiver.url}/globex`, 'globex', 'Globex');
    internalEndpoint = await createEndpoint(`${internalReceiver.url}/internal`);

    acmeCreated = await publish('order.created', 'acme', 'delivered');
    acmeInvoice = await publish('invoice.sent', 'acme', 'delivered');
    globexDead = await publish('order.created', 'globex', 'dead');
    internalEvent = await publish('ops.ping', undefined, 'delivered');
    foreign = [
      'globex',
      globexEndpoint,
      globexReceiver.url,
      globexDead.id,
      globexDead.delivery,
      internalEndpoint,
      internalReceiver.url,
      internalEvent.id,
      internalEvent.delivery,
    ];
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.close();
    await Promise.all([acmeReceiver, globexReceiver, internalReceiver].map((r) => r?.close()));
  });

  beforeEach(async () => {
    page = await openPage(browser, requested);
  });

  afterEach(() => page.context().close());

  const mintKey = (tenant: string) =>
    hookline.api<TenantKey>('POST', `/v1/tenants/${tenant}/keys`, {});

  /** Signs in through the portal link the API hands out, as a tenant's customer would. */
  async function openPortal(tenant: string): Promise<TenantKey> {
    const minted = await mintKey(tenant);
    await page.goto(minted.portal_url);
    await page.locator('.badge-tenant').waitFor();
    return minted;
  }

  /**
   * Nothing of another tenant, nor of the untenanted endpoint, in the page's text or markup;
   * but `asked`, an id the user typed in (a page shows the id it could not find).
   */
  async function expectNothingForeign(asked?: string): Promise<void> {
    const markup = await page.content();
    const text = await page.locator('body').innerText();
    for (const value of foreign.filter((v) => v !== asked)) {
      expect({ value, inMarkup: markup.includes(value) }).toEqual({ value, inMarkup: false });
      expect({ value, inText: text.includes(value) }).toEqual({ value, inText: false });
    }
  }

  const nav = (name: string) => page.locator('.nav').getByRole('link', { name, exact: true });
  const rowIds = (attribute: string) => rowIdsOf(page, attribute);
  const expectRows = (attribute: string, ids: readonly string[]) =>
    expectRowsOf(page, attribute, ids);

  test('the portal link signs in as its tenant and leaves the address bar; no tenants page, no publishing', async () => {
    const { portal_url, key } = await openPortal('acme');
    expect(portal_url.startsWith(`${hookline.url}/console#key=`)).toBe(true);
    expect(await page.locator('.badge-tenant').innerText()).toContain('acme');
    expect(page.url()).toBe(`${hookline.url}/console`);
    expect(await page.content()).not.toContain(key);
    expect(await nav('Tenants').count()).toBe(0);

    await page.goto(`${hookline.url}/console#/tenants`);
    await page.getByText('No such page.').waitFor();
    await nav('Events').click();
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    await page.locator('tr[data-event]').first().waitFor();
    expect(await page.getByRole('button', { name: 'Publish event' }).count()).toBe(0);
    // Filters by name and time, not by tenant.
    expect(await page.locator('input[name=tenant_id]').count()).toBe(0);
    await page.locator('input[name=name]').waitFor();
  });

  test('the overview shows the tenant’s own figures and latest events, nothing of others', async () => {
    await openPortal('acme');
    await page.locator(`tr[data-event="${acmeCreated.id}"] .badge-delivered`).waitFor();
    await page.locator(`tr[data-event="${acmeInvoice.id}"]`).waitFor();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-figure="Success ratio"] .figure-value')?.textContent ===
        '100%',
    );
    expect(await page.locator('[data-figure="Dead letter"] .figure-value').innerText()).toBe('0');
    expect(await page.locator('[data-figure="Pending"] .figure-value').innerText()).toBe('0');
    await expectNothingForeign();
  });

  test('the portal lists only the tenant’s own endpoints, and opens one with its deliveries', async () => {
    await openPortal('acme');
    await nav('Endpoints').click();
    await page.locator(`tr[data-endpoint="${acmeEndpoint}"]`).waitFor();
    await expectRows('data-endpoint', [acmeEndpoint]);
    // No tenant filter for a tenant key.
    expect(await page.locator('input[name=tenant_id]').count()).toBe(0);
    await expectNothingForeign();

    await page.locator(`tr[data-endpoint="${acmeEndpoint}"] a`).click();
    await page.locator(`tr[data-delivery="${acmeCreated.delivery}"] .badge-delivered`).waitFor();
    await expectNothingForeign();
  });

  test('a tenant past its quotas is told why: a new endpoint (409) and a second test send in the minute (429)', async () => {
    await openPortal('acme');
    await nav('Endpoints').click();
    await page.getByRole('button', { name: 'New endpoint' }).click();
    await page.locator('input[name=url]').fill(`${acmeReceiver.url}/second`);
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page
      .locator('.notices [role=alert]')
      .filter({ hasText: 'the most a tenant may have' })
      .filter({ hasText: '409 quota_exceeded' })
      .waitFor();

    await page.locator(`tr[data-endpoint="${acmeEndpoint}"] a`).click();
    const sendTest = async () => {
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.locator('form').getByRole('button', { name: 'Send test' }).click();
    };
    await sendTest();
    await page.locator('.notices [role=status]').filter({ hasText: 'Test sent' }).waitFor();
    await sendTest();
    await page
      .locator('.notices [role=alert]')
      .filter({ hasText: 'test sends a minute: retry in' })
      .filter({ hasText: '429 rate_limited' })
      .waitFor();
  });

  test('the portal lists only the tenant’s own events, with their deliveries, and filters them by name', async () => {
    await openPortal('acme');
    await nav('Events').click();
    const row = page.locator(`tr[data-event="${acmeCreated.id}"]`);
    await row.locator('.badge-delivered').waitFor();
    expect(await row.innerText()).toContain('1 delivered');
    const acme = [acmeCreated.id, acmeInvoice.id];
    for (const id of await rowIds('data-event')) expect(acme).toContain(id);
    await expectNothingForeign();

    await page.locator('input[name=name]').fill('invoice.sent');
    await page.getByRole('button', { name: 'Filter' }).click();
    await row.waitFor({ state: 'detached' });
    await page.locator(`tr[data-event="${acmeInvoice.id}"]`).waitFor();
    await expectRows('data-event', [acmeInvoice.id]);

    await page.getByRole('link', { name: acmeInvoice.id }).click();
    await page.getByRole('heading', { name: 'invoice.sent' }).waitFor();
    await page.locator(`tr[data-delivery="${acmeInvoice.delivery}"]`).waitFor();
    // The body shown is what receivers get: no tenant_id in it.
    expect(await page.locator('pre.code').innerText()).not.toContain('tenant_id');
    await page.getByRole('link', { name: acmeInvoice.delivery }).click();
    await page.locator('tr[data-attempt="1"]').waitFor();
    expect(await page.locator('tr[data-attempt="1"]').innerText()).toContain('HTTP 200');
    await expectNothingForeign();
  });

  test('a tenant watches its delivery die, and replays its own dead letter alone', async () => {
    acmeReceiver.status = 500;
    const acmeDead = await publish('order.failed', 'acme', 'dead');
    await openPortal('acme');
    await nav('Dead letter').click();
    const row = page.locator(`tr[data-delivery="${acmeDead.delivery}"]`);
    await row.waitFor();
    await expectRows('data-delivery', [acmeDead.delivery]);
    expect(await page.locator('input[name=tenant_id]').count()).toBe(0);
    await expectNothingForeign();

    acmeReceiver.status = 200;
    await page.getByRole('button', { name: 'Replay all' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page
      .locator('.notices [role=status]')
      .filter({ hasText: 'Replayed 1 delivery.' })
      .waitFor();
    await page.goto(`${hookline.url}/console#/deliveries/${acmeDead.delivery}`);
    await page.locator('.page-header .badge-delivered').waitFor();
    // Globex's dead delivery stayed where it was.
    expect(
      (await hookline.api<Delivery>('GET', `/v1/deliveries/${globexDead.delivery}`)).status,
    ).toBe('dead');
  });

  test('another tenant’s event, delivery and endpoint, and untenanted ones, are not found', async () => {
    await openPortal('acme');
    for (const [section, id] of [
      ['events', globexDead.id],
      ['deliveries', globexDead.delivery],
      ['endpoints', globexEndpoint],
      ['events', internalEvent.id],
      ['endpoints', internalEndpoint],
    ] as const) {
      await page.goto(`${hookline.url}/console#/${section}/${id}`);
      await page.getByRole('alert').filter({ hasText: 'not_found' }).waitFor();
      await expectNothingForeign(id);
    }
  });

  test('an operator sees every tenant with its counts and mints a portal link that signs in', async () => {
    await page.goto(`${hookline.url}/console#key=${encodeURIComponent(OPERATOR_KEY)}`);
    await page.locator('.badge-operator').waitFor();
    await nav('Tenants').click();
    const acme = page.locator('tr[data-tenant="acme"]');
    const globex = page.locator('tr[data-tenant="globex"]');
    await acme.waitFor();
    await expectRows('data-tenant', ['acme', 'globex']);
    const cells = async (row: typeof acme) =>
      (await row.locator('td.num').allInnerTexts()).map((t) => t.trim());
    // Endpoints, pending, dead letter.
    await waitFor(async () => (await cells(globex)).join(' ') === '1 0 1', {
      message: 'globex’s counts',
    });
    expect(await cells(acme)).toEqual(['1', '0', '0']);

    await acme.getByRole('button', { name: 'Portal link' }).click();
    const link = page
      .locator('.notices [role=status]')
      .filter({ hasText: 'A portal link for acme' });
    await link.waitFor();
    const url = await link.locator('input').inputValue();
    expect(url.startsWith(`${hookline.url}/console#key=hlt_`)).toBe(true);

    // The link, opened where nobody is signed in, is acme's portal.
    const portal = await browser.newContext();
    portal.on('request', (request) => requested.push(request.url()));
    const tab = await portal.newPage();
    await tab.goto(url);
    expect(await tab.locator('.badge-tenant').innerText()).toContain('acme');
    await portal.close();
  });

  test('a portal link opened in the operator’s own tab signs in as the tenant, and keeps no key in the address bar, the history or a notice', async () => {
    await page.goto(`${hookline.url}/console#key=${encodeURIComponent(OPERATOR_KEY)}`);
    await page.locator('.badge-operator').waitFor();
    await nav('Tenants').click();
    await page
      .locator('tr[data-tenant="acme"]')
      .getByRole('button', { name: 'Portal link' })
      .click();
    const link = page
      .locator('.notices [role=status]')
      .filter({ hasText: 'A portal link for acme' });
    const url = await link.locator('input').inputValue();
    const key = decodeURIComponent(url.slice(url.indexOf('#key=') + '#key='.length));

    // Same page, another fragment: a same-document navigation, no load.
    await page.evaluate((href) => {
      window.location.href = href;
    }, url);
    await page.locator('.badge-tenant').filter({ hasText: 'acme' }).waitFor();
    expect(page.url()).toBe(`${hookline.url}/console`);
    expect(await link.count()).toBe(0);
    expect(await page.content()).not.toContain(key);
    expect(await nav('Tenants').count()).toBe(0);

    await page.goBack();
    await waitFor(() => page.url() === `${hookline.url}/console#/tenants`, {
      message: 'Back to the tenants page the link was opened on',
    });
    await page.getByText('No such page.').waitFor();
    await page.goForward();
    await waitFor(() => page.url() === `${hookline.url}/console`, {
      message: 'Forward to the portal, without the key',
    });
    expect(await page.locator('.badge-tenant').innerText()).toContain('acme');
  });

  test('the operator revokes a tenant’s keys: its open portal is signed out', async () => {
    const portal = await browser.newContext();
    portal.on('request', (request) => requested.push(request.url()));
    const tab = await portal.newPage();
    await tab.goto((await mintKey('acme')).portal_url);
    await tab.locator('.badge-tenant').waitFor();

    await page.goto(`${hookline.url}/console#key=${encodeURIComponent(OPERATOR_KEY)}`);
    await page.locator('.badge-operator').waitFor();
    await nav('Tenants').click();
    await page
      .locator('tr[data-tenant="acme"]')
      .getByRole('button', { name: 'Revoke keys' })
      .click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page
      .locator('.notices [role=status]')
      .filter({ hasText: 'Revoked every key of acme.' })
      .waitFor();

    // The portal's next refresh is refused: it signs out and says why.
    await tab.getByRole('alert').filter({ hasText: 'refused the key' }).waitFor();
    expect(await tab.evaluate(() => sessionStorage.length)).toBe(0);
    await portal.close();
  });

  test('the operator filters endpoints, events and the dead letter by tenant', async () => {
    await page.goto(`${hookline.url}/console#key=${encodeURIComponent(OPERATOR_KEY)}`);
    await page.locator('.badge-operator').waitFor();

    await page.goto(`${hookline.url}/console#/endpoints?tenant_id=acme`);
    await page.locator(`tr[data-endpoint="${acmeEndpoint}"]`).waitFor();
    await expectRows('data-endpoint', [acmeEndpoint]);
    await page.locator('input[name=tenant_id]').fill('globex');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator(`tr[data-endpoint="${globexEndpoint}"]`).waitFor();
    await expectRows('data-endpoint', [globexEndpoint]);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator(`tr[data-endpoint="${internalEndpoint}"]`).waitFor();
    expect(await rowIds('data-endpoint')).toHaveLength(3);

    await page.goto(`${hookline.url}/console#/events?tenant_id=acme`);
    await page.locator(`tr[data-event="${acmeCreated.id}"]`).waitFor();
    for (const text of await page.locator('tr[data-event]').allInnerTexts())
      expect(text).toContain('acme');
    expect(await page.locator(`tr[data-event="${globexDead.id}"]`).count()).toBe(0);

    await page.goto(`${hookline.url}/console#/dead-letter?tenant_id=globex`);
    await page.locator(`tr[data-delivery="${globexDead.delivery}"]`).waitFor();
    await expectRows('data-delivery', [globexDead.delivery]);
    await page.goto(`${hookline.url}/console#/dead-letter?tenant_id=acme`);
    await page.getByText('Nothing in the dead letter for these filters.').waitFor();
  });

  test('the operator deletes a tenant: its endpoints go, the other tenant stays', async () => {
    await page.goto(`${hookline.url}/console#key=${encodeURIComponent(OPERATOR_KEY)}`);
    await page.locator('.badge-operator').waitFor();
    await nav('Tenants').click();
    await page.locator('tr[data-tenant="globex"]').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.locator('tr[data-tenant="globex"]').waitFor({ state: 'detached' });
    await expectRows('data-tenant', ['acme']);
    await expect(hookline.api('GET', `/v1/endpoints/${globexEndpoint}`)).rejects.toThrow(/404/);
  });

  test('no request went to any host but the producer, and no key was in a URL sent', () => {
    const origin = new URL(hookline.url).origin;
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(requested.some((url) => url.includes('key=') || url.includes('hlt_'))).toBe(false);
  });
});
