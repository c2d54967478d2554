import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { EventLogReader, type EventFilter } from '../src/store/event-log-reader.js';
import { SqliteRowFetchers } from '../src/store/sqlite/sqlite-row-fetchers.js';
import { REPO_ROOT, runNode } from './support/child-processes.js';
import { preparedEvent } from './support/prepared-events.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

/**
 * On a SQLite file, the rows of an API page are read by row id in several threads at once
 * (`sqlite-row-fetchers.ts`): each thread answers only rows of the organization it was asked for, and a
 * failed thread costs one fetch, never a page.
 */
describe('SQLite row fetch threads', () => {
  let testStore: TestStore;
  let path: string;
  const orgA = newId();
  const orgB = newId();
  const rowIdsOf = (orgId: string) => {
    const file = new Database(path, { readonly: true });
    try {
      return (
        file.prepare('select rowid as id, seq from audit_events where org_id = ? order by seq').all(orgId) as { id: number; seq: number }[]
      ).map((row) => ({ rowId: row.id, seq: row.seq }));
    } finally {
      file.close();
    }
  };

  beforeEach(async () => {
    testStore = await createTestStore('sqlite');
    path = testStore.databaseUrl.slice('sqlite:'.length);
    await testStore.store.appendEvents([
      ...Array.from({ length: 60 }, () => preparedEvent(orgA)),
      ...Array.from({ length: 20 }, () => preparedEvent(orgB)),
    ]);
  });
  afterEach(() => testStore.dispose());

  it('reads the rows of the organization it is asked for, across its threads, and none of another', async () => {
    const fetchers = new SqliteRowFetchers(path);
    try {
      const rowsA = rowIdsOf(orgA);
      const fetched = await fetchers.fetch(
        orgA,
        rowsA.map((row) => row.rowId),
      );
      expect(fetched.map((row) => Number(row.seq)).sort((a, b) => a - b)).toEqual(rowsA.map((row) => row.seq));
      const stored = await testStore.store.events.findStoredByLogId(
        orgA,
        (JSON.parse(fetched[0]?.record ?? '{}') as { logId: string }).logId,
      );
      expect(stored?.leaf_hash).toBe(fetched[0]?.leaf_hash);

      // Row ids of organization B asked for as A's (a renumbered row id would look like this): nothing.
      expect(
        await fetchers.fetch(
          orgA,
          rowIdsOf(orgB).map((row) => row.rowId),
        ),
      ).toEqual([]);
      // A row id that does not exist is left out.
      expect(await fetchers.fetch(orgA, [Number.MAX_SAFE_INTEGER])).toEqual([]);
    } finally {
      await fetchers.stop();
    }
  });

  it('starts a thread that ended anew for the next fetch, and refuses once stopped', async () => {
    const fetchers = new SqliteRowFetchers(path);
    const rowIds = rowIdsOf(orgA).map((row) => row.rowId);
    expect((await fetchers.fetch(orgA, rowIds)).length).toBe(60);
    // End one thread from outside, as a crash would.
    const threads = (fetchers as unknown as { workers: ({ terminate(): Promise<number> } | undefined)[] }).workers;
    await threads[0]?.terminate();
    expect((await fetchers.fetch(orgA, rowIds)).length).toBe(60);
    await fetchers.stop();
    await expect(fetchers.fetch(orgA, rowIds)).rejects.toThrow(/stopped/);
  });

  it('gives a reader the same page through its threads as without them, and when they cannot answer', async () => {
    const fetchers = new SqliteRowFetchers(path);
    const { readDb } = testStore.store.dialect;
    const filter: EventFilter = { orgId: orgA, fromMs: 0, toMs: Date.now() + 60_000 };
    const plain = new EventLogReader(readDb, undefined, true);
    const expected = await plain.findStoredPage(filter, 25);
    expect(expected.length).toBe(25);
    let asked = 0;
    const throughThreads = new EventLogReader(readDb, undefined, true, (orgId, ids) => {
      asked += 1;
      return fetchers.fetch(orgId, ids);
    });
    expect(await throughThreads.findStoredPage(filter, 25)).toEqual(expected);
    expect(asked).toBe(1);
    await fetchers.stop();
    expect(await throughThreads.findStoredPage(filter, 25)).toEqual(expected);
  });

  it('lets a process that has nothing else to do go on after stopping them, and then end', async () => {
    // A process whose last work is to close the store: the threads must not end after it has, leaving the
    // close (and all after it) unfinished.
    const script = join(dirname(path), 'stop-and-end.mjs');
    writeFileSync(
      script,
      `
      import { SqliteRowFetchers } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/src/store/sqlite/sqlite-row-fetchers.js')).href)};
      const fetchers = new SqliteRowFetchers(process.env.STORE_PATH);
      const rows = await fetchers.fetch(process.env.ORG_ID, JSON.parse(process.env.ROW_IDS));
      await fetchers.stop();
      console.log('stopped after reading ' + rows.length + ' rows');
    `,
    );
    const result = await runNode([script], {
      STORE_PATH: path,
      ORG_ID: orgB,
      ROW_IDS: JSON.stringify(rowIdsOf(orgB).map((row) => row.rowId)),
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('stopped after reading 20 rows');
    expect(result.code).toBe(0);
  });

  it('run in a process started as `node --input-type=module -e …`, whose option a worker loading a file must not inherit', async () => {
    const source = `
      import { SqliteRowFetchers } from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/src/store/sqlite/sqlite-row-fetchers.js')).href)};
      const fetchers = new SqliteRowFetchers(process.env.STORE_PATH);
      const rows = await fetchers.fetch(process.env.ORG_ID, JSON.parse(process.env.ROW_IDS));
      await fetchers.stop();
      console.log('read ' + rows.length + ' rows');
    `;
    for (const inputType of [['--input-type=module'], ['--input-type', 'module']]) {
      const result = await runNode([...inputType, '-e', source], {
        STORE_PATH: path,
        ORG_ID: orgB,
        ROW_IDS: JSON.stringify(rowIdsOf(orgB).map((row) => row.rowId)),
      });
      expect(result.stderr, inputType.join(' ')).toBe('');
      expect(result.stdout.trim()).toBe('read 20 rows');
      expect(result.code).toBe(0);
    }
  });
});
