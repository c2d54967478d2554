import { readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { EventLogReader } from '../src/store/event-log-reader.js';
import { SqliteReadAhead } from '../src/store/sqlite/sqlite-read-ahead.js';
import { preparedEvent, preparedEvents } from './support/prepared-events.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

const EVENTS = 30_000;
// The worker's window (sqlite-read-ahead.ts): chunks of 5000 rows, kept 10,000 rows ahead of the reader.
const AHEAD = 10_000;

/**
 * The export read-ahead of the SQLite store: a worker thread warms the rows a newest-first read will want next,
 * follows the positions it is told, and ends when the read does, however the read ends.
 */
describe('SQLite read-ahead for exports', () => {
  let testStore: TestStore;
  let file: string;
  const orgId = newId();

  beforeAll(async () => {
    testStore = await createTestStore('sqlite');
    file = testStore.databaseUrl.slice('sqlite:'.length);
    const start = Date.now() - EVENTS * 1000;
    for (let offset = 0; offset < EVENTS; offset += 5000)
      await testStore.store.appendEvents(preparedEvents(orgId, 5000, start + offset * 1000));
  });
  afterAll(async () => {
    await testStore.dispose();
  });

  it('warms the newest rows first, follows the reader down the log, and ends when stopped', async () => {
    const readAhead = SqliteReadAhead.start(file, orgId, EVENTS);
    try {
      expect(await readAhead.warmedDownTo(EVENTS - AHEAD)).toBe(true);
      readAhead.reached(EVENTS - 15_000);
      expect(await readAhead.warmedDownTo(EVENTS - 15_000 - AHEAD)).toBe(true);
      // The reader overtook it (a sparse filter jumps ahead): it carries on from where the reader is.
      readAhead.reached(3000);
      expect(await readAhead.warmedDownTo(0)).toBe(true);
    } finally {
      readAhead.stop();
    }
    await readAhead.exited;
  });

  it('starts from the first page, is stopped when a paged read ends early, and leaves the pages as they are', async () => {
    const started: Array<{ fromSeq: number; readAhead: SqliteReadAhead }> = [];
    const reader = new EventLogReader(testStore.store.dialect.readDb, (org, fromSeq) => {
      const readAhead = SqliteReadAhead.start(file, org, fromSeq);
      started.push({ fromSeq, readAhead });
      return readAhead;
    });
    const filter = { orgId, fromMs: 0, toMs: Date.now() + 1 };
    let pages = 0;
    for await (const page of reader.pages(filter, 1000)) {
      expect(page).toEqual(await testStore.store.events.findPage(filter, 1000));
      pages += 1;
      break;
    }
    expect(pages).toBe(1);
    expect(started.map((s) => s.fromSeq)).toEqual([EVENTS - 1000]);
    await started[0]?.readAhead.exited;

    const plain = new EventLogReader(testStore.store.dialect.readDb);
    const seen: number[] = [];
    for await (const page of reader.pages(filter, 7000)) seen.push(...page.map((e) => e.seq));
    const expected: number[] = [];
    for await (const page of plain.pages(filter, 7000)) expected.push(...page.map((e) => e.seq));
    expect(seen).toEqual(expected);
    expect(seen).toHaveLength(EVENTS);
    expect(started).toHaveLength(2);
    await started[1]?.readAhead.exited;
  });

  it('does not read ahead for a filter that keeps few of the events it passes over', async () => {
    const sparseOrg = newId();
    const start = Date.now() - 4000 * 1000;
    // One event in twenty by the rare actor: a page of 100 of theirs spans about 2000 seqs.
    const events = Array.from({ length: 4000 }, (_, i) =>
      preparedEvent(sparseOrg, { occurredAtMs: start + i * 1000, actorEmail: i % 20 === 0 ? 'rare@example.com' : 'busy@example.com' }),
    );
    await testStore.store.appendEvents(events);
    const started: string[] = [];
    const readAheads: SqliteReadAhead[] = [];
    const reader = new EventLogReader(testStore.store.dialect.readDb, (org, fromSeq) => {
      started.push(org);
      const readAhead = SqliteReadAhead.start(file, org, fromSeq);
      readAheads.push(readAhead);
      return readAhead;
    });
    const range = { orgId: sparseOrg, fromMs: 0, toMs: Date.now() + 1 };
    let rare = 0;
    for await (const page of reader.pages({ ...range, actorEmail: 'rare@example.com' }, 100)) rare += page.length;
    expect(rare).toBe(200);
    expect(started).toEqual([]);

    let busy = 0;
    for await (const page of reader.pages({ ...range, actorEmail: 'busy@example.com' }, 100)) busy += page.length;
    expect(busy).toBe(3800);
    expect(started).toEqual([sparseOrg]);
    // Ended before the store's file is removed: a thread still closing its connection raced the removal.
    await Promise.all(readAheads.map((readAhead) => readAhead.exited));
  });

  it('ends the read-ahead of a read still under way when the store closes, leaving no connection to the file', async () => {
    const own = await createTestStore('sqlite');
    const ownFile = own.databaseUrl.slice('sqlite:'.length);
    // Every thread of the process shares its file descriptors: each connection to the file holds one.
    const connectionsToFile = () => readdirSync('/proc/self/fd').filter((fd) => openFileOf(fd) === ownFile).length;
    try {
      const org = newId();
      await own.store.appendEvents(preparedEvents(org, 5000, Date.now() - 5000 * 1000));
      const before = connectionsToFile();
      // An export paused after its first page, as when its client reads slowly: its read-ahead thread opens
      // a connection of its own.
      const pages = own.store.events.pages({ orgId: org, fromMs: 0, toMs: Date.now() + 1 }, 100);
      expect((await pages.next()).value).toHaveLength(100);
      const deadline = Date.now() + 5000;
      while (connectionsToFile() === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(connectionsToFile()).toBe(before + 1);

      await own.store.close();
      expect(connectionsToFile()).toBe(0);
    } finally {
      await own.dispose();
    }
  });
});

/** The file a descriptor of this process is open on; undefined for one closed since the listing was read. */
function openFileOf(fd: string): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'utf8' });
  } catch {
    return undefined;
  }
}
