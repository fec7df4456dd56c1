import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserAvailable, launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY } from './hookline';

// RabbitMQ and NATS JetStream endpoints in the console, in real headless Chromium against the
// built producer: the create form's type choice and each type's fields, what the list and the
// endpoint's page show, and an edit that keeps the broker URL's credentials unless given a new one.

const describeBrowser = browserAvailable() ? describe : describe.skip;
jest.setTimeout(60_000);

const PASSWORD = 'console-broker-pa55';

interface ShownEndpoint {
  id: string;
  type: string;
  url: string;
  exchange: string | null;
  routing_key: string | null;
  subject: string | null;
  auth: unknown;
}

describeBrowser('broker endpoints in the console (headless Chromium, built producer)', () => {
  let hookline: Hookline;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** The JSON bodies of the PATCHes the page sent. */
  let patches: Record<string, unknown>[];

  beforeAll(async () => {
    hookline = await Hookline.start('console-brk', { HOOKLINE_ALLOW_INSECURE_URLS: 'true' });
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
    patches = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH')
        patches.push(request.postDataJSON() as Record<string, unknown>);
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

  test("the type choice shows that type's fields: HTTP's authentication, RabbitMQ's exchange and routing key, NATS's subject", async () => {
    await openForm();
    const type = page.locator('select[name=type]');
    expect(await type.locator('option').allInnerTexts()).toEqual([
      'HTTP',
      'RabbitMQ',
      'NATS JetStream',
    ]);
    await page.locator('select[name=auth_type]').waitFor();
    expect(await page.locator('input[name=exchange], input[name=subject]').count()).toBe(0);

    await type.selectOption('rabbitmq');
    await page.getByText('Broker URL').waitFor();
    expect(await page.locator('input[name=routing_key]').inputValue()).toBe('{event}');
    await page.locator('input[name=exchange]').waitFor();
    expect(await page.locator('select[name=auth_type], input[name=subject]').count()).toBe(0);

    await type.selectOption('nats');
    await page.locator('input[name=subject]').waitFor();
    expect(await page.locator('select[name=auth_type], input[name=exchange]').count()).toBe(0);
  });

  test('creates a rabbitmq endpoint; the list and its page show its configuration and never its password', async () => {
    await openForm();
    await page.locator('select[name=type]').selectOption('rabbitmq');
    await page.locator('input[name=url]').fill(`amqp://hookline:${PASSWORD}@127.0.0.1:5672/orders`);
    await page.locator('input[name=exchange]').fill('webhooks');
    await page.locator('input[name=routing_key]').fill('hooks.{event}');
    const id = await create();
    expect(await get(id)).toMatchObject({
      type: 'rabbitmq',
      url: 'amqp://hookline@127.0.0.1:5672/orders',
      exchange: 'webhooks',
      routing_key: 'hooks.{event}',
      auth: null,
    });

    const row = page.locator(`tr[data-endpoint="${id}"]`);
    await row.filter({ hasText: 'exchange webhooks, routing key hooks.{event}' }).waitFor();
    expect(await row.innerText()).toContain('RabbitMQ');
    expect(await page.content()).not.toContain(PASSWORD);

    await page.goto(`${hookline.url}/console#/endpoints/${id}`);
    await details('Type').filter({ hasText: 'RabbitMQ' }).waitFor();
    expect(await details('Broker').innerText()).toBe('amqp://hookline@127.0.0.1:5672/orders');
    expect(await details('Exchange').innerText()).toBe('webhooks');
    expect(await details('Routing key').innerText()).toBe('hooks.{event}');
    expect(await details('Authentication').count()).toBe(0);
    expect(await page.content()).not.toContain(PASSWORD);
  });

  test('creates a nats endpoint with its servers and subject; a subject the API refuses shows its error', async () => {
    await openForm();
    await page.locator('select[name=type]').selectOption('nats');
    await page
      .locator('input[name=url]')
      .fill(`nats://t0k-${PASSWORD}@127.0.0.1:4222,nats://127.0.0.2:4222`);
    await page.locator('input[name=subject]').fill('hooks.*');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.locator('.notices [role=alert]').filter({ hasText: 'subject' }).waitFor();

    await page.locator('input[name=subject]').fill('hooks.{event}');
    const id = await create();
    expect(await get(id)).toMatchObject({
      type: 'nats',
      url: 'nats://127.0.0.1:4222,nats://127.0.0.2:4222',
      subject: 'hooks.{event}',
    });
    await page.goto(`${hookline.url}/console#/endpoints/${id}`);
    await details('Type').filter({ hasText: 'NATS JetStream' }).waitFor();
    expect(await details('Servers').innerText()).toBe(
      'nats://127.0.0.1:4222,nats://127.0.0.2:4222',
    );
    expect(await details('Subject').innerText()).toBe('hooks.{event}');
    expect(await page.content()).not.toContain(PASSWORD);
  });

  test('editing a broker endpoint changes its own fields; an empty URL keeps the stored one, a new one replaces it', async () => {
    const { id } = await hookline.api<ShownEndpoint>('POST', '/v1/endpoints', {
      type: 'rabbitmq',
      url: `amqp://hookline:${PASSWORD}@127.0.0.1:5672`,
    });
    await page.goto(`${hookline.url}/console#/endpoints/${id}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    const url = page.locator('input[name=url]');
    expect(await url.inputValue()).toBe('');
    expect(await url.getAttribute('placeholder')).toBe('amqp://hookline@127.0.0.1:5672');
    expect(await page.locator('select[name=type], select[name=auth_type]').count()).toBe(0);
    await page.locator('input[name=routing_key]').fill('orders.{event}');
    await page.getByRole('button', { name: 'Save' }).click();
    await notice(`Saved ${id}.`).waitFor();
    expect(patches).toHaveLength(1);
    expect(patches[0]).not.toHaveProperty('url');
    expect(patches[0]).toMatchObject({ exchange: '', routing_key: 'orders.{event}' });
    expect(await get(id)).toMatchObject({
      url: 'amqp://hookline@127.0.0.1:5672',
      routing_key: 'orders.{event}',
    });
    await details('Routing key').filter({ hasText: 'orders.{event}' }).waitFor();

    await page.getByRole('button', { name: 'Edit' }).click();
    await page.locator('input[name=url]').fill(`amqp://other:${PASSWORD}@127.0.0.1:5672/vh`);
    await page.getByRole('button', { name: 'Save' }).click();
    await notice(`Saved ${id}.`).last().waitFor();
    await details('Broker').filter({ hasText: 'amqp://other@127.0.0.1:5672/vh' }).waitFor();
    expect(patches[1]).toMatchObject({ url: `amqp://other:${PASSWORD}@127.0.0.1:5672/vh` });
    expect(await page.content()).not.toContain(PASSWORD);
  });

  test('editing a nats endpoint changes its subject', async () => {
    const { id } = await hookline.api<ShownEndpoint>('POST', '/v1/endpoints', {
      type: 'nats',
      url: 'nats://127.0.0.1:4222',
      subject: 'a',
    });
    await page.goto(`${hookline.url}/console#/endpoints/${id}`);
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.locator('input[name=subject]').fill('b.{event}');
    await page.getByRole('button', { name: 'Save' }).click();
    await notice(`Saved ${id}.`).waitFor();
    await details('Subject').filter({ hasText: 'b.{event}' }).waitFor();
    expect(patches[0]).toMatchObject({ subject: 'b.{event}' });
    expect(patches[0]).not.toHaveProperty('url');
    expect(patches[0]).not.toHaveProperty('exchange');
  });
});
