import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { AttestDatabase } from '../database-schema.js';
import { COPIED_TABLES, type CopyRow } from './store-copy-plan.js';

/**
 * The store a copy writes into (`attest migrate --to`), reached through Kysely with raw statements over
 * table and column names taken from the copy plan: the rows are generic, so no typed query builder applies.
 */
export class StoreCopyTarget {
  constructor(private readonly db: Kysely<AttestDatabase>) {}

  /** Inserts the rows, or overwrites the rows already there with the same key. */
  async upsert(table: string, key: readonly string[], rows: readonly CopyRow[]): Promise<void> {
    const columns = columnsOf(rows);
    if (!columns) return;
    const update = columns.filter((column) => !key.includes(column));
    const onConflict =
      update.length === 0
        ? sql`do nothing`
        : sql`do update set ${sql.join(update.map((column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`))}`;
    await sql`${insertInto(table, columns, rows)} on conflict (${sql.join(key.map((column) => sql.ref(column)))}) ${onConflict}`.execute(
      this.db,
    );
  }

  /** Inserts the rows (one statement, so all or none of them). */
  async insert(table: string, rows: readonly CopyRow[]): Promise<void> {
    const columns = columnsOf(rows);
    if (columns) await insertInto(table, columns, rows).execute(this.db);
  }

  /** The `order` values of the organization's last row in the table (in that order), or undefined when it has none. */
  async lastInOrg(table: string, orgId: string, order: readonly string[]): Promise<unknown[] | undefined> {
    const descending = sql.join(order.map((column) => sql`${sql.ref(column)} desc`));
    const { rows } = await sql<CopyRow>`select ${sql.join(order.map((column) => sql.ref(column)))} from ${sql.table(table)}
      where org_id = ${orgId} order by ${descending} limit 1`.execute(this.db);
    const last = rows[0];
    return last ? order.map((column) => last[column]) : undefined;
  }

  /** Rows of one organization in `order` after the values `after` (from the start when undefined), at most `limit`. */
  async orgRowsAfter(
    table: string,
    orgId: string,
    order: readonly string[],
    after: readonly unknown[] | undefined,
    limit: number,
  ): Promise<CopyRow[]> {
    const condition =
      after === undefined ? sql`` : sql`and ${rowValue(order.map((column) => sql.ref(column)))} > ${rowValue(after.map((v) => sql`${v}`))}`;
    const { rows } = await sql<CopyRow>`select * from ${sql.table(table)} where org_id = ${orgId} ${condition}
      order by ${sql.join(order.map((column) => sql.ref(column)))} limit ${limit}`.execute(this.db);
    return rows;
  }

  /** The rows whose key values are among `keys`. */
  async rowsWithKeys(table: string, key: readonly string[], keys: readonly (readonly unknown[])[]): Promise<CopyRow[]> {
    if (keys.length === 0) return [];
    const wanted = sql.join(keys.map((values) => rowValue(values.map((v) => sql`${v}`))));
    const { rows } = await sql<CopyRow>`select * from ${sql.table(table)}
      where ${rowValue(key.map((column) => sql.ref(column)))} in (${wanted})`.execute(this.db);
    return rows;
  }

  /**
   * Refreshes the planner's statistics of every table after the bulk load: until then PostgreSQL knows nothing
   * of the rows the copy wrote (autovacuum may be off, or lag minutes behind) and plans a page of a large log
   * as if its organization held a few rows.
   */
  async refreshStatistics(): Promise<void> {
    // Named tables only: a bare ANALYZE would go through every schema of the database.
    await sql`analyze ${sql.join(COPIED_TABLES.map((table) => sql.table(table)))}`.execute(this.db);
  }

  /** How many rows the table holds. */
  async count(table: string): Promise<number> {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(this.db);
    return Number(rows[0]?.n ?? 0);
  }

  /** How many rows of one organization the table holds. */
  async countInOrg(table: string, orgId: string): Promise<number> {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where org_id = ${orgId}`.execute(
      this.db,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The organizations that have rows in the table. */
  async orgIds(table: string): Promise<string[]> {
    const { rows } = await sql<{ org_id: string }>`select distinct org_id from ${sql.table(table)}`.execute(this.db);
    return rows.map((row) => row.org_id);
  }
}

/** `(a, b)`, or just `a` for one value: PostgreSQL reads `(a)` as a parenthesised scalar either way. */
function rowValue(parts: readonly RawBuilder<unknown>[]): RawBuilder<unknown> {
  return sql`(${sql.join(parts)})`;
}

function columnsOf(rows: readonly CopyRow[]): string[] | undefined {
  const first = rows[0];
  return first ? Object.keys(first) : undefined;
}

function insertInto(table: string, columns: readonly string[], rows: readonly CopyRow[]): RawBuilder<unknown> {
  const values = rows.map((row) => sql`(${sql.join(columns.map((column) => row[column] ?? null))})`);
  return sql`insert into ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))}) values ${sql.join(values)}`;
}
