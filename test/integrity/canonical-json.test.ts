import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type CanonicalJsonValue } from '../../src/integrity/canonical-json.js';
import { canonicalRecordJson, type HashedRecord } from '../../src/events/canonical-record.js';
import { leafHash } from '../../src/events/leaf-hash.js';
import { toHex, utf8 } from '../../src/integrity/bytes.js';
import { MerkleHasher } from '../../src/integrity/merkle-hasher.js';
import { PROPERTY_SEED } from '../property/fast-check-settings.js';

/**
 * The page recomputes an event's leaf hash from the record it shows (integrity/canonical-json.ts), so its
 * RFC 8785 form must be the server's byte for byte: checked against the `canonicalize` package, a plain RFC
 * 8785 implementation, on generated JSON, and against the server's own canonical record and leaf hash.
 */
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string;

describe('canonical JSON (RFC 8785)', () => {
  it('writes primitives as JSON does, arrays in order and object members sorted by UTF-16 code units', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(false)).toBe('false');
    expect(canonicalJson(0)).toBe('0');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(1e21)).toBe('1e+21');
    expect(canonicalJson(1e-7)).toBe('1e-7');
    expect(canonicalJson(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(canonicalJson('a "quoted" \\ line\n\u2028 é 😀')).toBe('"a \\"quoted\\" \\\\ line\\n\u2028 é 😀"');
    expect(canonicalJson('\u0001\u001f')).toBe('"\\u0001\\u001f"');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([3, [2, [1]], 'x'])).toBe('[3,[2,[1]],"x"]');
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe('{"a":{"c":"x","d":[true,null]},"b":1}');
    // '😀' is a surrogate pair, below 'ｚ' by UTF-16 code units although above it by code points.
    expect(canonicalJson({ ｚ: 1, '😀': 2, é: 3, B: 4, a: 5, '': 6 })).toBe('{"":6,"B":4,"a":5,"é":3,"😀":2,"ｚ":1}');
  });

  it('sorts integer-like member names as text, where JSON.stringify would put them first in numeric order', () => {
    const value = JSON.parse('{"b":0,"10":"ten","9":"nine","__proto__":1,"01":2}') as CanonicalJsonValue;
    expect(canonicalJson(value)).toBe('{"01":2,"10":"ten","9":"nine","__proto__":1,"b":0}');
    expect(JSON.stringify(value)).not.toBe(canonicalJson(value));
  });

  it('leaves out members whose value is undefined, and refuses numbers JSON cannot write', () => {
    const withUndefined = { a: 1, gone: undefined, b: [2] } as unknown as CanonicalJsonValue;
    expect(canonicalJson(withUndefined)).toBe('{"a":1,"b":[2]}');
    expect(canonicalJson({ only: undefined } as unknown as CanonicalJsonValue)).toBe('{}');
    expect(() => canonicalJson(Number.NaN)).toThrow(new TypeError('NaN has no JSON form'));
    expect(() => canonicalJson({ a: [Number.POSITIVE_INFINITY] })).toThrow(TypeError);
    expect(() => canonicalJson(Number.NEGATIVE_INFINITY)).toThrow('-Infinity has no JSON form');
  });

  it('equals the canonicalize package on generated JSON, read back through JSON.parse as the page reads it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = JSON.parse(JSON.stringify(value)) as CanonicalJsonValue;
        expect(canonicalJson(parsed)).toBe(canonicalize(parsed));
      }),
      { seed: PROPERTY_SEED, numRuns: 500 },
    );
  });

  it('gives the server’s canonical record and leaf hash for a record read back from the API form', async () => {
    const record: HashedRecord = {
      logId: '0190a5b4-1c2d-7e3f-8a4b-5c6d7e8f9a0b',
      orgId: '0190a5b4-0000-7000-8000-000000000001',
      seq: 41,
      product: 'UserManagement',
      type: 'user.invited',
      action: 'Create',
      activity: 'Invited a user',
      description: 'Invited Zoë "Z" Zhang 😀',
      securityAction: false,
      occurredAt: '2026-11-25T10:00:00.000Z',
      recordedAt: '2026-11-25T10:00:00.123Z',
      actor: { id: 'u-1', type: 'user', name: 'Ana', email: 'ana@example.com', ip: '203.0.113.7' },
      entity: { id: 'u-2', type: 'user', name: 'Zoë', product: 'UserManagement' },
      changes: [{ field: 'userType', from: 'standard', to: { level: 2, '10': [1.5, null] } }],
      metadata: { '7': 'integer-like', b: { '2': true, '10': false }, é: -0.25 },
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      expiresAt: '2027-02-23T10:00:00.000Z',
    };
    const serverJson = canonicalRecordJson(record);
    const apiForm = JSON.parse(`${serverJson.slice(0, -1)},"leafHash":"${leafHash(serverJson)}"}`) as Record<string, CanonicalJsonValue>;
    const { leafHash: shown, ...hashed } = apiForm;
    expect(canonicalJson(hashed)).toBe(serverJson);
    expect(toHex(await new MerkleHasher().hashLeaf(utf8(canonicalJson(hashed))))).toBe(shown);
    expect(toHex(await new MerkleHasher().hashLeafText(canonicalJson(hashed)))).toBe(shown);
  });
});
