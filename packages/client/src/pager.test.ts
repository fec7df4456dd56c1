import { Pager } from './pager';
import type { Page } from './types';

/** A list of `items` served `size` at a time, recording each cursor asked for. */
function pagesOf(items: number[], size: number) {
  const asked: (string | undefined)[] = [];
  const fetch = (cursor: string | undefined): Promise<Page<number>> => {
    asked.push(cursor);
    const start = cursor === undefined ? 0 : Number(cursor) + 1;
    const data = items.slice(start, start + size);
    const more = start + size < items.length;
    return Promise.resolve({ data, next_cursor: more ? String(start + size - 1) : null });
  };
  return { fetch, asked };
}

test('iterates every item across pages, asking for each page with the previous cursor', async () => {
  const { fetch, asked } = pagesOf([0, 1, 2, 3, 4], 2);
  const seen: number[] = [];
  for await (const item of new Pager(fetch)) seen.push(item);
  expect(seen).toEqual([0, 1, 2, 3, 4]);
  expect(asked).toEqual([undefined, '1', '3']);
});

test('requests nothing until read', () => {
  const { fetch, asked } = pagesOf([1], 1);
  new Pager(fetch);
  expect(asked).toEqual([]);
});

test('toArray(max) stops requesting pages once it has max items', async () => {
  const { fetch, asked } = pagesOf([0, 1, 2, 3, 4, 5], 2);
  expect(await new Pager(fetch).toArray(3)).toEqual([0, 1, 2]);
  expect(asked).toHaveLength(2);
});

test('starts after the cursor it was given', async () => {
  const { fetch } = pagesOf([0, 1, 2, 3], 2);
  expect(await new Pager(fetch, '1').toArray()).toEqual([2, 3]);
  expect(await new Pager(fetch, '1').first()).toEqual({ data: [2, 3], next_cursor: null });
});

test('a cursor that does not advance is an error, not an endless loop', async () => {
  const stuck = () => Promise.resolve({ data: [1], next_cursor: 'same' });
  await expect(new Pager(stuck, 'same').toArray()).rejects.toThrow(/did not advance/);
});
