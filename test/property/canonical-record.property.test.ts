import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/events/audit-event.js';
import { canonicalJson, canonicalRecordJson, type HashedRecord } from '../../src/events/canonical-record.js';
import { canonicalIncomingEventJson } from '../../src/catalog/canonical-incoming-event.js';
import type { IncomingEvent } from '../../src/catalog/incoming-event.js';
import { incomingEventFingerprint } from '../../src/catalog/incoming-event-fingerprint.js';
import { leafHash } from '../../src/events/leaf-hash.js';
import { configureProperties } from './fast-check-settings.js';

// The canonical record (RFC 8785) does not depend on the order in which a record's keys were set, at any
// depth, and equals the reference implementation byte for byte; so its leaf hash is stable too.

configureProperties();

const canonicalize = canonicalizeModule as unknown as (input: unknown) => string;

const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('10', '9', '0', '01', '__proto__', '😀', 'ｚ'));
const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => Object.fromEntries(entries) as JsonValue),
  ),
})).value;

const record: fc.Arbitrary<HashedRecord> = fc.record(
  {
    logId: fc.uuid(),
    orgId: fc.uuid(),
    seq: fc.nat(),
    product: fc.constantFrom('UserManagement', 'LoyaltyPlus'),
    type: fc.string({ minLength: 1 }),
    action: fc.constantFrom('Create', 'Update'),
    activity: fc.string(),
    description: fc.string(),
    securityAction: fc.boolean(),
    occurredAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    recordedAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    actor: fc.record({
      id: fc.string(),
      name: fc.option(fc.string(), { nil: null }),
      email: fc.option(fc.emailAddress(), { nil: null }),
      type: fc.constantFrom('user' as const, 'service' as const),
    }),
    entity: fc.record({ id: fc.string(), name: fc.option(fc.string(), { nil: null }), type: fc.string(), product: fc.string() }),
    metadata: fc
      .array(fc.tuple(key, jsonValue), { maxLength: 5 })
      .map((entries) => Object.fromEntries(entries) as Record<string, JsonValue>),
    producer: fc.record({ id: fc.uuid(), name: fc.string() }),
    traceId: fc.stringMatching(/^[0-9a-f]{32}$/),
    expiresAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  },
  {
    requiredKeys: [
      'logId',
      'orgId',
      'seq',
      'product',
      'type',
      'action',
      'activity',
      'description',
      'securityAction',
      'occurredAt',
      'recordedAt',
      'actor',
      'entity',
      'traceId',
      'expiresAt',
    ],
  },
);

const text = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('\u2028', '"\\', '😀', '\ud800', 'é'));
/**
 * Now and then a member the ingest schema does not know, one set to undefined, or one of its members holding an
 * object where the schema has a string: the writer must fall back rather than write those out of order.
 */
const strays = fc.dictionary(
  fc.oneof(key, fc.constantFrom('type', 'id', 'name', 'email', 'orgId', 'description', 'zz', 'aa')),
  fc.oneof(jsonValue, fc.constant(undefined), fc.dictionary(key, jsonValue, { minKeys: 2, maxKeys: 3 })),
  { maxKeys: 2 },
);
const sometimes = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });

