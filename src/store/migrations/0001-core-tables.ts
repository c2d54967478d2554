import { sql, type Kysely, type Migration } from 'kysely';

/** Organizations, users, credentials and the audit event log with its indexes. */
export const coreTables: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('organizations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('time_zone', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('memberships')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('user_type', 'text', (c) => c.notNull())
      .addColumn('proxy_from_org_id', 'text')
      .addColumn('expires_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('memberships_pk', ['org_id', 'user_id'])
      .execute();
    await db.schema.createIndex('memberships_by_user').on('memberships').columns(['user_id']).execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('producer_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('products', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('org_log_heads')
      .addColumn('org_id', 'text', (c) => c.primaryKey())
      .addColumn('next_seq', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('audit_events')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('log_id', 'text', (c) => c.notNull())
      .addColumn('occurred_at', 'bigint', (c) => c.notNull())
      .addColumn('recorded_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('product', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('security', 'integer', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('actor_email', 'text')
      .addColumn('trace_id', 'text', (c) => c.notNull())
      .addColumn('idempotency_key', 'text')
      .addColumn('leaf_hash', 'text', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_events_pk', ['org_id', 'seq'])
      .execute();
    await db.schema.createIndex('audit_events_log_id').on('audit_events').columns(['log_id']).unique().execute();
    await db.schema
      .createIndex('audit_events_idempotency')
      .on('audit_events')
      .columns(['org_id', 'idempotency_key'])
      .unique()
      .where(sql.ref('idempotency_key'), 'is not', null)
      .execute();
    // Every filter is "organization, maybe one column, then a time range newest first"; the keyset
    // (occurred_at, seq) ends each index so a page is one ordered index range scan.
    await db.schema.createIndex('audit_events_by_time').on('audit_events').columns(['org_id', 'occurred_at', 'seq']).execute();
    for (const column of ['type', 'action', 'actor_email', 'security'] as const) {
      await db.schema
        .createIndex(`audit_events_by_${column}`)
        .on('audit_events')
        .columns(['org_id', column, 'occurred_at', 'seq'])
        .execute();
    }
    await db.schema.createIndex('audit_events_by_expiry').on('audit_events').columns(['expires_at']).execute();

    await db.schema
      .createTable('audit_event_counts')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('hour_start', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('product', 'text', (c) => c.notNull())
      .addColumn('security', 'integer', (c) => c.notNull())
      .addColumn('event_count', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_event_counts_pk', ['org_id', 'hour_start', 'type', 'action', 'product', 'security'])
      .execute();

    await db.schema
      .createTable('audit_actors')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('actor_email', 'text', (c) => c.notNull())
      .addColumn('actor_name', 'text')
      .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_actors_pk', ['org_id', 'actor_email'])
      .execute();

    await db.schema
      .createTable('audit_view_marks')
      .addColumn('principal', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('viewed_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_view_marks_pk', ['principal', 'org_id'])
      .execute();
  },
};
