// `npm run screenshots -w @hookline/console` (after `npm run build`): starts a Hookline of its
// own (built producer and dispatcher, a fresh Redis prefix, receivers on 127.0.0.1), fills it
// with three tenants' endpoints and events, and writes a screenshot of each main page, and of
// a tenant's portal, to docs/console/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '@hookline/core/testing';
import { launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY, Receiver } from './hookline';

const OUT = path.join(__dirname, '..', '..', '..', 'docs', 'console');
const VIEWPORT = { width: 1280, height: 820 };

interface Delivery {
  id: string;
  status: string;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const healthy = await Receiver.start();
  const flaky = await Receiver.start();
  flaky.status = 503;
  const hookline = await Hookline.start('screens');
  const browser = await launchBrowser();
  try {
    const endpoint = (
      url: string,
      tenant_id: string | undefined,
      description: string,
      event_types: string[] = [],
    ) =>
      hookline.api<{ id: string }>('POST', '/v1/endpoints', {
        url,
        tenant_id,
        description,
        event_types,
      });
    const orders = await endpoint(`${healthy.url}/acme/orders`, 'acme', 'Order service', [
      'order.*',
    ]);
    await endpoint(`${healthy.url}/acme/billing`, 'acme', 'Billing: invoices and refunds', [
      'invoice.*',
      'refund.*',
    ]);
    await endpoint(`${healthy.url}/globex/warehouse`, 'globex', 'Warehouse sync', [
      'order.filled',
      'stock.*',
    ]);
    await endpoint(`${flaky.url}/globex/partner`, 'globex', 'Partner integration (answers 503)', [
      'order.*',
    ]);
    await endpoint(`${healthy.url}/initech/crm`, 'initech', 'CRM sync', ['order.created']);
    await endpoint(`${healthy.url}/ops`, undefined, 'Operations: dead deliveries', [
      'hookline.delivery.dead',
    ]);

    // Each tenant's events, in the order published: globex's order events die at the partner.
    const published: [string, string][] = [
      ['acme', 'order.created'],
      ['globex', 'order.filled'],
      ['initech', 'order.created'],
      ['acme', 'invoice.paid'],
      ['globex', 'stock.low'],
      ['acme', 'order.shipped'],
      ['acme', 'refund.issued'],
      ['globex', 'order.created'],
      ['initech', 'order.created'],
      ['acme', 'order.filled'],
      ['globex', 'stock.low'],
      ['acme', 'invoice.paid'],
      ['globex', 'order.shipped'],
      ['initech', 'order.created'],
      ['acme', 'order.created'],
      ['globex', 'stock.low'],
    ];
    const events: string[] = [];
    for (const [i, [tenant_id, name]] of published.entries()) {
      const { id } = await hookline.api<{ id: string }>('POST', '/v1/events', {
        name,
        tenant_id,
        resource: { id: `ord_${1040 + i}`, resource_type: 'order' },
        data: { order_id: `ord_${1040 + i}`, amount: 1250 + i * 75, currency: 'EUR' },
      });
      events.push(id);
    }
    // Everything settled: delivered, or dead after its three attempts.
    await waitFor(
      async () => {
        for (const id of events) {
          const { deliveries } = await hookline.api<{ deliveries: Delivery[] }>(
            'GET',
            `/v1/events/${id}`,
          );
          if (deliveries.some((d) => d.status !== 'delivered' && d.status !== 'dead')) return false;
        }
        return true;
      },
      { timeoutMs: 30_000, message: 'every delivery to settle' },
    );
    // globex's order.filled: delivered to the warehouse, dead at the partner.
    const { deliveries } = await hookline.api<{ deliveries: Delivery[] }>(
      'GET',
      `/v1/events/${events[1]}`,
    );
    const dead = deliveries.find((d) => d.status === 'dead')!;

    const page = await browser.newPage({ viewport: VIEWPORT });
    page.setDefaultTimeout(20_000);
    const shot = async (name: string, on = page) => {
      await on.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: false });
      process.stdout.write(`docs/console/${name}.png\n`);
    };
    const open = async (route: string, ready: string) => {
      await page.goto(`${hookline.url}/console#/${route}`);
      await page.locator(ready).first().waitFor();
    };

    await page.goto(`${hookline.url}/console`);
    await page.getByLabel('API key').waitFor();
    await shot('sign-in');

    await page.getByLabel('API key').fill(OPERATOR_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-figure="Success ratio"]').waitFor();
    await page.locator('tr[data-event] .badge').first().waitFor();
    await page.locator('tr[data-delivery]').first().waitFor();
    await shot('overview');

    await open('tenants', 'tr[data-tenant] td.num a');
    await page
      .locator('tr[data-tenant="acme"]')
      .getByRole('button', { name: 'Portal link' })
      .click();
    await page.locator('.notices input').waitFor();
    await shot('tenants');
    // The link stays on screen until dismissed: not on the other pictures.
    await page.getByRole('button', { name: 'dismiss' }).click();

    await open('endpoints', 'tr[data-endpoint]');
    await shot('endpoints');

    await open(`endpoints/${orders.id}`, 'tr[data-delivery]');
    await shot('endpoint');

    await open('events', 'tr[data-event] .badge');
    await shot('events');

    await open('dead-letter', 'tr[data-delivery]');
    await page.locator('tr[data-delivery] input[type=checkbox]').nth(1).check();
    await page.locator('tr[data-delivery] input[type=checkbox]').nth(2).check();
    await shot('dead-letter');

    await open(`deliveries/${dead.id}`, 'tr[data-attempt]');
    await shot('delivery');

    await open(`events/${events[1]}`, 'pre.code');
    await shot('event');

    // The tenant portal: globex's people, signed in through the link an operator sent them.
    const { portal_url } = await hookline.api<{ portal_url: string }>(
      'POST',
      '/v1/tenants/globex/keys',
      {},
    );
    const portal = await browser.newPage({ viewport: VIEWPORT });
    portal.setDefaultTimeout(20_000);
    await portal.goto(portal_url);
    await portal.locator('.badge-tenant').waitFor();
    await portal.locator('[data-figure="Success ratio"]').waitFor();
    await portal.locator('tr[data-event] .badge').first().waitFor();
    await portal.locator('tr[data-delivery]').first().waitFor();
    await shot('portal', portal);
  } finally {
    await browser.close();
    await hookline.close();
    await healthy.close();
    await flaky.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
