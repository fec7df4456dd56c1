import type { Page } from './types';

/** Fetches the page that starts after `cursor` (the first page when `undefined`). */
export type PageFetcher<T> = (cursor: string | undefined) => Promise<Page<T>>;

/**
 * A cursor-paginated list. Nothing is requested until it is read:
 *
 * - `for await (const item of pager)`: every item, page after page;
 * - `pager.pages()`: page after page;
 * - `pager.first()`: one page, for callers that keep the cursor themselves.
 */
export class Pager<T> implements AsyncIterable<T> {
  constructor(
    private readonly fetchPage: PageFetcher<T>,
    private readonly startCursor?: string,
  ) {}

  /** The first page (after the `cursor` the list was asked with, if any). */
  first(): Promise<Page<T>> {
    return this.fetchPage(this.startCursor);
  }

  async *pages(): AsyncGenerator<Page<T>, void, undefined> {
    let cursor = this.startCursor;
    for (;;) {
      const page = await this.fetchPage(cursor);
      yield page;
      if (page.next_cursor === null) return;
      // A cursor that does not move would page forever; the API never sends one, but a proxy
      // replaying a cached answer could.
      if (page.next_cursor === cursor)
        throw new Error(`the list's cursor did not advance past ${cursor}`);
      cursor = page.next_cursor;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page.data;
  }

  /** Every item, or the first `max`; stops requesting pages once it has them. */
  async toArray(max = Number.POSITIVE_INFINITY): Promise<T[]> {
    const items: T[] = [];
    if (items.length >= max) return items;
    for await (const item of this) {
      items.push(item);
      if (items.length >= max) break;
    }
    return items;
  }
}
