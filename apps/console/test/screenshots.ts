// `npm run screenshots -w @hookline/console` (after `npm run build`): starts a Hookline of its
// own (built producer and dispatcher, a fresh Redis prefix, receivers on 127.0.0.1), fills it
// with endpoints and events, and writes a screenshot of each main page to docs/console/.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '@hookline/core/testing';
import { launchBrowser } from './browser';
import { Hookline, OPERATOR_KEY, Receiver } from './hookline';

const OUT = path.join(__dirname, '..', '..', '..', 'docs', 'console');

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
    const endpoint = (url: string, description: string, event_types: string[] = []) =>
      hookline.api<{ id: string }>('POST', '/v1/endpoints', { url, description, event_types });
    const orders = await endpoint(`${healthy.url}/orders`, 'Order service', ['order.*']);
    await endpoint(`${healthy.url}/billing`, 'Billing: invoices and refunds', [
      'invoice.*',
      'refund.*',
    ]);
    await endpoint(`${healthy.url}/warehouse`, 'Warehouse sync', ['order.filled', 'stock.*']);
    await endpoint(`${flaky.url}/partner`, 'Partner integration (answers 503)', ['order.*']);

    const names = [
      'order.created',
      'order.filled',
      'invoice.paid',
      'stock.low',
      'order.shipped',
      'refund.issued',
    ];
    const events: string[] = [];
    for (let i = 0; i < 12; i++) {
      const name = names[i % names.length]!;
      const { id } = await hookline.api<{ id: string }>('POST', '/v1/events', {
        name,
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
    const { deliveries } = await hookline.api<{ deliveries: Delivery[] }>(
      'GET',
      `/v1/events/${events[1]}`,
    );
    const dead = deliveries.find((d) => d.status === 'dead')!;

    const page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    page.setDefaultTimeout(20_000);
    const shot = async (name: string) => {
      await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: false });
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
    await page.locator('tr[data-delivery]').first().waitFor();
    await shot('overview');

    await open('endpoints', 'tr[data-endpoint]');
    await shot('endpoints');

    await open(`endpoints/${orders.id}`, 'tr[data-delivery]');
    await shot('endpoint');

    await open('dead-letter', 'tr[data-delivery]');
    await page.locator('tr[data-delivery] input[type=checkbox]').nth(1).check();
    await page.locator('tr[data-delivery] input[type=checkbox]').nth(2).check();
    await shot('dead-letter');

    await open(`deliveries/${dead.id}`, 'tr[data-attempt]');
    await shot('delivery');

    await open(`events/${events[1]}`, 'pre.code');
    await shot('event');
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
