import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { AsyncLock } from '../src/core/async-lock.js';
import { newId } from '../src/core/ids.js';
import { workerModuleUrl } from '../src/core/worker-module-url.js';
import { SqliteAppendThread } from '../src/store/sqlite/sqlite-append-thread.js';
import { isStoreUnavailableError } from '../src/store/store-unavailable.js';
import { preparedEvent } from './support/prepared-events.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

/**
 * On a SQLite file, `store.appendEvents` runs in the append thread (`sqlite-append-thread.ts`) with a writer
 * connection of its own, while the store's own transactions (User Management's changes with their events) run
 * on the server's thread. The two take turns: every event gets its place in one gapless log, with `recordedAt`
 * never running backwards along it, and the thread's errors arrive as the driver's own.
 */
describe('SQLite append thread', () => {
  let testStore: TestStore;
  const orgId = newId();

  beforeEach(async () => {
    testStore = await createTestStore('sqlite');
  });
  afterEach(() => testStore.dispose());

  it('is what appends outside a transaction on a store file', () => {
    expect(testStore.store.dialect.appendEvents).toBeTypeOf('function');
  });

  it('interleaves its appends with transactions on the server thread in one gapless log, recordedAt in seq order', async () => {
    const { store } = testStore;
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i += 1) {
      work.push(
        i % 2 === 0
          ? store.appendEvents([preparedEvent(orgId), preparedEvent(orgId)])
          : store.transaction((tx) => store.appendEventsIn(tx, [preparedEvent(orgId)])),
      );
    }
    await Promise.all(work);
    const events = await store.events.findAfterSeq(orgId, -1, 1000);
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const recordedAt = events.map((event) => Date.parse(event.recordedAt));
    expect(recordedAt).toEqual([...recordedAt].sort((a, b) => a - b));
  });

  it('answers a failed append with the driver error and writes nothing of it', async () => {
    const { store } = testStore;
    const logId = newId();
    const error: unknown = await store
      .appendEvents([preparedEvent(orgId, { logId }), preparedEvent(orgId, { logId })])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Database.SqliteError);
    expect(store.dialect.isUniqueViolation(error)).toBe(true);
    expect(await store.events.lastSeq(orgId)).toBe(-1);
    // The thread carries on after a failed transaction.
    expect((await store.appendEvents([preparedEvent(orgId)])).map((a) => a.seq)).toEqual([0]);
  });

  it('finishes the append under way when the store closes, then refuses more as unavailable', async () => {
    const { store } = testStore;
    const pending = store.appendEvents(Array.from({ length: 2000 }, () => preparedEvent(orgId)));
    await store.close();
    expect((await pending).length).toBe(2000);
    const refused: unknown = await store.appendEvents([preparedEvent(orgId)]).catch((e: unknown) => e);
    expect(isStoreUnavailableError(refused)).toBe(true);
  });

  it('fails the append under way, and the next append starts a new thread', async () => {
    const path = testStore.databaseUrl.slice('sqlite:'.length);
    const thread = new SqliteAppendThread(path, new AsyncLock(), () => undefined);
    try {
      await thread.append([preparedEvent(orgId)]);
      // The thread is private to the class; the test reaches in to end it the hard way.
      const worker = (thread as unknown as { worker?: Worker }).worker;
      expect(worker).toBeInstanceOf(Worker);
      const pending = thread.append(Array.from({ length: 5000 }, () => preparedEvent(orgId)));
      await (worker as Worker).terminate();
      // Whether that transaction committed is unknown to the caller (as after a lost connection); it failed or
      // it came back whole, and the log stays gapless either way.
      const outcome: unknown = await pending.catch((e: unknown) => e);
      if (outcome instanceof Error) expect(outcome.message).toMatch(/append thread ended/);
      else expect(outcome).toHaveLength(5000);
      const [next] = await thread.append([preparedEvent(orgId)]);
      const events = await testStore.store.events.findAfterSeq(orgId, -1, 10_000);
      expect(events.map((event) => event.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i));
      expect(next?.seq).toBe(events.length - 1);
    } finally {
      await thread.stop();
    }
  });
});

describe('workerModuleUrl', () => {
  it('runs a worker from the build when the caller is a TypeScript source, and says so when it is missing', () => {
    const caller = new URL('../src/store/sqlite/sqlite-append-thread.ts', import.meta.url).href;
    expect(workerModuleUrl(caller, 'sqlite-append-worker').pathname).toMatch(/\/dist\/src\/store\/sqlite\/sqlite-append-worker\.js$/);
    expect(() => workerModuleUrl(caller, 'no-such-worker')).toThrow(/no-such-worker\.js is missing: .*npm run build/);
  });

  it('takes the sibling file as it is when the caller is compiled', () => {
    expect(workerModuleUrl('file:///srv/attest/dist/src/store/sqlite/a.js', 'b').href).toBe(
      'file:///srv/attest/dist/src/store/sqlite/b.js',
    );
  });
});
