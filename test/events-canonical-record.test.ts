import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { canonicalCopy, canonicalJson, canonicalRecordJson, type HashedRecord } from '../src/events/canonical-record.js';
import type { JsonValue } from '../src/events/audit-event.js';
import { leafHash } from '../src/events/leaf-hash.js';
import { seededRandom } from './support/seeded-random.js';

/**
 * The record's canonical JSON is computed by a sorted copy and `JSON.stringify` (canonical-record.ts); the
 * `canonicalize` package, a straightforward RFC 8785 implementation, is the reference it must equal byte for
 * byte on any record, including the keys whose order JavaScript objects do not keep.
 */
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string;

// Keys that sort differently by UTF-16 code units than by code points ('😀' is a surrogate pair, below 'ｚ'),
// integer-like keys that objects list first ('10', '9', '0'), one that is not integer-like ('01'), and
// '__proto__', which only a data-property definition (JSON.parse, Object.fromEntries) makes an own key.
const KEYS = ['a', 'B', 'b', 'é', 'ｚ', '😀', '', ' ', 'key with "quotes"', '10', '9', '0', '01', '4294967295', '__proto__'];
const STRINGS = [
  '',
  'plain',
  'café',
  'line\nbreak',
  'tab\tand\u0001control',
  'quote " and \\ backslash',
  '\u2028\u2029',
  '😀 emoji',
  '\ud800 lone',
  '=cmd',
];
const NUMBERS = [0, -0, 1, -17, 10.5, 0.1 + 0.2, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER + 2, 123456789.125];

function randomJson(random: ReturnType<typeof seededRandom>, depth: number): JsonValue {
  const kind = random.int(depth > 2 ? 4 : 6);
  if (kind === 0) return random.pick(STRINGS);
  if (kind === 1) return random.pick(NUMBERS);
  if (kind === 2) return random.pick([true, false]);
  if (kind === 3) return null;
  if (kind === 4) return Array.from({ length: random.int(4) }, () => randomJson(random, depth + 1));
  return Object.fromEntries(Array.from({ length: random.int(5) }, () => [random.pick(KEYS), randomJson(random, depth + 1)])) as JsonValue;
}

function randomRecord(random: ReturnType<typeof seededRandom>, seq: number): HashedRecord {
  const record: HashedRecord = {
    logId: '0190a5b4-1c2d-7e3f-8a4b-5c6d7e8f9a0b',
    orgId: '0190a5b4-0000-7000-8000-000000000001',
    seq,
    product: 'UserManagement',
    type: 'user.invited',
    action: 'Create',
    activity: 'Invited a user',
    description: random.pick(STRINGS),
    securityAction: random.pick([true, false]),
    occurredAt: '2026-11-25T10:00:00.000Z',
    recordedAt: '2026-11-25T10:00:00.123Z',
    actor: random.pick([
      { id: 'u-1', type: 'user' as const, name: null, email: null },
      { id: 'u-1', type: 'user' as const, name: random.pick(STRINGS), email: 'zoe@example.com', ip: '203.0.113.7' },
    ]),
    entity: { id: 'u-2', type: 'user', name: random.pick(STRINGS), product: 'UserManagement' },
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    expiresAt: '2027-02-23T10:00:00.000Z',
  };
  if (random.int(2) === 0) record.changes = [{ field: random.pick(STRINGS), from: random.pick(STRINGS), to: randomJson(random, 2) }];
  if (random.int(4) !== 0) record.metadata = randomJson(random, 0) as Record<string, JsonValue>;
  return record;
}

describe('canonical record JSON', () => {
  it('equals the canonicalize package byte for byte on 5,000 random records', () => {
    const random = seededRandom(8785);
    let withIntegerLikeKeys = 0;
    for (let seq = 0; seq < 5000; seq += 1) {
      const record = randomRecord(random, seq);
      const expected = canonicalize(record);
      if (/"(?:\d+|__proto__)":/.test(expected)) withIntegerLikeKeys += 1;
      expect(canonicalRecordJson(record)).toBe(expected);
    }
    // Both ways of computing it were exercised: records with such keys take the package's path.
    expect(withIntegerLikeKeys).toBeGreaterThan(100);
    expect(withIntegerLikeKeys).toBeLessThan(4900);
  });

  it('orders integer-like keys as text, not as numbers, and drops undefined members', () => {
    const record = randomRecord(seededRandom(1), 7);
    record.metadata = JSON.parse('{"9":"nine","10":"ten","b":{"2":true,"10":false},"__proto__":1}') as Record<string, JsonValue>;
    const json = canonicalRecordJson({ ...record, changes: undefined });
    expect(json).toContain('"metadata":{"10":"ten","9":"nine","__proto__":1,"b":{"10":false,"2":true}}');
    expect(json).not.toContain('"changes"');
  });
});

describe('canonicalCopy: the sorted copy JSON.stringify writes as RFC 8785', () => {
  // Where the copy cannot keep a key's place, the callers take the slower package; the bytes are the same either
  // way, so only here does a key sent needlessly down the slow path (or one wrongly kept on the fast one) show.
  it('keeps keys that JSON.stringify writes in insertion order, and writes them sorted', () => {
    for (const key of ['01', '1a', '-1', '4294967295', '1.5', ' 1', 'a', '']) {
      const copy = canonicalCopy({ [key]: 1, zz: 2, '!': 3 });
      expect(copy, key).toBeDefined();
      expect(JSON.stringify(copy)).toBe(canonicalize({ [key]: 1, zz: 2, '!': 3 }));
    }
  });

  it('gives up on array-index keys (JSON.stringify writes them first, by number) and __proto__', () => {
    for (const key of ['0', '9', '10', '4294967294', '__proto__']) {
      expect(canonicalCopy(JSON.parse(`{"${key}": 1, "a": 2}`) as unknown), key).toBeUndefined();
      expect(canonicalCopy({ nested: [JSON.parse(`{"${key}": 1}`) as unknown] }), `nested ${key}`).toBeUndefined();
    }
  });

  it('drops members set to undefined rather than keeping the key', () => {
    const copy = canonicalCopy({ b: undefined, a: 1, c: { y: undefined, x: 2 } }) as Record<string, Record<string, unknown>>;
    expect(Object.keys(copy)).toEqual(['a', 'c']);
    expect(Object.keys(copy.c ?? {})).toEqual(['x']);
  });

  it('passes on an error that is not about key order instead of taking it for one', () => {
    const failing = {
      get a(): unknown {
        throw new Error('a getter failed');
      },
    };
    expect(() => canonicalCopy(failing)).toThrow('a getter failed');
    expect(() => canonicalJson(failing)).toThrow('a getter failed');
    expect(() => canonicalJson({ 10: 1, nested: failing })).toThrow('a getter failed');
  });
});

describe('leaf hash', () => {
  it('is SHA-256 over the byte 0x00 and the UTF-8 bytes of the canonical JSON', () => {
    for (const text of ['', '{"a":1}', ...STRINGS.map((s) => JSON.stringify({ s }))]) {
      const expected = createHash('sha256')
        .update(Buffer.concat([Buffer.from([0]), Buffer.from(text, 'utf8')]))
        .digest('hex');
      expect(leafHash(text)).toBe(expected);
    }
  });
});
