import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserAvailable, launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY } from './hookline';

// The console's operator keys page in real headless Chromium, against the built producer and
// dispatcher: create (the key shown once, with a copy button), rotate, revoke; and a tenant
// session that never sees the page.

const describeBrowser = browserAvailable() ? describe : describe.skip;
jest.setTimeout(60_000);

interface CreatedOperatorKey {
  id: string;
  key: string;
}

describeBrowser('the console’s operator keys (headless Chromium, built producer)', () => {
  let hookline: Hookline;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    hookline = await Hookline.start('console-opk');
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await hookline?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: hookline.url,
    });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });

  afterEach(() => context.close());

  /** Signs in with a key through the form, as an operator would. */
  async function signIn(key: string): Promise<void> {
    await page.goto(`${hookline.url}/console`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Whether `key` opens the API now. */
  const works = async (key: string) =>
    (await fetch(`${hookline.url}/v1/tenants`, { headers: { authorization: `Bearer ${key}` } }))
      .status;

  const nav = (name: string) => page.locator('.nav').getByRole('link', { name, exact: true });
  const notice = (text: string | RegExp) =>
    page.locator('.notices [role=status]').filter({ hasText: text }).last();
  const row = (id: string) => page.locator(`tr[data-operator-key="${id}"]`);

  /** Makes a key through the API, opens the page as an operator, and confirms `action` on its row. */
  async function confirmedOnRow(name: string, action: string): Promise<CreatedOperatorKey> {
    const made = await hookline.api<CreatedOperatorKey>('POST', '/v1/operator-keys', { name });
    await signIn(OPERATOR_KEY);
    await nav('Operator keys').click();
    await row(made.id).getByRole('button', { name: action }).click();
    await row(made.id).getByRole('button', { name: 'Yes' }).click();
    return made;
  }

  /** Makes a key on the page; returns it as the notice shows it, and its id. */
  async function createOnPage(name: string): Promise<{ id: string; key: string }> {
    await page.locator('input[name=key_name]').fill(name);
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = notice(`Created operator key ${name}`);
    const key = await shown.getByLabel('value to copy').inputValue();
    expect(key).toMatch(/^hlo_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
    return { id: `opk_${key.split('_')[1]}`, key };
  }

  test('an operator creates a key, shown once with a copy button; the key opens the API and the console', async () => {
    await signIn(OPERATOR_KEY);
    await nav('Operator keys').click();
    await page.getByRole('heading', { name: 'Operator keys' }).waitFor();
    const { id, key } = await createOnPage('browser bot');
    await notice('Created operator key browser bot').getByRole('button', { name: 'Copy' }).click();
    await notice('Created operator key browser bot')
      .getByRole('button', { name: 'Copied' })
      .waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await row(id).getByText('browser bot').waitFor();
    expect(await works(key)).toBe(200);

    // Shown once: the list, opened again, holds no key.
    await page.reload();
    await row(id).waitFor();
    // A key's secret is its last 43 characters (`hlo_<id>_<secret>`; the secret may hold `_`).
    expect(await page.content()).not.toContain(key.slice(-43));

    // The managed key signs in as an operator.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(key);
    await page.locator('.badge-operator').waitFor();
  });

  test('rotating shows the new key; the old one keeps working for the grace period', async () => {
    const made = await confirmedOnRow('to rotate', 'Rotate');
    const newKey = await notice('New key for to rotate').getByLabel('value to copy').inputValue();
    expect(newKey).not.toBe(made.key);
    expect(newKey.startsWith(`hlo_${made.id.slice('opk_'.length)}_`)).toBe(true);
    expect(await works(newKey)).toBe(200);
    expect(await works(made.key)).toBe(200);
    // The row says until when the old key works.
    await row(made.id).locator('td').nth(4).locator('time').waitFor();
  });

  test('revoking removes the key from the list and it is refused at once', async () => {
    const made = await confirmedOnRow('to revoke', 'Revoke');
    await notice('Revoked to revoke').waitFor();
    await row(made.id).waitFor({ state: 'detached' });
    expect(await works(made.key)).toBe(401);
  });

  test('a bad lifetime shows the API’s error and makes no key', async () => {
    await signIn(OPERATOR_KEY);
    await nav('Operator keys').click();
    await page.getByRole('heading', { name: 'Operator keys' }).waitFor();
    const before = (await hookline.api<{ data: unknown[] }>('GET', '/v1/operator-keys?limit=250'))
      .data.length;
    await page.locator('input[name=expires_in]').fill('forever');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.locator('.notices [role=alert]').filter({ hasText: 'expires_in' }).waitFor();
    const after = (await hookline.api<{ data: unknown[] }>('GET', '/v1/operator-keys?limit=250'))
      .data.length;
    expect(after).toBe(before);
  });

  test('a tenant session has no operator keys page', async () => {
    const { portal_url } = await hookline.api<{ portal_url: string }>(
      'POST',
      '/v1/tenants/opk-acme/keys',
      {},
    );
    await page.goto(portal_url);
    await page.locator('.badge-tenant').waitFor();
    expect(await nav('Operator keys').count()).toBe(0);
    await page.goto(`${hookline.url}/console#/operator-keys`);
    await page.getByText('No such page.').waitFor();
    expect(await page.getByRole('heading', { name: 'Operator keys' }).count()).toBe(0);
  });
});
