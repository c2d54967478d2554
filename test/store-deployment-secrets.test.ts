import { afterEach, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../src/features/audit-logs/query/audit-log-cursor.js';
import { openLocation } from './support/seed-store.js';
import { storeMatrix } from './support/store-matrix.js';
import { freshStoreLocation, type FreshStoreLocation } from './support/test-stores.js';

// The cursor key is generated on a store's first start and kept in it, so every process on the same store
// (several servers on one PostgreSQL, the CLI beside a server on one SQLite file) accepts the others' cursors.

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`${kind}: deployment secrets`, () => {
    const locations: FreshStoreLocation[] = [];
    afterEach(async () => {
      for (const location of locations.splice(0)) await location.remove();
    });

    it('generates a 32-byte cursor key on the first start, which every later opening shares', async () => {
      const location = freshStoreLocation(kind);
      locations.push(location);
      const first = await openLocation(location);
      const second = await openLocation(location);
      const third = await openLocation(location);
      try {
        expect(first.cursorKey).toHaveLength(32);
        expect(second.cursorKey.equals(first.cursorKey)).toBe(true);
        expect(third.cursorKey.equals(first.cursorKey)).toBe(true);
        const cursor = encodeCursor({ occurredAtMs: 10, seq: 1 }, { fromMs: 0, toMs: 1000 }, 5, 'fp', first.cursorKey);
        expect(decodeCursor(cursor, 'fp', third.cursorKey).total).toBe(5);
      } finally {
        await Promise.all([first.close(), second.close(), third.close()]);
      }

      const elsewhere = freshStoreLocation(kind);
      locations.push(elsewhere);
      const other = await openLocation(elsewhere);
      try {
        expect(other.cursorKey.equals(first.cursorKey)).toBe(false);
      } finally {
        await other.close();
      }
    });
  });
}
