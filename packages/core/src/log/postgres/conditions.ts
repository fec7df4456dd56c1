import type { IdPrefix } from '@hookline/api';
import { idFloor, idTime } from '../../ids';
import { iso } from './time';

// The WHERE of a search, built from its optional filters with numbered parameters. Filters on
// time go on both `id` (ids sort by creation time: the pages and the indexes are ranges of ids)
// and `created_at` (the partition key: a bound on it leaves out the partitions it excludes).

export class Conditions {
  private readonly parts: string[] = [];

  /**
   * @param alias the table's alias in a join (`d`): every column named is then its.
   * @param values the parameters, when several sets of conditions share a statement's.
   */
  constructor(
    private readonly alias?: string,
    readonly values: unknown[] = [],
  ) {}

  /** Conditions on another table of the same statement, numbering parameters after these. */
  on(alias: string): Conditions {
    return new Conditions(alias, this.values);
  }

  private column(name: string): string {
    return this.alias === undefined ? name : `${this.alias}.${name}`;
  }

  /** `$n` for `value`, which the statement will be given. */
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  and(condition: string): this {
    this.parts.push(condition);
    return this;
  }

  /** `WHERE a AND b`, or nothing without a condition. */
  where(): string {
    return this.parts.length === 0 ? '' : `WHERE ${this.all()}`;
  }

  /** `a AND b`, or `true` without a condition. */
  all(): string {
    return this.parts.length === 0 ? 'true' : this.parts.join(' AND ');
  }

  /** One value of a list, or any of several (`= ANY`), when given. */
  oneOf(name: string, value: unknown): this {
    if (value === undefined) return this;
    if (!Array.isArray(value)) return this.equal(name, value);
    return this.and(`${this.column(name)} = ANY(${this.param(value)})`);
  }

  /** A tenant filter: absent is every tenant, null only what has none. */
  tenant(name: string, tenant: string | null | undefined): this {
    const column = this.column(name);
    if (tenant === null) return this.and(`${column} IS NULL`);
    return tenant === undefined ? this : this.and(`${column} = ${this.param(tenant)}`);
  }

  /** A boolean column: true, false, or either when absent. */
  flag(name: string, value: boolean | undefined): this {
    if (value === undefined) return this;
    return this.and(value ? this.column(name) : `NOT ${this.column(name)}`);
  }

  /** An equality filter, when the value is given. */
  equal(name: string, value: unknown): this {
    return value === undefined ? this : this.and(`${this.column(name)} = ${this.param(value)}`);
  }

  /**
   * A name filter: exact, or `prefix.*` for names starting with `prefix.`. A prefix is the range
   * [`prefix.`, `prefix/`) (`/` follows `.` in ASCII), which a btree index on the "C"-collated
   * column answers; a LIKE pattern would also need its `_` escaped.
   */
  name(column: string, name: string | undefined): this {
    if (name === undefined) return this;
    if (!name.endsWith('*')) return this.equal(column, name);
    const qualified = this.column(column);
    const prefix = name.slice(0, -1);
    if (prefix === '') return this;
    const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
    return this.and(`${qualified} >= ${this.param(prefix)} AND ${qualified} < ${this.param(end)}`);
  }

  /** Created at or after `since`, before `until` (ms), for ids of `prefix`. */
  created(prefix: IdPrefix, since: number | undefined, until: number | undefined): this {
    if (since !== undefined) {
      this.and(`${this.column('id')} >= ${this.param(idFloor(prefix, since))}`);
      this.and(`${this.column('created_at')} >= ${this.param(iso(since))}`);
    }
    if (until !== undefined) {
      this.and(`${this.column('id')} < ${this.param(idFloor(prefix, until))}`);
      this.and(`${this.column('created_at')} < ${this.param(iso(until))}`);
    }
    return this;
  }

  /** Ids before `cursor` (newest-first pages) or after it (oldest-first pages). */
  beyond(cursor: string | undefined, direction: 'before' | 'after'): this {
    if (cursor === undefined) return this;
    const [ids, times] = direction === 'before' ? ['<', '<='] : ['>', '>='];
    this.and(`${this.column('id')} ${ids} ${this.param(cursor)}`);
    const ms = idTime(cursor);
    if (ms !== undefined) this.and(`${this.column('created_at')} ${times} ${this.param(iso(ms))}`);
    return this;
  }
}
