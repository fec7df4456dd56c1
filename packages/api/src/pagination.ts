import { z } from 'zod';

/**
 * Each {@link queryInteger}'s range, for the OpenAPI document: there it is the integer a client
 * sends (OpenAPI writes a query integer in decimal), not the string check that parses it.
 */
export const QUERY_INTEGERS = new WeakMap<z.core.$ZodType, { minimum: number; maximum: number }>();

/**
 * A whole number in a query string, in decimal digits and nothing else. `Number()` (and so
 * `z.coerce.number()`) also reads `1e2`, `0x10`, ` 5` and `+5`, which no client writes for a
 * number and which only hide a mistake.
 */
export function queryInteger(min: number, max: number) {
  const schema = z
    .string()
    .regex(/^[0-9]{1,15}$/, 'must be a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
  QUERY_INTEGERS.set(schema, { minimum: min, maximum: max });
  return schema;
}

/** Items per page: 1–250, 50 when absent. */
export const Limit = queryInteger(1, 250).default(50).describe('items per page, 1–250');

/**
 * A list's query: `?limit=&cursor=`. A cursor is the `next_cursor` of an earlier page (the last
 * id of that page, or for tenants a `tenantCursor` of it), checked against `id`. Anything else is
 * refused (422 on `cursor`) rather than read as "from the start", so that a client holding a
 * corrupted cursor cannot loop over the first page forever.
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
