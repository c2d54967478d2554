import type { Kysely, Migration } from 'kysely';

/**
 * Streams (PRODUCT.md §9): each organization's destinations with their delivery cursor, state and lease. Their
 * credentials are encrypted with a key derived from a deployment secret (`deployment_secrets`, migration 0007).
 */
export const streamDestinations: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('stream_destinations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      // JSON object: { types?, actions?, security? }; '{}' delivers every event.
      .addColumn('filter', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull())
      // The webhook secret or HEC token, AES-256-GCM encrypted (`stream-credentials.ts`); null for syslog.
      .addColumn('credential', 'text')
      // PEM bundle of the CAs the destination's TLS certificate must chain to, instead of the system's.
      .addColumn('ca_bundle', 'text')
      // The last seq of the organization's log the destination has accepted (or skipped by its filter).
      .addColumn('last_delivered_seq', 'bigint', (c) => c.notNull())
      .addColumn('last_delivered_at', 'bigint')
      // The current run of failures: how many attempts failed, since when, why, and when to try again.
      .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('failing_since', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('next_attempt_at', 'bigint')
      // Which process delivers for the destination, until when (several processes on one PostgreSQL).
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('stream_destinations_by_org').on('stream_destinations').columns(['org_id', 'created_at']).execute();
  },
};
