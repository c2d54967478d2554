import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql, type Kysely } from 'kysely';
import type { AttestDatabase } from '../src/store/database-schema.js';
import { afterAll, describe, expect, it } from 'vitest';
import { allEventTypes } from '../src/catalog/catalog-registry.js';
import { systemClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { AttestStore } from '../src/store/attest-store.js';
import { appendEventsInTransaction, type AppendingDialect } from '../src/store/event-log-writer.js';
import { migrationProvider } from '../src/store/migrations/migration-list.js';
import { openSqliteStoreDialect } from '../src/store/sqlite/sqlite-store-dialect.js';
import { preparedEvent } from './support/prepared-events.js';

async function indexNames(db: Kysely<AttestDatabase>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from sqlite_schema where type = 'index'`.execute(db);
  return rows.map((row) => row.name);
}

// A store written by an earlier version (its schema at migration 0002, with the action and security indexes)
// keeps every event, and answers every filter the same, once a newer version opens it and migrates.
describe('upgrading a populated SQLite store to the leaner event indexes and clustered rows (migrations 0003, 0004)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-upgrade-'));
  const file = join(dir, 'attest.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the events and answers action, security, product and actor filters after migrating', async () => {
    const orgId = newId();
    const now = Date.now();
    const types = allEventTypes();
    const events = Array.from({ length: 300 }, (_, i) =>
      preparedEvent(orgId, {
        type: (types[i % types.length] as (typeof types)[number]).type,
        occurredAtMs: now - i * 60_000,
        actorEmail: i % 3 === 0 ? 'ann@example.com' : 'bo@example.com',
      }),
    );

    const old = openSqliteStoreDialect(file);
    const migrated = await new Migrator({ db: old.db, provider: migrationProvider }).migrateTo('0002-user-management');
    expect(migrated.error).toBeUndefined();
    // Written the way that version wrote rows: the portable insert of the columns it had, SQLite numbering the
    // rows in arrival order. (Columns added since, such as the idempotency fingerprint of 0007, are left out.)
    const oldWriter: AppendingDialect = {
      supportsRowLocks: old.supportsRowLocks,
      insertEventRows: async (tx, rows) => {
        await tx
          .insertInto('audit_events')
          .values(rows.map(({ idempotency_fingerprint: _added0007, ...columns }) => columns))
          .execute();
      },
    };
    await old.db.transaction().execute((tx) => appendEventsInTransaction(tx, oldWriter, events, systemClock));
    expect(await indexNames(old.db)).toContain('audit_events_by_security');
    await old.close();

    const store = await AttestStore.open(openSqliteStoreDialect(file));
    try {
      const range = { orgId, fromMs: now - 86_400_000, toMs: now + 1 };
      const expectMatches = async (
        filter: Parameters<typeof store.events.findPage>[0],
        matches: (e: (typeof events)[number]) => boolean,
      ) => {
        const expected = events.filter(matches).map((e) => e.logId);
        expect(expected.length).toBeGreaterThan(0);
        const page = await store.events.findPage(filter, 1000);
        expect(page.map((e) => e.logId)).toEqual(expected);
        expect(await store.events.count(filter)).toBe(expected.length);
      };
      await expectMatches(range, () => true);
      await expectMatches({ ...range, securityOnly: true }, (e) => e.securityAction);
      await expectMatches({ ...range, actions: ['Create', 'Delete'] }, (e) => e.action === 'Create' || e.action === 'Delete');
      await expectMatches({ ...range, products: ['AuditLogs'] }, (e) => e.product === 'AuditLogs');
      await expectMatches(
        { ...range, actorEmail: 'ann@example.com', actions: ['Update'] },
        (e) => e.actor.email === 'ann@example.com' && e.action === 'Update',
      );
      const names = await indexNames(store.db);
      expect(names).not.toContain('audit_events_by_security');
      expect(names).not.toContain('audit_events_by_action');
      expect(names).toEqual(expect.arrayContaining(['audit_events_by_time', 'audit_events_by_type', 'audit_events_by_actor_email']));

      // Appends after the upgrade take the organization's own row ids (migration 0004), above every old row;
      // the log reads as one, the new events between the old ones by time, seq carrying on.
      const later = Array.from({ length: 20 }, (_, i) => preparedEvent(orgId, { occurredAtMs: now - 30_000 - i * 60_000 }));
      const appended = await store.appendEvents(later);
      expect(appended.map((a) => a.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 300 + i));
      const all = [...events, ...later].sort((a, b) => b.occurredAtMs - a.occurredAtMs);
      expect((await store.events.findPage(range, 1000)).map((e) => e.logId)).toEqual(all.map((e) => e.logId));
      const { rows } = await sql<{ old_max: number; new_min: number }>`
        select max(case when seq < 300 then rowid end) as old_max, min(case when seq >= 300 then rowid end) as new_min from audit_events`.execute(
        store.db,
      );
      expect(rows[0]?.old_max).toBe(300);
      expect(rows[0]?.new_min).toBeGreaterThan(2 ** 36);
    } finally {
      await store.close();
    }
  });
});
