import type { Kysely, Migration } from 'kysely';

/**
 * A small integer per organization, beside its log head, for stores that keep an organization's events
 * together in the file by it (the SQLite store's row ids, `sqlite-event-row-inserter.ts`). It is handed out on
 * the organization's first append after this migration and never changes; unique, so no two organizations can
 * share a region. PostgreSQL leaves it empty: its tables have no row key to place rows by.
 */
export const organizationNumbers: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('org_log_heads').addColumn('org_no', 'bigint').execute();
    await db.schema.createIndex('org_log_heads_by_org_no').on('org_log_heads').column('org_no').unique().execute();
  },
};
