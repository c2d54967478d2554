import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPIED_TABLES, copyKey, isDatabaseOwnTable } from '../src/store/store-copy/store-copy-plan.js';
import { storeMatrix } from './support/store-matrix.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

/** The tables a migrated store of each kind holds (PostgreSQL: not the partitions of a partitioned table). */
async function tablesOf(test: TestStore): Promise<string[]> {
  if (test.kind === 'sqlite') {
    const { rows } = await sql<{ name: string }>`select name from sqlite_schema where type = 'table'`.execute(test.store.db);
    return rows.map((row) => row.name);
  }
  const { rows } = await sql<{ name: string }>`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition`.execute(test.store.db);
  return rows.map((row) => row.name);
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`attest migrate's table list against a migrated ${kind} store`, () => {
    let test: TestStore;
    beforeAll(async () => {
      test = await createTestStore(kind);
    });
    afterAll(async () => {
      await test?.dispose();
    });

    it('copies every table the migrations create, or excludes it by name as the database’s own', async () => {
      const tables = await tablesOf(test);
      const neither = tables.filter((table) => !(COPIED_TABLES as string[]).includes(table) && !isDatabaseOwnTable(table));
      expect(neither, 'tables neither copied nor excluded: give each a line in STORE_COPY_PLAN').toEqual([]);
      expect(COPIED_TABLES.filter((table) => !tables.includes(table))).toEqual([]);
    });
  });
}

describe("attest migrate's table list", () => {
  it("identifies each row by the source table's primary key", async () => {
    const test = await createTestStore('sqlite');
    try {
      const file = test.databaseUrl.slice('sqlite:'.length);
      const db = new Database(file, { readonly: true });
      for (const table of COPIED_TABLES) {
        const columns = db.pragma(`table_info(${table})`) as { name: string; pk: number }[];
        const primaryKey = columns
          .filter((column) => column.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((column) => column.name);
        expect([...copyKey(table)].sort(), table).toEqual([...primaryKey].sort());
      }
      db.close();
    } finally {
      await test.dispose();
    }
  });

  it('would notice a new table: a name outside the list and the database’s own is neither', () => {
    expect(isDatabaseOwnTable('kysely_migration')).toBe(true);
    expect(isDatabaseOwnTable('sqlite_stat1')).toBe(true);
    expect(isDatabaseOwnTable('org_retention_rules')).toBe(false);
    expect((COPIED_TABLES as string[]).includes('org_retention_rules')).toBe(false);
  });
});
