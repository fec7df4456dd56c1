import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserAvailable, launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY } from './hookline';

// Ordered endpoints in the console, in real headless Chromium against the built producer: the
// form's Ordering choice on create and edit, what the endpoint's page shows, and that an edit
// sends `ordering` only when it was changed.

const describeBrowser = browserAvailable() ? describe : describe.skip;
jest.setTimeout(60_000);

interface ShownEndpoint {
  id: string;
  description: string;
  ordering: { key: string } | null;
}

describeBrowser('ordered endpoints in the console (headless Chromium, built producer)', () => {
  let hookline: Hookline;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** The JSON bodies of the POSTs to /v1/endpoints and the PATCHes the page sent. */
  let creates: Record<string, unknown>[];
  let patches: Record<string, unknown>[];

  beforeAll(async () => {
    hookline = await Hookline.start('console-ord');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    creates = [];
    patches = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH')
        patches.push(request.postDataJSON() as Record<string, unknown>);
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/endpoints')
        creates.push(request.postDataJSON() as Record<string, unknown>);
    });
    await page.goto(`${hookline.url}/console`);
    await page.getByLabel('API key').fill(OPERATOR_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.badge-operator').waitFor();
  });

  afterEach(() => context.close());

  const notice = (text: string | RegExp) =>
    page.locator('.notices [role=status]').filter({ hasText: text }).last();
  const details = (term: string) =>
    page
      .locator('.details div')
      .filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) })
      .locator('dd');
  const get = (id: string) => hookline.api<ShownEndpoint>('GET', `/v1/endpoints/${id}`);
  const select = () => page.locator('select[name=ordering]');

  async function openForm(): Promise<void> {
    await page.locator('.nav').getByRole('link', { name: 'Endpoints', exact: true }).click();
    await page.getByRole('button', { name: 'New endpoint' }).click();
  }

  async function create(): Promise<string> {
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const created = notice(/^Created (ep_\w+)/);
    await created.waitFor();
    return /Created (ep_\w+)/.exec(await created.innerText())![1]!;
  }

  async function save(id: string): Promise<void> {
    await page.getByRole('button', { name: 'Save' }).click();
    await notice(`Saved ${id}.`).waitFor();
    await page.locator('select[name=ordering]').waitFor({ state: 'detached' });
  }

  test('the create form offers none, endpoint, resource and tenant, none chosen, with a hint', async () => {
    await openForm();
    expect(await select().inputValue()).toBe('');
    expect(await select().locator('option').allInnerTexts()).toEqual([
      'none: any order',
      'endpoint: one line for all its deliveries',
      "resource: a line per event's resource.id",
      "tenant: a line per event's tenant",
    ]);
    const hint = page.locator('label.field').filter({ has: select() }).locator('.hint');
    expect(await hint.innerText()).toMatch(
      /one at a time, in the order their events were accepted/,
    );
  });

  test('creates an ordered endpoint; its page shows the ordering', async () => {
    await openForm();
    await page.locator('input[name=url]').fill('http://127.0.0.1:9/ordered');
    await select().selectOption('resource');
    const id = await create();
    expect(creates.at(-1)).toMatchObject({ ordering: { key: 'resource' } });
    expect((await get(id)).ordering).toEqual({ key: 'resource' });

    await page.goto(`${hookline.url}/console#/endpoints/${id}`);
    await details('Ordering').filter({ hasText: 'resource' }).waitFor();
    expect(await details('Ordering').innerText()).toBe(
      "resource: a line per event's resource.id, one delivery at a time",
    );
  });

  test('an endpoint created with none chosen is unordered, and its page says none', async () => {
    await openForm();
    await page.locator('input[name=url]').fill('http://127.0.0.1:9/unordered');
    const id = await create();
    expect(creates.at(-1)).not.toHaveProperty('ordering');
    expect((await get(id)).ordering).toBeNull();
    await page.goto(`${hookline.url}/console#/endpoints/${id}`);
    await details('Ordering').filter({ hasText: 'none' }).waitFor();
  });

  test('an edit changes the ordering, leaves it alone when only another field changes, and none removes it', async () => {
    const { id } = await hookline.api<ShownEndpoint>('POST', '/v1/endpoints', {
      url: 'http://127.0.0.1:9/edited',
      ordering: { key: 'endpoint' },
    });
    await page.goto(`${hookline.url}/console#/endpoints/${id}`);
    await details('Ordering').filter({ hasText: 'endpoint' }).waitFor();

    await page.getByRole('button', { name: 'Edit' }).click();
    expect(await select().inputValue()).toBe('endpoint');
    await select().selectOption('tenant');
    await save(id);
    expect(patches[0]).toMatchObject({ ordering: { key: 'tenant' } });
    expect((await get(id)).ordering).toEqual({ key: 'tenant' });
    await details('Ordering').filter({ hasText: 'tenant' }).waitFor();

    await page.getByRole('button', { name: 'Edit' }).click();
    expect(await select().inputValue()).toBe('tenant');
    await page.locator('input[name=description]').fill('renamed');
    await save(id);
    expect(patches[1]).toMatchObject({ description: 'renamed' });
    expect(patches[1]).not.toHaveProperty('ordering');
    expect(await get(id)).toMatchObject({ description: 'renamed', ordering: { key: 'tenant' } });

    await page.getByRole('button', { name: 'Edit' }).click();
    await select().selectOption('');
    await save(id);
    expect(patches[2]).toMatchObject({ ordering: null });
    expect((await get(id)).ordering).toBeNull();
    await details('Ordering').filter({ hasText: 'none' }).waitFor();
  });
});
