import type { Kysely, Migration } from 'kysely';

/**
 * User Management: permission sets, custom permissions, the organization's accessible entities, what each
 * member was granted, invite links, the multi-organization visibility setting and failed-login counters.
 */
export const userManagementTables: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('permission_sets')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('permission_sets_name', ['org_id', 'name'])
      .execute();

    await db.schema
      .createTable('custom_permissions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('custom_permissions_name', ['org_id', 'name'])
      .execute();

    await db.schema
      .createTable('org_entities')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('org_entities_name', ['org_id', 'kind', 'name'])
      .execute();

    // One row per thing a member was granted: a permission set, a custom permission or an accessible entity.
    await db.schema
      .createTable('membership_grants')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('grant_kind', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('membership_grants_pk', ['org_id', 'user_id', 'grant_kind', 'target_id'])
      .execute();
    await db.schema
      .createIndex('membership_grants_by_target')
      .on('membership_grants')
      .columns(['org_id', 'grant_kind', 'target_id'])
      .execute();

    await db.schema
      .createTable('invite_links')
      .addColumn('org_id', 'text', (c) => c.primaryKey().references('organizations.id'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('token', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('org_visible_orgs')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('visible_org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addPrimaryKeyConstraint('org_visible_orgs_pk', ['org_id', 'visible_org_id'])
      .execute();

    await db.schema
      .createTable('login_failures')
      .addColumn('scope_key', 'text', (c) => c.notNull())
      .addColumn('failed_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('login_failures_by_key').on('login_failures').columns(['scope_key', 'failed_at']).execute();
  },
};
