import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/core/ids.js';
import { preparedEvent } from './support/prepared-events.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

/**
 * SQLite plans from statistics Attest writes itself (events per organization, per actor, per type), so a
 * filter picks the index that fits it: an actor filter walks that actor's events, not a type or the month.
 */
describe('SQLite planner statistics', () => {
  let testStore: TestStore;
  let file: Database.Database;
  const bigOrg = newId();
  const smallOrg = newId();
  const types = ['user.standard.added', 'user.standard.removed', 'permission_set.created', 'permission_set.deleted'];

  beforeAll(async () => {
    testStore = await createTestStore('sqlite');
    const now = Date.now();
    const big = Array.from({ length: 2000 }, (_, i) =>
      preparedEvent(bigOrg, { type: types[i % types.length], occurredAtMs: now - i * 60_000, actorEmail: `actor-${i % 200}@example.com` }),
    );
    const small = Array.from({ length: 100 }, (_, i) =>
      preparedEvent(smallOrg, { occurredAtMs: now - i * 60_000, actorEmail: `small-${i % 2}@example.com` }),
    );
    await testStore.store.appendEvents([...big, ...small]);
    await testStore.store.refreshPlannerStatistics();
    file = new Database(testStore.databaseUrl.slice('sqlite:'.length), { readonly: true });
  });
  afterAll(async () => {
    file.close();
    await testStore.dispose();
  });

  const stat = (index: string) =>
    (file.prepare("select stat from sqlite_stat1 where tbl = 'audit_events' and idx = ?").get(index) as { stat: string } | undefined)?.stat;

  it('weights the averages by events, so the large organization sets them', () => {
    // Event-weighted rows per organization: (2000² + 100²) / 2100 ≈ 1910; per actor: (2000·10 + 100·50) / 2100 ≈ 12.
    expect(stat('audit_events_by_time')).toBe('2100 1910 1 1 1');
    expect(stat('audit_events_by_actor_email')).toBe('2100 1910 12 1 1 1');
  });

  it('makes an actor filter use the actor index even with a type filter beside it', () => {
    const plan = file
      .prepare(
        `explain query plan select record from audit_events where org_id = ? and actor_email = ? and type || '' in (?) and occurred_at >= ? and occurred_at < ?
         order by occurred_at desc, seq desc limit 51`,
      )
      .all(bigOrg, 'actor-3@example.com', 'permission_set.deleted', 0, Date.now() + 1) as Array<{ detail: string }>;
    expect(plan.map((row) => row.detail).join(' | ')).toContain('audit_events_by_actor_email');
  });

  const planOf = (where: string, ...params: unknown[]) =>
    (
      file
        .prepare(
          `explain query plan select record from audit_events where org_id = ? and ${where} and occurred_at >= ? and occurred_at < ? order by occurred_at desc, seq desc limit 51`,
        )
        .all(bigOrg, ...params, 0, Date.now() + 1) as Array<{ detail: string }>
    )
      .map((row) => row.detail)
      .join(' | ');

  it('pages several types by merging limited, ordered walks of the type index, reading index entries only', () => {
    // The shape EventLogReader.findPageOfTypes builds for "security only" or an action type: one walk per type,
    // each newest first and at most a page long, merged. Sorting every match of a month is what it avoids.
    const walk = (i: number) =>
      `select occurred_at, seq from (select occurred_at, seq from audit_events where org_id = ? and type = ? and occurred_at >= ? and occurred_at < ?
       order by occurred_at desc, seq desc limit 51) as walk_${i}`;
    const plan = (
      file
        .prepare(`explain query plan ${[0, 1, 2].map(walk).join(' union all ')} order by occurred_at desc, seq desc limit 51`)
        .all(...types.slice(0, 3).flatMap((type) => [bigOrg, type, 0, Date.now() + 1])) as Array<{ detail: string }>
    )
      .map((row) => row.detail)
      .join(' | ');
    expect(plan).toContain('MERGE (UNION ALL)');
    expect(plan.match(/COVERING INDEX audit_events_by_type \(org_id=\? AND type=\? AND occurred_at>\? AND occurred_at<\?\)/g)).toHaveLength(
      3,
    );
    expect(plan).not.toContain('audit_events_by_time');
  });

  it('takes the type index for a single type', () => {
    const plan = planOf('type in (?)', 'permission_set.deleted');
    expect(plan).toContain('audit_events_by_type');
    expect(plan).not.toContain('TEMP B-TREE');
  });

  it('answers the same rows as before: statistics change plans, never results', async () => {
    const page = await testStore.store.events.findPage(
      { orgId: bigOrg, fromMs: 0, toMs: Date.now() + 1, actorEmail: 'actor-3@example.com', types: ['permission_set.deleted'] },
      500,
    );
    expect(page.length).toBe(10);
    expect(page.every((e) => e.actor.email === 'actor-3@example.com' && e.type === 'permission_set.deleted')).toBe(true);
  });

  it('refreshes outside the transactions of the server thread, so a rolled-back transaction takes nothing of it', async () => {
    const { store } = testStore;
    const writer = new Database(testStore.databaseUrl.slice('sqlite:'.length));
    writer.exec("delete from sqlite_stat1 where tbl = 'audit_events'");
    writer.close();
    let refresh: Promise<void> | undefined;
    const rolledBack = await store
      .transaction(async (tx) => {
        await tx.insertInto('org_log_heads').values({ org_id: newId(), next_seq: 0 }).execute();
        // Asked for in the middle of the transaction: it waits for the connection, and runs once the
        // transaction is over.
        refresh = store.refreshPlannerStatistics();
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(stat('audit_events_by_time')).toBeUndefined();
        throw new Error('roll back');
      })
      .catch((error: unknown) => error);
    expect(rolledBack).toEqual(new Error('roll back'));
    await refresh;
    expect(stat('audit_events_by_time')).toBe('2100 1910 1 1 1');
  });

  it('refreshes again as soon as the log has grown by a tenth since the last refresh, and not before', async () => {
    const { store } = testStore;
    await store.refreshPlannerStatistics();
    expect(await store.refreshGrownPlannerStatistics()).toBe(false);
    const now = Date.now();
    // 2,100 events at the last refresh: 100 more are under a tenth (plus 50), 200 more are over it.
    await store.appendEvents(Array.from({ length: 100 }, (_, i) => preparedEvent(bigOrg, { occurredAtMs: now - i })));
    expect(await store.refreshGrownPlannerStatistics()).toBe(false);
    expect(stat('audit_events_by_time')).toBe('2100 1910 1 1 1');
    await store.appendEvents(Array.from({ length: 200 }, (_, i) => preparedEvent(bigOrg, { occurredAtMs: now - i })));
    expect(await store.refreshGrownPlannerStatistics()).toBe(true);
    expect(stat('audit_events_by_time')?.startsWith('2400 ')).toBe(true);
    expect(await store.refreshGrownPlannerStatistics()).toBe(false);
  });
});