/** Events as producers send them (the ingest schema's members, in any order), with the odd stray member. */
const incoming: fc.Arbitrary<IncomingEvent> = fc
  .record({
    type: text,
    version: sometimes(fc.integer({ min: 1, max: 5 })),
    orgId: text,
    occurredAt: sometimes(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
    actor: fc.record({
      id: text,
      name: sometimes(text),
      email: sometimes(fc.emailAddress()),
      type: sometimes(fc.constantFrom('user' as const, 'service' as const)),
    }),
    entity: fc.record({ id: text, name: sometimes(text), type: sometimes(text) }),
    description: sometimes(text),
    changes: sometimes(fc.array(fc.record({ field: text, from: jsonValue, to: jsonValue }, { requiredKeys: ['field'] }), { maxLength: 3 })),
    metadata: sometimes(fc.dictionary(key, jsonValue, { maxKeys: 4 })),
    idempotencyKey: sometimes(text),
    stray: fc.option(fc.tuple(fc.constantFrom('event', 'actor', 'entity'), strays), { nil: undefined, freq: 4 }),
  })
  .map(({ stray, ...event }) => {
    // Absent members are left out, as JSON.parse leaves them, unless a stray sets one to undefined.
    const drop = (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
    const result = { ...drop(event), actor: drop(event.actor), entity: drop(event.entity) } as Record<string, Record<string, unknown>>;
    if (stray) {
      const [where, members] = stray;
      const target = where === 'event' ? result : (result[where] as Record<string, unknown>);
      for (const [k, v] of Object.entries(members))
        Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return result as unknown as IncomingEvent;
  });

/** A deep copy of JSON data with every object's keys defined in an order chosen by `order`. */
function reordered(value: unknown, order: (keys: string[]) => string[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => reordered(item, order));
  const copy: Record<string, unknown> = {};
  for (const k of order(Object.keys(value))) {
    // defineProperty, not assignment: a "__proto__" key stays an own data member.
    Object.defineProperty(copy, k, {
      value: reordered((value as Record<string, unknown>)[k], order),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

describe('canonical record (property)', () => {
  it('is the same bytes, and the same leaf hash, whatever order the keys were set in', () => {
    fc.assert(
      fc.property(record, fc.integer(), (r, salt) => {
        const shuffle = (keys: string[]) =>
          [...keys].sort((a, b) => ((a.length * 31 + salt) % 7) - ((b.length * 31 + salt) % 7) || (a < b ? 1 : -1));
        const json = canonicalRecordJson(r);
        const other = canonicalRecordJson(reordered(r, shuffle) as HashedRecord);
        expect(other).toBe(json);
        expect(leafHash(other)).toBe(leafHash(json));
        expect(json).toBe(canonicalize(r));
      }),
    );
  });

  it('serializes any JSON value (what an idempotency fingerprint digests) byte for byte as the reference does', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
    );
  });

  it('writes an incoming event, stray members and all, byte for byte as the reference does, whatever its key order', () => {
    fc.assert(
      fc.property(incoming, fc.integer(), (event, salt) => {
        const shuffle = (keys: string[]) =>
          [...keys].sort((a, b) => ((a.length * 17 + salt) % 5) - ((b.length * 17 + salt) % 5) || (a < b ? -1 : 1));
        const expected = canonicalize(event);
        expect(canonicalIncomingEventJson(event)).toBe(expected);
        expect(canonicalIncomingEventJson(reordered(event, shuffle) as IncomingEvent)).toBe(expected);
      }),
    );
  });

  it('writes the events it cannot write field by field through the generic path, byte for byte as the reference', () => {
    const base = { type: 't', orgId: 'o', actor: { id: 'a' }, entity: { id: 'e' } };
    const odd: unknown[] = [
      { ...base, entity: { id: 'e', type: { b: 1, a: 2 } } },
      { ...base, actor: { id: 'a', name: { z: 1, y: [{ d: 1, c: 2 }] } } },
      { ...base, orgId: { b: 1, a: 2 } },
      { ...base, description: { b: 1, a: 2 } },
      { ...base, zz: 1, aa: { b: 1, a: 2 } },
      { ...base, actor: { id: 'a', b: { d: 1, c: 2 } } },
      { ...base, description: undefined, a: { b: 1, a: 2 } },
      { orgId: 'o', actor: { id: 'a' }, entity: { id: 'e' }, aa: { b: 1, a: 2 } },
      { ...base, metadata: { 10: 'x', 9: 'y', b: { d: 1, c: 2 } } },
      { ...base, changes: [{ field: 'f', to: { b: 1, a: 2 } }], metadata: { b: 1, a: 2 } },
    ];
    for (const event of odd) expect(canonicalIncomingEventJson(event as IncomingEvent)).toBe(canonicalize(event));
  });

  it('gives an event sent with an idempotency key the fingerprint of its reference canonical form', () => {
    fc.assert(
      fc.property(fc.dictionary(key, jsonValue, { maxKeys: 4 }), fc.string(), (metadata, id) => {
        const event = { type: 'user.standard.added', orgId: id, actor: { id }, entity: { id }, metadata, idempotencyKey: id };
        expect(incomingEventFingerprint(event)).toBe(createHash('sha256').update(canonicalize(event)).digest('base64url'));
      }),
    );
  });
});
