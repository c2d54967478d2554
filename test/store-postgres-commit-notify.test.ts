import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import type { AttestStore } from '../src/store/attest-store.js';
import { openStore } from '../src/store/open-store.js';
import { commitChannel, decodeCommitPayload, encodeCommitPayloads } from '../src/store/postgres/postgres-commit-channel.js';
import { preparedEvent } from './support/prepared-events.js';
import { createTestStore, postgresAvailable, TEST_POSTGRES_URL, type TestStore } from './support/test-stores.js';

/**
 * Commits cross processes on PostgreSQL: a store that follows other processes (LISTEN on a connection of its
 * own) hears every commit another store on the same schema makes (NOTIFY after the commit), with the
 * organization and last seq; not its own twice, not another schema's; and after its listening connection is
 * killed it reconnects by itself and hears again. Two stores in one test process stand for two processes:
 * each has its own pool, listener and notifier.
 */

/** Calls `check` every 20 ms until it holds; fails after `ms` naming what it waited for. */
async function eventually(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('commit payloads', () => {
  it('round-trip, and split into payloads PostgreSQL accepts (under 8000 bytes) when many organizations committed', () => {
    const heads = new Map(Array.from({ length: 500 }, (_, i) => [newId(), i * 1000] as const));
    const payloads = encodeCommitPayloads('origin-1', heads);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    const decoded = payloads.map((payload) => decodeCommitPayload(payload));
    expect(decoded.every((d) => d?.origin === 'origin-1')).toBe(true);
    expect(new Map(decoded.flatMap((d) => [...(d?.heads ?? [])]))).toEqual(heads);
  });

  it('ignores what is not an Attest payload (anyone may notify on the channel)', () => {
    expect(decodeCommitPayload('')).toBeUndefined();
    expect(decodeCommitPayload('origin-only')).toBeUndefined();
    expect(decodeCommitPayload('o org:notanumber')).toBeUndefined();
    expect(decodeCommitPayload('o org:-1')).toBeUndefined();
  });

  it('names one channel per schema, within the 63 bytes of an identifier', () => {
    expect(commitChannel(undefined)).toBe('attest_events');
    expect(commitChannel('public')).toBe('attest_events');
    expect(commitChannel('tenant_a')).not.toBe(commitChannel('tenant_b'));
    expect(commitChannel('s'.repeat(63)).length).toBeLessThanOrEqual(63);
    expect(commitChannel('s'.repeat(63))).not.toBe(commitChannel(`${'s'.repeat(62)}t`));
  });
});

describe.skipIf(!(await postgresAvailable()))('commits across processes on PostgreSQL (LISTEN/NOTIFY)', () => {
  let testStore: TestStore;
  let other: AttestStore;
  const opened: AttestStore[] = [];

  const openOther = async (): Promise<AttestStore> => {
    const store = await openStore(testStore.databaseUrl, undefined, { postgresSchema: testStore.env.ATTEST_POSTGRES_SCHEMA });
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    testStore = await createTestStore('postgres');
    other = await openOther();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await testStore.dispose();
  });

  it("hears another process's commits with the organization and last seq, and its own only once", async () => {
    const listening = testStore.store;
    await listening.followOtherProcesses();
    expect(listening.notifier.coversOtherProcesses).toBe(true);
    const orgA = newId();
    const orgB = newId();
    const heard: Array<[string, number]> = [];
    listening.notifier.subscribeAll((orgId, lastSeq) => heard.push([orgId, lastSeq]));

    // Its own commit: announced in-process at once, and its own NOTIFY is skipped when it comes back.
    await listening.appendEvents([preparedEvent(orgA)]);
    expect(heard).toEqual([[orgA, 0]]);

    await other.appendEvents([preparedEvent(orgA), preparedEvent(orgB), preparedEvent(orgA)]);
    await eventually(() => heard.length >= 3, "the other process's commit");
    expect(heard.slice(1).sort()).toEqual(
      [
        [orgA, 2],
        [orgB, 0],
      ].sort(),
    );
    // A later commit through the other process, once heard, shows nothing else arrived in between.
    await other.transaction((tx) => other.appendEventsIn(tx, [preparedEvent(orgB)]));
    await eventually(() => heard.length >= 4, 'the second commit');
    expect(heard).toHaveLength(4);
    expect(heard[3]).toEqual([orgB, 1]);
  });

  it('does not hear a rolled-back transaction, nor a store on another schema', async () => {
    const listening = testStore.store;
    await listening.followOtherProcesses();
    const heard: string[] = [];
    listening.notifier.subscribeAll((orgId) => heard.push(orgId));
    const elsewhere = await createTestStore('postgres');
    try {
      await elsewhere.store.appendEvents([preparedEvent(newId())]);
      const rolledBack = newId();
      await expect(
        other.transaction(async (tx) => {
          await other.appendEventsIn(tx, [preparedEvent(rolledBack)]);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      const marker = newId();
      await other.appendEvents([preparedEvent(marker)]);
      await eventually(() => heard.includes(marker), 'the marker commit');
      expect(heard).toEqual([marker]);
    } finally {
      await elsewhere.dispose();
    }
  });

  it('reconnects by itself when its listening connection is killed, and hears commits again', async () => {
    const listening = testStore.store;
    await listening.followOtherProcesses();
    const channel = commitChannel(testStore.env.ATTEST_POSTGRES_SCHEMA);
    const changes: boolean[] = [];
    const observe = setInterval(() => {
      const now = listening.notifier.coversOtherProcesses;
      if (changes.at(-1) !== now) changes.push(now);
    }, 5);
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      // Only this test's listening backend: found by the LISTEN it ran on this test schema's channel.
      const killed = await admin.query<{ killed: boolean }>(
        `select pg_terminate_backend(pid) as killed from pg_stat_activity where query = $1 and pid <> pg_backend_pid()`,
        [`listen "${channel}"`],
      );
      expect(killed.rows).toEqual([{ killed: true }]);
      await eventually(() => changes.includes(false), 'the listener to notice the lost connection');
      await eventually(() => changes.at(-1) === true, 'the listener to reconnect');

      const orgId = newId();
      const heard: number[] = [];
      listening.notifier.subscribe(orgId, (lastSeq) => heard.push(lastSeq));
      await other.appendEvents([preparedEvent(orgId), preparedEvent(orgId)]);
      await eventually(() => heard.includes(1), 'a commit after the reconnect');
    } finally {
      clearInterval(observe);
      await admin.end();
    }
  });

  it('stops listening when the store closes (no connection left behind)', async () => {
    const listening = await openOther();
    await listening.followOtherProcesses();
    const channel = commitChannel(testStore.env.ATTEST_POSTGRES_SCHEMA);
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      const listeners = async () =>
        Number(
          (await admin.query<{ n: string }>(`select count(*) as n from pg_stat_activity where query = $1`, [`listen "${channel}"`])).rows[0]
            ?.n,
        );
      expect(await listeners()).toBe(1);
      await listening.close();
      expect(listening.notifier.coversOtherProcesses).toBe(false);
      const deadline = Date.now() + 5000;
      while ((await listeners()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await listeners()).toBe(0);
    } finally {
      await admin.end();
    }
  });
});

describe('SQLite', () => {
  it('has nothing to follow: subscribers keep polling for other processes', async () => {
    const testStore = await createTestStore('sqlite');
    try {
      await testStore.store.followOtherProcesses();
      expect(testStore.store.notifier.coversOtherProcesses).toBe(false);
    } finally {
      await testStore.dispose();
    }
  });
});
