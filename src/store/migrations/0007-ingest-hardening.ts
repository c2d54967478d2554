import type { Kysely, Migration } from 'kysely';

/**
 * What strict ingest and signed cursors keep in the store:
 * - `producer_key_orgs`: the organizations a producer key may append events for. A key without rows is
 *   platform-wide (it may write for any organization), as every key was before this migration.
 * - `audit_events.idempotency_fingerprint`: a digest of the event as its producer sent it, so a reused
 *   idempotency key with a different event is refused (409) instead of answered with the old event. Rows
 *   written before this migration have none, and a resend of them is answered as before.
 * - `deployment_secrets`: random secrets generated on the first start and shared by every process on the
 *   same store, such as the key that authenticates query cursors.
 */
export const ingestHardening: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('producer_key_orgs')
      .addColumn('key_id', 'text', (c) => c.notNull().references('producer_keys.id').onDelete('cascade'))
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addPrimaryKeyConstraint('producer_key_orgs_pk', ['key_id', 'org_id'])
      .execute();

    await db.schema.alterTable('audit_events').addColumn('idempotency_fingerprint', 'text').execute();

    await db.schema
      .createTable('deployment_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
