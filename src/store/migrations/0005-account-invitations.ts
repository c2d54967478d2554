import { sql, type Kysely, type Migration } from 'kysely';
import { hashSecret } from '../../core/ids.js';

/**
 * Accounts nobody else can take over (issue 12):
 * - `membership_invitations`: an email that already has an account is added as a pending membership, which
 *   gives no access until the account holder, signed in, accepts it with the invitation's one-time token (only
 *   its SHA-256 is kept). A separate table, not a status column, so every query of `memberships` (the org
 *   scope, login recording, member lists) stays blind to invitations.
 * - `account_activations`: one-time links (SHA-256 of the token only) where a new user sets their own password.
 * - `org_invite_links` replaces `invite_links`, keeping only the SHA-256 of each token; existing links keep
 *   working because their tokens are hashed on the way over.
 * - `operator_tokens`: credentials of the platform that creates organizations (`POST /api/v1/orgs`).
 */
export const accountInvitations: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('membership_invitations')
      .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('user_type', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('invited_via', 'text', (c) => c.notNull())
      .addColumn('link_id', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('membership_invitations_pk', ['org_id', 'user_id'])
      .execute();
    await db.schema.createIndex('membership_invitations_by_user').on('membership_invitations').columns(['user_id']).execute();
    await db.schema.createIndex('membership_invitations_by_token').on('membership_invitations').columns(['token_hash']).execute();

    await db.schema
      .createTable('account_activations')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('account_activations_by_user').on('account_activations').columns(['user_id']).execute();

    await db.schema
      .createTable('org_invite_links')
      .addColumn('org_id', 'text', (c) => c.primaryKey().references('organizations.id'))
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    const links = await sql<{
      org_id: string;
      id: string;
      token: string;
      created_at: number;
    }>`select org_id, id, token, created_at from invite_links`.execute(db);
    for (const link of links.rows) {
      await sql`insert into org_invite_links (org_id, id, token_hash, created_at) values (${link.org_id}, ${link.id}, ${hashSecret(link.token)}, ${link.created_at})`.execute(
        db,
      );
    }
    await db.schema.dropTable('invite_links').execute();

    await db.schema
      .createTable('operator_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
