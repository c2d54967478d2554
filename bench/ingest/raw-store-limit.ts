import { join } from 'node:path';
import { productAreaNamed } from '../../src/catalog/catalog-registry.js';
import { DAY_MS } from '../../src/config.js';
import type { PreparedEvent } from '../../src/events/audit-event.js';
import { prepareIncomingEvents } from '../../src/catalog/prepare-incoming-events.js';
import { openStore } from '../../src/store/open-store.js';
import { SyntheticEventSource, syntheticActors } from '../dataset/synthetic-events.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import { createBenchOrganizations } from '../dataset/seed-tenancy.js';

/** Events per transaction: the group committer's own upper bound, so the limit is the one HTTP could reach. */
const EVENTS_PER_TRANSACTION = 5000;

/** How fast the store alone appends what the HTTP benchmark sends. */
export interface RawStoreLimit {
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * The same kind of events the load generator sends, spread over `orgIds`, prepared by the same
 * `prepareIncomingEvents` the ingest route uses, in batches of {@link EVENTS_PER_TRANSACTION}.
 */
export function preparedBenchBatches(orgIds: readonly string[], events: number): PreparedEvent[][] {
  const source = new SyntheticEventSource(seededRandom(7), syntheticActors(200), productAreaNamed('UserManagement').eventTypes);
  const incoming = Array.from({ length: events }, (_, i) => source.incoming(orgIds[i % orgIds.length] as string));
  const batches: PreparedEvent[][] = [];
  for (let i = 0; i < incoming.length; i += EVENTS_PER_TRANSACTION) {
    batches.push(
      prepareIncomingEvents(incoming.slice(i, i + EVENTS_PER_TRANSACTION), {
        allowedProducts: 'all',
        nowMs: Date.now(),
        retentionMs: 90 * DAY_MS,
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      }),
    );
  }
  return batches;
}

/**
 * The raw store limit: {@link preparedBenchBatches} appended straight through `store.appendEvents` in
 * transactions of 5000 on a fresh SQLite file, without HTTP. Only the appends are timed.
 */
export async function measureRawStoreLimit(dir: string, events: number, orgCount: number): Promise<RawStoreLimit> {
  const store = await openStore(`sqlite:${join(dir, 'raw-store-limit.db')}`);
  try {
    const orgIds = await createBenchOrganizations(store, orgCount, 'Raw Org');
    const batches = preparedBenchBatches(orgIds, events);
    const started = performance.now();
    for (const batch of batches) await store.appendEvents(batch);
    const seconds = (performance.now() - started) / 1000;
    return { events, seconds, eventsPerSecond: events / seconds };
  } finally {
    await store.close();
  }
}
