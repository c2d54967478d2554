import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/config.js';
import { AttestError } from '../../src/core/errors.js';
import { decodeCursor, encodeCursor } from '../../src/features/audit-logs/query/audit-log-cursor.js';
import { configureProperties } from './fast-check-settings.js';

// Cursors: whatever position, range and total a page issues reads back unchanged, and no single-byte edit of
// an issued cursor is ever accepted.

configureProperties();

const KEY = randomBytes(32);
const FINGERPRINT = 'Zm9vYmFyYmF6cXV4';

const issued = fc
  .record({
    toMs: fc.integer({ min: 30 * DAY_MS, max: 4_102_444_800_000 }),
    span: fc.integer({ min: 1, max: 30 * DAY_MS }),
    back: fc.integer({ min: 0, max: 30 * DAY_MS }),
    seq: fc.integer({ min: 0, max: 2 ** 36 }),
    total: fc.integer({ min: 0, max: 2 ** 40 }),
  })
  .map(({ toMs, span, back, seq, total }) => ({
    range: { fromMs: toMs - span, toMs },
    position: { occurredAtMs: toMs - Math.min(back, span), seq },
    total,
  }));

function isRefused(cursor: string): boolean {
  try {
    decodeCursor(cursor, FINGERPRINT, KEY);
    return false;
  } catch (error) {
    if (error instanceof AttestError && error.code === 'INVALID_CURSOR') return true;
    throw error;
  }
}

describe('cursors (property)', () => {
  it('read back exactly what was issued', () => {
    fc.assert(
      fc.property(issued, ({ range, position, total }) => {
        const cursor = encodeCursor(position, range, total, FINGERPRINT, KEY);
        expect(decodeCursor(cursor, FINGERPRINT, KEY)).toEqual({ position, range, total });
      }),
    );
  });

  it('refuse every single-byte edit of an issued cursor', () => {
    const printable = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
    fc.assert(
      fc.property(issued, fc.nat(), printable, ({ range, position, total }, where, replacement) => {
        const cursor = encodeCursor(position, range, total, FINGERPRINT, KEY);
        const at = where % cursor.length;
        fc.pre(cursor[at] !== replacement);
        const edited = `${cursor.slice(0, at)}${replacement}${cursor.slice(at + 1)}`;
        expect(isRefused(edited)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
