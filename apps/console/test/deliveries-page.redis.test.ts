import type { Browser, Page } from 'playwright-core';
import { browserAvailable, launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY, Receiver } from './hookline';
import { expectRows as expectRowsOf, openPage, rowIds as rowIdsOf } from './page';

// The Deliveries page (a search of the log) in real headless Chromium, against the built
// producer and dispatcher on a log of their own. Two tenants: acme has an endpoint that answers
// 200 and one that answers 500 (its deliveries die), globex one that answers 200.

const describeBrowser = browserAvailable() ? describe : describe.skip;
jest.setTimeout(60_000);

interface TenantKey {
  portal_url: string;
}
interface Delivery {
  id: string;
  endpoint_id: string;
  status: string;
}
/** A delivery as this file made it: what each filter is about. */
interface Made {
  id: string;
  tenant: string;
  endpoint: string;
  status: 'delivered' | 'dead';
  name: string;
  resource: string;
  httpStatus: number;
}

describeBrowser('the Deliveries page (headless Chromium, built producer and dispatcher)', () => {
  let hookline: Hookline;
  let okReceiver: Receiver;
  let failingReceiver: Receiver;
  let browser: Browser;
  let page: Page;
  let acmeOk: string;
  let acmeFailing: string;
  let globexOk: string;
  const made: Made[] = [];
  const requested: string[] = [];

  async function publish(tenant: string, name: string, resource: string): Promise<void> {
    const { id } = await hookline.api<{ id: string }>('POST', '/v1/events', {
      name,
      tenant_id: tenant,
      resource: { id: resource, resource_type: 'order' },
      data: {},
    });
    const { deliveries } = await hookline.api<{ deliveries: Delivery[] }>(
      'GET',
      `/v1/events/${id}`,
    );
    for (const d of deliveries) {
      const failing = d.endpoint_id === acmeFailing;
      made.push({
        id: d.id,
        tenant,
        endpoint: d.endpoint_id,
        status: failing ? 'dead' : 'delivered',
        name,
        resource,
        httpStatus: failing ? 500 : 200,
      });
    }
  }

  beforeAll(async () => {
    okReceiver = await Receiver.start();
    failingReceiver = await Receiver.start();
    failingReceiver.status = 500;
    hookline = await Hookline.start('deliveries');
    browser = await launchBrowser();
    const create = async (url: string, tenant_id: string) =>
      (await hookline.api<{ id: string }>('POST', '/v1/endpoints', { url, tenant_id })).id;
    acmeOk = await create(`${okReceiver.url}/acme`, 'acme');
    acmeFailing = await create(`${failingReceiver.url}/acme`, 'acme');
    globexOk = await create(`${okReceiver.url}/globex`, 'globex');

    await publish('acme', 'order.created', 'ord_1');
    await publish('acme', 'order.filled', 'ord_2');
    await publish('acme', 'invoice.sent', 'inv_1');
    await publish('globex', 'order.created', 'ord_1');
    expect(made).toHaveLength(7);
    const logged = new Map(
      (await hookline.settledDeliveries(made.length)).map((d) => [d.id, d.status]),
    );
    expect(made.map((m) => logged.get(m.id))).toEqual(made.map((m) => m.status));
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.close();
    await Promise.all([okReceiver, failingReceiver].map((r) => r?.close()));
  });

  beforeEach(async () => {
    page = await openPage(browser, requested);
  });

  afterEach(() => page.context().close());

  const nav = (name: string) => page.locator('.nav').getByRole('link', { name, exact: true });
  const rowIds = () => rowIdsOf(page, 'data-delivery');
  const expectRows = (ids: readonly string[]) => expectRowsOf(page, 'data-delivery', ids);
  /** `GET /v1/deliveries`'s ids for these filters, with the operator key. */
  const listed = async (filters: Record<string, string>) =>
    (
      await hookline.api<{ data: Delivery[] }>(
        'GET',
        `/v1/deliveries?${new URLSearchParams({ ...filters, limit: '100' }).toString()}`,
      )
    ).data.map((d) => d.id);
  const ids = (which: (m: Made) => boolean) =>
    made
      .filter(which)
      .map((m) => m.id)
      .sort();

  async function openAsOperator(): Promise<void> {
    await page.goto(`${hookline.url}/console#key=${encodeURIComponent(OPERATOR_KEY)}`);
    await page.locator('.badge-operator').waitFor();
    await nav('Deliveries').click();
    await page.getByRole('heading', { name: 'Deliveries', exact: true }).waitFor();
  }

  /**
   * Fills the form from empty and searches: the table shows what `GET /v1/deliveries` answers
   * for the same filters, in its order, and that is the deliveries `expected` picks out.
   */
  async function search(filters: Record<string, string>, expected: (m: Made) => boolean) {
    for (const [name, value] of Object.entries(filters)) {
      if (name === 'status') await page.locator('select[name=status]').selectOption(value);
      else await page.locator(`input[name=${name}]`).fill(value);
    }
    await page.getByRole('button', { name: 'Search' }).click();
    const answer = await listed(filters);
    expect({ filters, ids: [...answer].sort() }).toEqual({ filters, ids: ids(expected) });
    expect(answer.length).toBeGreaterThan(0);
    await expectRows(answer);
    const query = new URLSearchParams(page.url().split('?')[1] ?? '');
    expect(Object.fromEntries(query)).toEqual(filters);
    await page.getByRole('button', { name: 'Clear' }).click();
    await expectRows(await listed({}));
  }

  test('lists every delivery, newest first, as the API does', async () => {
    await openAsOperator();
    const all = await listed({});
    expect([...all].sort()).toEqual(ids(() => true));
    await expectRows(all);
    expect(await page.getByText('No delivery').count()).toBe(0);
  });

  test('searches by status, endpoint, name prefix, resource, last HTTP status and tenant', async () => {
    await openAsOperator();
    await expectRows(await listed({}));
    await search({ status: 'dead' }, (m) => m.status === 'dead');
    await search({ endpoint_id: acmeOk }, (m) => m.endpoint === acmeOk);
    await search({ name: 'order.*' }, (m) => m.name.startsWith('order.'));
    await search({ resource_id: 'ord_1' }, (m) => m.resource === 'ord_1');
    await search({ http_status: '500' }, (m) => m.httpStatus === 500);
    await search({ tenant_id: 'globex' }, (m) => m.tenant === 'globex');
    // Filters together are all of them at once.
    await search(
      { status: 'delivered', name: 'order.*', resource_id: 'ord_1' },
      (m) => m.status === 'delivered' && m.name.startsWith('order.') && m.resource === 'ord_1',
    );
  });

  test('a search that finds nothing says so; Clear empties the form and lists everything again', async () => {
    await openAsOperator();
    await page.locator('input[name=name]').fill('refund.*');
    await page.locator('select[name=status]').selectOption('delivered');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No delivery matches these filters.').waitFor();
    expect(await rowIds()).toEqual([]);

    await page.getByRole('button', { name: 'Clear' }).click();
    await expectRows(await listed({}));
    expect(page.url()).toBe(`${hookline.url}/console#/deliveries`);
    for (const name of ['tenant_id', 'endpoint_id', 'name', 'resource_id', 'http_status'])
      expect(await page.locator(`input[name=${name}]`).inputValue()).toBe('');
    expect(await page.locator('select[name=status]').inputValue()).toBe('');
    expect(await page.getByRole('button', { name: 'Clear' }).count()).toBe(0);
  });

  test('a tenant’s portal lists and searches only its own deliveries', async () => {
    const { portal_url } = await hookline.api<TenantKey>('POST', '/v1/tenants/acme/keys', {});
    await page.goto(portal_url);
    await page.locator('.badge-tenant').filter({ hasText: 'acme' }).waitFor();
    await nav('Deliveries').click();
    const acme = await listed({ tenant_id: 'acme' });
    expect([...acme].sort()).toEqual(ids((m) => m.tenant === 'acme'));
    await expectRows(acme);
    expect(await page.locator('input[name=tenant_id]').count()).toBe(0);

    await page.locator('input[name=name]').fill('order.*');
    await page.getByRole('button', { name: 'Search' }).click();
    await expectRows(await listed({ tenant_id: 'acme', name: 'order.*' }));

    // Another tenant's, asked for in the address: its tenant filter is not the portal's to
    // use, and its endpoint finds nothing.
    await page.goto(`${hookline.url}/console#/deliveries?tenant_id=globex`);
    await expectRows(acme);
    await page.goto(`${hookline.url}/console#/deliveries?endpoint_id=${globexOk}`);
    await page.getByText('No delivery matches these filters.').waitFor();
    expect(await rowIds()).toEqual([]);

    const globex = made.filter((m) => m.tenant === 'globex').map((m) => m.id);
    const markup = await page.content();
    for (const id of globex)
      expect({ id, shown: markup.includes(id) }).toEqual({ id, shown: false });
  });

  test('no request went to any host but the producer, and no key was in a URL sent', () => {
    expect(requested.some((url) => url.includes('/v1/deliveries?'))).toBe(true);
    const origin = new URL(hookline.url).origin;
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(requested.some((url) => url.includes('key=') || url.includes('hlt_'))).toBe(false);
  });
});
