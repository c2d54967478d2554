import canonicalizeModule from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { canonicalIncomingEventJson, schemaOrderedEventJson } from '../src/catalog/canonical-incoming-event.js';
import type { IncomingEvent } from '../src/catalog/incoming-event.js';

// The idempotency fingerprint's canonical JSON has a fast path (one JSON.stringify of a literal in sorted key
// order) and a slow one (the generic sorted copy). Both must give the reference bytes, which the property tests
// check; these check which path an event takes: an ordinary event the ingest schema admits must take the fast
// one (a check that sent it down the slow path would cost every keyed event, unseen), and every event the
// literal would write wrongly must be refused by it.

const canonicalize = canonicalizeModule as unknown as (input: unknown) => string;

/** An event with every member the ingest schema has, values chosen so that sorting matters at every level. */
const FULL = {
  version: 2,
  type: 'loyalty.reward.approved',
  orgId: 'org-1',
  occurredAt: '2026-12-07T03:00:00.000Z',
  idempotencyKey: 'k-1',
  description: 'Approved a reward',
  actor: { type: 'user', name: 'Ada', id: 'u-1', email: 'ada@example.com' },
  entity: { type: 'reward', name: 'Gold', id: 'r-1' },
  metadata: { zeta: 1, alpha: { y: true, b: null } },
  changes: [{ to: 'b', from: 'a', field: 'tier' }],
} as const;

const EVENT_MEMBERS = ['version', 'type', 'orgId', 'occurredAt', 'idempotencyKey', 'description', 'metadata', 'changes'] as const;
const ACTOR_MEMBERS = ['type', 'name', 'id', 'email'] as const;
const ENTITY_MEMBERS = ['type', 'name', 'id'] as const;

function without<T extends object>(value: T, member: string): T {
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== member)) as T;
}

const asEvent = (value: unknown): IncomingEvent => value as IncomingEvent;

describe('schemaOrderedEventJson: the fast path of the idempotency fingerprint', () => {
  it('writes an event with every member of the schema, as the reference does', () => {
    const json = schemaOrderedEventJson(asEvent(FULL));
    expect(json).toBe(canonicalize(FULL));
    expect(json?.startsWith('{"actor":{"email":"ada@example.com","id":"u-1","name":"Ada","type":"user"},"changes":')).toBe(true);
  });

  it('writes the event without any one optional member, and the smallest event', () => {
    for (const member of EVENT_MEMBERS) {
      const event = without(FULL, member);
      expect(schemaOrderedEventJson(asEvent(event)), `without ${member}`).toBe(canonicalize(event));
    }
    for (const member of ACTOR_MEMBERS) {
      const event = { ...FULL, actor: without(FULL.actor, member) };
      expect(schemaOrderedEventJson(asEvent(event)), `without actor.${member}`).toBe(canonicalize(event));
    }
    for (const member of ENTITY_MEMBERS) {
      const event = { ...FULL, entity: without(FULL.entity, member) };
      expect(schemaOrderedEventJson(asEvent(event)), `without entity.${member}`).toBe(canonicalize(event));
    }
    const smallest = { actor: {}, entity: {} };
    expect(schemaOrderedEventJson(asEvent(smallest))).toBe('{"actor":{},"entity":{}}');
  });

  it('writes null and numbers where strings are expected as the reference does (the schema refuses them later)', () => {
    const event = { ...FULL, description: null, type: 7, actor: { ...FULL.actor, name: null }, entity: { ...FULL.entity, id: 3 } };
    expect(schemaOrderedEventJson(asEvent(event))).toBe(canonicalize(event));
  });

  it('refuses an object in place of each scalar member, which the literal would not sort', () => {
    const object = { b: 1, a: 2 };
    for (const member of ['version', 'type', 'orgId', 'occurredAt', 'idempotencyKey', 'description'])
      expect(schemaOrderedEventJson(asEvent({ ...FULL, [member]: object })), member).toBeUndefined();
    for (const member of ACTOR_MEMBERS)
      expect(schemaOrderedEventJson(asEvent({ ...FULL, actor: { ...FULL.actor, [member]: object } })), `actor.${member}`).toBeUndefined();
    for (const member of ENTITY_MEMBERS)
      expect(
        schemaOrderedEventJson(asEvent({ ...FULL, entity: { ...FULL.entity, [member]: object } })),
        `entity.${member}`,
      ).toBeUndefined();
  });

  it('refuses a member outside the schema, or one set to undefined, at every level', () => {
    expect(schemaOrderedEventJson(asEvent({ ...FULL, extra: 1 }))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent({ ...FULL, actor: { ...FULL.actor, extra: 1 } }))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent({ ...FULL, entity: { ...FULL.entity, extra: 1 } }))).toBeUndefined();
    // An absent member set to undefined counts as a key: with one unknown member besides, the count would match.
    expect(schemaOrderedEventJson(asEvent({ ...without(FULL, 'description'), description: undefined }))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent({ ...FULL, actor: { ...without(FULL.actor, 'name'), name: undefined } }))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent({ ...FULL, entity: { ...without(FULL.entity, 'name'), name: undefined } }))).toBeUndefined();
  });

  it('refuses an event, actor or entity that is not a plain object, and takes one without a prototype', () => {
    expect(schemaOrderedEventJson(asEvent(null))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent('event'))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent([FULL]))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent({ ...FULL, actor: 'u-1' }))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent({ ...FULL, entity: null }))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent({ ...FULL, actor: new Map() }))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent({ ...FULL, entity: new Date(0) }))).toBeUndefined();
    // A member read through a prototype would not be counted among the object's own keys.
    const inherited = Object.assign(Object.create({ extra: 1 }) as object, FULL);
    expect(schemaOrderedEventJson(asEvent(inherited))).toBeUndefined();
    const bare = Object.assign(Object.create(null) as object, FULL);
    expect(schemaOrderedEventJson(asEvent(bare))).toBe(canonicalize(FULL));
  });

  it('refuses metadata or changes whose keys JSON.stringify would not keep in sorted order', () => {
    expect(schemaOrderedEventJson(asEvent({ ...FULL, metadata: { 10: 'x', 9: 'y' } }))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent({ ...FULL, changes: [{ field: 'f', to: { 10: 1, 9: 2 } }] }))).toBeUndefined();
    expect(schemaOrderedEventJson(asEvent({ ...without(FULL, 'metadata'), changes: [{ field: 'f', to: { 10: 1 } }] }))).toBeUndefined();
  });

  it('leaves every event it refuses to the generic path, with the reference bytes', () => {
    const refused = [
      { ...FULL, extra: { b: 1, a: 2 } },
      { ...FULL, metadata: { 10: 'x', 9: 'y' } },
      { ...FULL, type: { b: 1, a: 2 } },
    ];
    for (const event of refused) {
      expect(schemaOrderedEventJson(asEvent(event))).toBeUndefined();
      expect(canonicalIncomingEventJson(asEvent(event))).toBe(canonicalize(event));
    }
    expect(canonicalIncomingEventJson(asEvent(FULL))).toBe(canonicalize(FULL));
  });
});
