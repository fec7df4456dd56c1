import type { Browser, Page } from 'playwright-core';
import { waitFor } from '@hookline/core/testing';

/** A page of a new browser context, each request of which (to whatever host) `requested` gets. */
export async function openPage(browser: Browser, requested: string[]): Promise<Page> {
  const context = await browser.newContext();
  context.on('request', (request) => requested.push(request.url()));
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/**
 * What `read` gives once it is `expected`, else what it gave after a while, asserted. A page
 * shows its former state until its next answer comes, and can render twice as it opens (its
 * poll starts over when its filters settle), so one read right after a change may see either.
 */
export async function expectSettled<T>(
  read: () => Promise<T>,
  expected: T,
  message: string,
): Promise<void> {
  let shown: T | undefined;
  await waitFor(
    async () => {
      shown = await read();
      return JSON.stringify(shown) === JSON.stringify(expected);
    },
    { timeoutMs: 10_000, intervalMs: 100, message },
  ).catch(() => undefined);
  expect(shown).toEqual(expected);
}

/** The ids the table rows carry in `attribute` (`data-delivery`), top to bottom. */
export const rowIds = (page: Page, attribute: string) =>
  page
    .locator(`tr[${attribute}]`)
    .evaluateAll((rows, name) => rows.map((row) => row.getAttribute(name)), attribute);

/** The table's rows once they are `ids`, in this order. */
export const expectRows = (page: Page, attribute: string, ids: readonly string[]) =>
  expectSettled<readonly (string | null)[]>(
    () => rowIds(page, attribute),
    ids,
    `rows ${ids.join(', ')}`,
  );
