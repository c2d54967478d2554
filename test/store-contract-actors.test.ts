import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import type { PreparedEvent } from '../src/events/audit-event.js';
import { preparedEvent } from './support/prepared-events.js';
import { storeMatrix } from './support/store-matrix.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

const MINUTE_MS = 60_000;
const START_MS = Date.UTC(2026, 5, 1, 12);

/**
 * The actors known to an organization's log (the email search box): a new name replaces the old one with the
 * next event, and when an actor was last seen follows its events to the hour, without rewriting the actor's
 * row for every event.
 */
for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind} store contract: known actors`, () => {
    let testStore: TestStore;
    const clock = new FixedClock(START_MS);
    const orgId = newId();

    beforeEach(async () => {
      clock.set(START_MS);
      testStore = await createTestStore(kind, clock);
    });
    afterEach(() => testStore.dispose());

    const appendAt = async (atMs: number, name: string) => {
      clock.set(atMs);
      const event: PreparedEvent = preparedEvent(orgId, { occurredAtMs: atMs, actorEmail: 'alice@example.com' });
      event.actor.name = name;
      await testStore.store.appendEvents([event]);
    };
    const actorRow = () =>
      testStore.store.db
        .selectFrom('audit_actors')
        .select(['actor_name', 'last_seen_at'])
        .where('org_id', '=', orgId)
        .where('actor_email', '=', 'alice@example.com')
        .executeTakeFirstOrThrow();

    it('takes a new name at once, and the time last seen to the hour', async () => {
      await appendAt(START_MS, 'Alice');
      expect(await actorRow()).toEqual({ actor_name: 'Alice', last_seen_at: START_MS });

      await appendAt(START_MS + 10 * MINUTE_MS, 'Alice');
      expect(await actorRow()).toEqual({ actor_name: 'Alice', last_seen_at: START_MS });

      await appendAt(START_MS + 20 * MINUTE_MS, 'Alice Liddell');
      expect(await actorRow()).toEqual({ actor_name: 'Alice Liddell', last_seen_at: START_MS + 20 * MINUTE_MS });
      expect(await testStore.store.events.findActors(orgId, 'liddell', 10)).toEqual([
        { email: 'alice@example.com', name: 'Alice Liddell' },
      ]);

      await appendAt(START_MS + 81 * MINUTE_MS, 'Alice Liddell');
      expect(await actorRow()).toEqual({ actor_name: 'Alice Liddell', last_seen_at: START_MS + 81 * MINUTE_MS });
    });
  });
}
