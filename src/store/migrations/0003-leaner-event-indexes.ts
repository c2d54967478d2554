import type { Kysely, Migration } from 'kysely';

/**
 * Two fewer indexes on the audit log, and event types inside the two it scans most.
 *
 * Action type, security flag and product area are all decided by the event type (PRODUCT.md §3), so a filter
 * on them is also a filter on a set of types. The reader adds that set to the query, and the time and actor
 * indexes carry the type after their keyset columns: a page of "security only" or "this actor, a rare type"
 * is then checked entry by entry inside the index it walks, and reads a table row only for the events it
 * returns. The action and security indexes answered nothing that this does not, yet every append wrote them:
 * dropping them is a quarter of the cost of an append.
 */
export const leanerEventIndexes: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const name of ['audit_events_by_action', 'audit_events_by_security', 'audit_events_by_time', 'audit_events_by_actor_email']) {
      await db.schema.dropIndex(name).execute();
    }
    await db.schema.createIndex('audit_events_by_time').on('audit_events').columns(['org_id', 'occurred_at', 'seq', 'type']).execute();
    await db.schema
      .createIndex('audit_events_by_actor_email')
      .on('audit_events')
      .columns(['org_id', 'actor_email', 'occurred_at', 'seq', 'type'])
      .execute();
  },
};
