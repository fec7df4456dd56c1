import { z } from 'zod';

/** Items per page: 1–250, 50 when absent. */
export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(250)
  .default(50)
  .describe('items per page, 1–250');

/**
 * A list's query: `?limit=&cursor=`. A cursor is the `next_cursor` of an earlier page (the last
 * id of that page, checked against `id`). Anything else is refused (422 on `cursor`) rather than
 * read as "from the start", so that a client holding a corrupted cursor cannot loop over the
 * first page forever.
 */
export function pageQuery(id: z.ZodType<string>) {
  return z.strictObject({
    limit: Limit,
    cursor: z
      .string()
      .refine((text) => id.safeParse(text).success, 'is not a next_cursor this list handed out')
      .optional()
      .describe('the next_cursor of the previous page'),
  });
}

/** What every list answers: `{data, next_cursor}`; `next_cursor` is null on the last page. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

/** A page request as the stores take it. */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** A page as the stores return it. */
export interface PageResult<T> {
  data: T[];
  next_cursor: string | null;
}
