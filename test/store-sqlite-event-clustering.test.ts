import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { eventRowId } from '../src/store/sqlite/sqlite-event-row-inserter.js';
import { preparedEvent } from './support/prepared-events.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

interface StoredRow {
  rowid: bigint;
  org_id: string;
  seq: number;
  org_no: number;
}

/**
 * The SQLite store keeps an organization's events together in the file, in seq order (row id = organization
 * number, then seq), however the organizations' appends interleave.
 */
describe('SQLite event rows, clustered by organization', () => {
  let testStore: TestStore;
  let file: Database.Database;

  beforeEach(async () => {
    testStore = await createTestStore('sqlite');
    file = new Database(testStore.databaseUrl.slice('sqlite:'.length), { readonly: true });
    file.defaultSafeIntegers(true);
  });
  afterEach(async () => {
    file.close();
    await testStore.dispose();
  });

  const storedRows = (): StoredRow[] =>
    (
      file
        .prepare(
          'select e.rowid, e.org_id, e.seq, h.org_no from audit_events e join org_log_heads h on h.org_id = e.org_id order by e.rowid',
        )
        .all() as Array<{ rowid: bigint; org_id: string; seq: bigint; org_no: bigint }>
    ).map((row) => ({ rowid: row.rowid, org_id: row.org_id, seq: Number(row.seq), org_no: Number(row.org_no) }));

  it('stores each organization’s events contiguously and in seq order, whatever order they arrived in', async () => {
    const orgs = [newId(), newId(), newId()];
    // Twelve transactions, each with events of every organization, in a different order each time.
    for (let round = 0; round < 12; round++) {
      const batch = Array.from({ length: 9 }, (_, i) => preparedEvent(orgs[(i + round) % orgs.length] as string));
      await testStore.store.appendEvents(batch);
    }

    const rows = storedRows();
    expect(rows).toHaveLength(108);
    const orgOrder = rows.map((row) => row.org_id).filter((orgId, i, all) => i === 0 || all[i - 1] !== orgId);
    expect(orgOrder).toHaveLength(orgs.length);
    expect(new Set(orgOrder)).toEqual(new Set(orgs));
    for (const orgId of orgs) {
      const mine = rows.filter((row) => row.org_id === orgId);
      expect(mine.map((row) => row.seq)).toEqual(Array.from({ length: 36 }, (_, i) => i));
      for (const row of mine) expect(row.rowid).toBe(eventRowId(row.org_no, row.seq));
    }
    expect(new Set(rows.map((row) => row.org_no)).size).toBe(orgs.length);
  });

  it('never gives two organizations one number, also when the transaction that first numbered one rolled back', async () => {
    const rolledBack = newId();
    await expect(
      testStore.store.transaction(async (tx) => {
        await testStore.store.appendEventsIn(tx, [preparedEvent(rolledBack)]);
        throw new Error('the change beside the event failed');
      }),
    ).rejects.toThrow('the change beside the event failed');

    const other = newId();
    await testStore.store.appendEvents([preparedEvent(other), preparedEvent(other)]);
    await testStore.store.appendEvents([preparedEvent(rolledBack), preparedEvent(other)]);

    const rows = storedRows();
    expect(rows.map((row) => [row.org_id, row.seq])).toEqual([
      [other, 0],
      [other, 1],
      [other, 2],
      [rolledBack, 0],
    ]);
    const numbers = new Map(rows.map((row) => [row.org_id, row.org_no]));
    expect(numbers.get(other)).not.toBe(numbers.get(rolledBack));
  });
});

describe('event row ids', () => {
  it('put the organization number above 36 bits of seq, and refuse numbers that would not fit', () => {
    expect(eventRowId(1, 0)).toBe(2n ** 36n);
    expect(eventRowId(3, 5)).toBe(3n * 2n ** 36n + 5n);
    expect(eventRowId(2 ** 27 - 1, 2 ** 36 - 1)).toBe(2n ** 63n - 1n);
    expect(() => eventRowId(2 ** 27, 0)).toThrow(/out of range/);
    expect(() => eventRowId(1, 2 ** 36)).toThrow(/out of range/);
  });
});
