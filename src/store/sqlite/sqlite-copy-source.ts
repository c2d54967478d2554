import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { CopyRow } from '../store-copy/store-copy-plan.js';
import type { StoreCopySource } from '../store-copy/store-copy-source.js';

/** How long a read waits for a server's checkpoint or commit that briefly locks the file. */
const BUSY_TIMEOUT_MS = 10_000;

const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** `("a", "b") > (?, ?)`: a keyset condition SQLite answers by seeking the primary key index. */
function after(columns: readonly string[]): string {
  return `(${columns.map(quoted).join(', ')}) > (${columns.map(() => '?').join(', ')})`;
}

/**
 * Opens a SQLite store file as the source of a copy, read only: the connection is opened with
 * `SQLITE_OPEN_READONLY`, so nothing of the copy can change the file, and a read transaction begun here holds
 * one snapshot of the WAL until the copy closes it.
 *
 * @example
 * const source = openSqliteCopySource('./data/attest.db');
 * const rows = source.rowsAfter('users', ['id'], undefined, 1000);
 */
export function openSqliteCopySource(path: string): StoreCopySource {
  if (!existsSync(path)) throw new Error(`no SQLite store at ${path}`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.exec('begin');
  const statements = new Map<string, Database.Statement>();
  const prepared = (text: string): Database.Statement => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
  return {
    tableNames: () =>
      (prepared("select name from sqlite_schema where type = 'table' order by name").all() as { name: string }[]).map((r) => r.name),
    migrationNames: () => (prepared('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name),
    count: (table) => (prepared(`select count(*) as n from ${quoted(table)}`).get() as { n: number }).n,
    rowsAfter(table, key, afterValues, limit) {
      const where = afterValues === undefined ? '' : `where ${after(key)}`;
      const text = `select * from ${quoted(table)} ${where} order by ${key.map(quoted).join(', ')} limit ?`;
      return prepared(text).all(...(afterValues ?? []), limit) as CopyRow[];
    },
    orgIds: (table) =>
      (prepared(`select distinct org_id from ${quoted(table)} order by org_id`).all() as { org_id: string }[]).map((r) => r.org_id),
    orgRowsAfter(table, orgId, order, afterValues, limit) {
      const where = afterValues === undefined ? '' : `and ${after(order)}`;
      const text = `select * from ${quoted(table)} where org_id = ? ${where} order by ${order.map(quoted).join(', ')} limit ?`;
      return prepared(text).all(orgId, ...(afterValues ?? []), limit) as CopyRow[];
    },
    countInOrg: (table, orgId) => (prepared(`select count(*) as n from ${quoted(table)} where org_id = ?`).get(orgId) as { n: number }).n,
    oldestEventMs: () =>
      (prepared('select min(occurred_at) as oldest from audit_events').get() as { oldest: number | null }).oldest ?? undefined,
    close() {
      if (db.inTransaction) db.exec('commit');
      db.close();
    },
  };
}
