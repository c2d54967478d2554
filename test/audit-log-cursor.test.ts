import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../src/config.js';
import { AttestError } from '../src/core/errors.js';
import { decodeCursor, encodeCursor, queryFingerprint } from '../src/features/audit-logs/query/audit-log-cursor.js';
import { parseAuditLogFilters } from '../src/features/audit-logs/query/audit-log-query.js';

// The owner list's cursor: signed with the deployment's key, so a hand-edited one is refused, and checked
// field by field, so even a correctly signed cursor this code would never issue is refused.

const NOW = Date.UTC(2026, 10, 20, 15, 17, 0, 123);
const ORG = '0190a0a0-0000-7000-8000-000000000001';
const KEY = randomBytes(32);
const filters = parseAuditLogFilters({ action: 'Create' });
const fingerprint = queryFingerprint(ORG, {}, filters);
const range = { fromMs: NOW - 30 * DAY_MS, toMs: NOW };
const GOOD_BODY = { v: 1, o: NOW - 5, s: 42, f: range.fromMs, t: range.toMs, n: 1234, h: fingerprint };

/** A cursor with any body, correctly signed: what only someone holding the key could make. */
function signed(body: unknown, key: Buffer = KEY): string {
  const encoded = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${encoded}.${createHmac('sha256', key).update(encoded).digest('base64url')}`;
}

function refusal(cursor: string, fp: string = fingerprint, key: Buffer = KEY): string {
  try {
    decodeCursor(cursor, fp, key);
  } catch (error) {
    if (!(error instanceof AttestError)) throw error;
    expect(error.code).toBe('INVALID_CURSOR');
    expect(error.errors[0]?.field).toBe('cursor');
    return error.errors[0]?.reason ?? '';
  }
  throw new Error(`cursor accepted: ${cursor}`);
}

describe('cursors', () => {
  it('round-trip a position, range and total under the same fingerprint and key', () => {
    const cursor = encodeCursor({ occurredAtMs: NOW - 5, seq: 42 }, range, 1234, fingerprint, KEY);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(decodeCursor(cursor, fingerprint, KEY)).toEqual({ position: { occurredAtMs: NOW - 5, seq: 42 }, range, total: 1234 });
    expect(signed(GOOD_BODY)).toBe(cursor);
  });

  it('differ by organization, requested from, requested to and every filter', () => {
    const variants = [
      queryFingerprint('0190a0a0-0000-7000-8000-000000000002', {}, filters),
      queryFingerprint(ORG, { from: '2026-11-01' }, filters),
      queryFingerprint(ORG, { to: '2026-11-15' }, filters),
      queryFingerprint(ORG, {}, parseAuditLogFilters({ action: 'Create', security: true })),
      queryFingerprint(ORG, {}, parseAuditLogFilters({ action: 'Create', actor: 'a@b.c' })),
      queryFingerprint(ORG, {}, parseAuditLogFilters({ action: 'Create', type: 'user.standard.added' })),
      queryFingerprint(ORG, {}, parseAuditLogFilters({ action: 'Create', product: 'UserManagement' })),
      queryFingerprint(ORG, {}, parseAuditLogFilters({ action: 'Create', excludeType: 'audit_log.viewed' })),
      queryFingerprint(ORG, {}, parseAuditLogFilters({})),
    ];
    expect(new Set([fingerprint, ...variants]).size).toBe(variants.length + 1);
    const cursor = encodeCursor({ occurredAtMs: NOW, seq: 1 }, range, 7, fingerprint, KEY);
    for (const other of variants) expect(refusal(cursor, other)).toMatch(/different organization, range or filter/);
  });

  it('refuses a hand-edited cursor, one signed by another deployment and one whose MAC is spelled differently', () => {
    const cursor = encodeCursor({ occurredAtMs: NOW, seq: 1 }, range, 7, fingerprint, KEY);
    const [body, tag] = cursor.split('.') as [string, string];
    const edited = Buffer.from(JSON.stringify({ ...GOOD_BODY, n: 999_999 })).toString('base64url');
    expect(refusal(`${edited}.${tag}`)).toMatch(/altered/);
    expect(refusal(cursor, fingerprint, randomBytes(32))).toMatch(/altered/);
    expect(refusal(signed(GOOD_BODY, randomBytes(32)))).toMatch(/altered/);
    // The last base64url digit of a 32-byte MAC carries 4 unused bits: the same bytes, spelled otherwise.
    const last = tag.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string;
    expect(refusal(`${body}.${tag.slice(0, -1)}${sibling}`)).toMatch(/altered/);
  });

  it('refuses what is not a cursor at all', () => {
    for (const garbage of [
      '',
      '!!!',
      'abc',
      'a.b.c',
      `${signed(GOOD_BODY)}.x`,
      `.${signed(GOOD_BODY).split('.')[1]}`,
      `${signed(GOOD_BODY).split('.')[0]}.`,
      'a+b.c/d',
    ]) {
      expect(refusal(garbage)).toMatch(/not a cursor this API issued|altered/);
    }
    const notJson = Buffer.from('{not json').toString('base64url');
    expect(refusal(`${notJson}.${createHmac('sha256', KEY).update(notJson).digest('base64url')}`)).toMatch(/not a cursor this API issued/);
    for (const body of [[1, 2], null, 'text', 42]) expect(refusal(signed(body))).toMatch(/not a cursor this API issued/);
  });

  it('refuses an unknown or missing version', () => {
    for (const v of [0, 2, '1', null, undefined]) expect(refusal(signed({ ...GOOD_BODY, v }))).toMatch(/version/);
  });

  it('refuses every field that is not an integer, each by name', () => {
    const names = { o: 'position time', s: 'position seq', f: 'range start', t: 'range end', n: 'total' } as const;
    for (const [field, what] of Object.entries(names)) {
      for (const bad of [1.5, '12', null, true, 2 ** 53, -(2 ** 53), undefined]) {
        expect(refusal(signed({ ...GOOD_BODY, [field]: bad })), `${field}=${String(bad)}`).toBe(`carries a ${what} that is not an integer`);
      }
    }
  });

  it('refuses a negative seq or total, an inverted or empty range and a range over 30 days', () => {
    expect(refusal(signed({ ...GOOD_BODY, s: -1 }))).toMatch(/negative seq/);
    expect(refusal(signed({ ...GOOD_BODY, n: -1 }))).toMatch(/negative total/);
    expect(refusal(signed({ ...GOOD_BODY, f: NOW, t: NOW - DAY_MS }))).toMatch(/ends before it starts/);
    expect(refusal(signed({ ...GOOD_BODY, f: NOW, t: NOW }))).toMatch(/ends before it starts/);
    expect(refusal(signed({ ...GOOD_BODY, f: NOW - 30 * DAY_MS - 1 }))).toMatch(/longer than 30 days/);
    // The edges are accepted: seq and total 0, a range of exactly 30 days or of 1 ms.
    expect(decodeCursor(signed({ ...GOOD_BODY, s: 0, n: 0 }), fingerprint, KEY).total).toBe(0);
    expect(decodeCursor(signed({ ...GOOD_BODY, f: NOW - 30 * DAY_MS, t: NOW }), fingerprint, KEY).range).toEqual({
      fromMs: NOW - 30 * DAY_MS,
      toMs: NOW,
    });
    expect(decodeCursor(signed({ ...GOOD_BODY, f: NOW - 1, t: NOW }), fingerprint, KEY).range).toEqual({ fromMs: NOW - 1, toMs: NOW });
  });

  it('refuses a missing or non-string fingerprint', () => {
    expect(refusal(signed({ ...GOOD_BODY, h: undefined }))).toMatch(/different organization/);
    expect(refusal(signed({ ...GOOD_BODY, h: 12 }))).toMatch(/different organization/);
  });
});
