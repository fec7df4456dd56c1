// Multi-row statements with one parameter per column, whatever the number of rows: each column's
// values go as one array and `unnest` turns the arrays back into rows. A batch of a thousand
// changes is then one statement of a dozen parameters, not a statement per change, nor a VALUES
// list whose parameters could pass Postgres's 65,535.

/** One column of a multi-row statement: its name, its Postgres type and its value in a row. */
export interface Column<T> {
  name: string;
  type: string;
  value: (row: T) => unknown;
}

/** `unnest($1::text[], …)`, its column names, and the arrays to pass as its parameters. */
export function unnestOf<T>(
  columns: readonly Column<T>[],
  rows: readonly T[],
): { from: string; names: string; values: unknown[][] } {
  return {
    from: `unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})`,
    names: columns.map((c) => c.name).join(', '),
    values: columns.map((c) => rows.map((row) => c.value(row))),
  };
}

/** `INSERT INTO table (…) SELECT * FROM unnest(…) <onConflict>` for all `rows`. */
export function insertRows<T>(
  table: string,
  columns: readonly Column<T>[],
  rows: readonly T[],
  onConflict: string,
): { text: string; values: unknown[][] } {
  const { from, names, values } = unnestOf(columns, rows);
  return { text: `INSERT INTO ${table} (${names}) SELECT * FROM ${from} ${onConflict}`, values };
}
