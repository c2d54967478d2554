import { describe, expect, it } from 'vitest';
import { SyntheticEventSource, syntheticActors } from '../../bench/dataset/synthetic-events.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import { allEventTypes, findEventType } from '../../src/catalog/catalog-registry.js';
import { productAreaNamed } from '../../src/catalog/catalog-registry.js';
import { DAY_MS } from '../../src/config.js';
import { prepareIncomingEvents } from '../../src/catalog/prepare-incoming-events.js';

const ORG = '0193a1b2-0000-7000-8000-000000000001';
const RETENTION = 90 * DAY_MS;

describe('SyntheticEventSource', () => {
  it('makes incoming events that the real ingest validation accepts', () => {
    const source = new SyntheticEventSource(seededRandom(1), syntheticActors(200), productAreaNamed('UserManagement').eventTypes);
    const incoming = Array.from({ length: 1000 }, () => source.incoming(ORG));
    const prepared = prepareIncomingEvents(incoming, {
      allowedProducts: ['UserManagement'],
      nowMs: Date.now(),
      retentionMs: RETENTION,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(prepared).toHaveLength(1000);
  });

  it('covers every catalogued type, with action, activity and security taken from the catalog', () => {
    const source = new SyntheticEventSource(seededRandom(2), syntheticActors(200));
    const events = Array.from({ length: 5000 }, (_, i) => source.prepared(ORG, 1_700_000_000_000 + i, RETENTION));
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(allEventTypes().map((d) => d.type)));
    for (const event of events.slice(0, 200)) {
      const def = findEventType(event.type);
      expect({ action: event.action, activity: event.activity, securityAction: event.securityAction, product: event.product }).toEqual({
        action: def?.action,
        activity: def?.activity,
        securityAction: def?.securityAction,
        product: def?.product,
      });
      expect(event.expiresAtMs - event.occurredAtMs).toBe(RETENTION);
      expect(event.traceId).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(events.filter((e) => e.changes !== undefined).length).toBeGreaterThan(0);
    expect(events.filter((e) => e.metadata !== undefined).length).toBeGreaterThan(0);
  });

  it('is reproducible: the same seed gives the same sequence of types and actors', () => {
    const take = (seed: number) => {
      const source = new SyntheticEventSource(seededRandom(seed), syntheticActors(200));
      return Array.from({ length: 50 }, () => source.prepared(ORG, 1_700_000_000_000, RETENTION)).map(
        (e) => `${e.type}/${e.actor.email}/${e.entity.id}`,
      );
    };
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
  });
});
