import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { preparedEvent } from './support/prepared-events.js';
import { storeMatrix } from './support/store-matrix.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

/**
 * The store announces appended events on its notifier after the commit, once per transaction with the highest
 * seq per organization, and never for a transaction that rolled back: live feeds wake for exactly what is
 * committed, whichever path (ingest, User Management, Attest's own records) appended it.
 */
for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`commit notifications (${kind})`, () => {
    let testStore: TestStore;
    const orgA = newId();
    const orgB = newId();
    let heard: Array<[string, number]>;

    beforeEach(async () => {
      testStore = await createTestStore(kind);
      heard = [];
      testStore.store.notifier.subscribe(orgA, (seq) => heard.push([orgA, seq]));
      testStore.store.notifier.subscribe(orgB, (seq) => heard.push([orgB, seq]));
    });
    afterEach(() => testStore.dispose());

    it('announces the highest committed seq of each organization once the transaction commits', async () => {
      await testStore.store.transaction(async (tx) => {
        await testStore.store.appendEventsIn(tx, [preparedEvent(orgA), preparedEvent(orgB), preparedEvent(orgA)]);
        await testStore.store.appendEventsIn(tx, [preparedEvent(orgA)]);
        expect(heard).toEqual([]);
      });
      expect(heard.sort()).toEqual(
        [
          [orgA, 2],
          [orgB, 0],
        ].sort(),
      );
    });

    it('announces nothing for a transaction that rolled back', async () => {
      await expect(
        testStore.store.transaction(async (tx) => {
          await testStore.store.appendEventsIn(tx, [preparedEvent(orgA)]);
          throw new Error('the domain change failed');
        }),
      ).rejects.toThrow('the domain change failed');
      expect(heard).toEqual([]);
      expect(await testStore.store.events.lastSeq(orgA)).toBe(-1);
    });

    it('refuses an append outside a store transaction, which could not be announced', async () => {
      await expect(
        testStore.store.db.transaction().execute((tx) => testStore.store.appendEventsIn(tx, [preparedEvent(orgA)])),
      ).rejects.toThrow(/store\.transaction/);
    });
  });
}
