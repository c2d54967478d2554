import type { OrgInviteLinksTable } from '../../database-schema.js';
import type { QueryExecutor } from '../query-executor.js';

// The named queries of an organization's invite link: one per organization, found by the SHA-256 of its token.

export async function insertInviteLink(db: QueryExecutor, link: OrgInviteLinksTable): Promise<void> {
  await db.insertInto('org_invite_links').values(link).execute();
}

/** The organization's invite link (its id and when it was made; the token is not stored), if it has one. */
export async function findInviteLink(db: QueryExecutor, orgId: string): Promise<{ id: string; createdAt: number } | undefined> {
  const row = await db.selectFrom('org_invite_links').select(['id', 'created_at']).where('org_id', '=', orgId).executeTakeFirst();
  return row ? { id: row.id, createdAt: Number(row.created_at) } : undefined;
}

/** The organization whose current invite link's token hashes to `tokenHash`, if any. */
export async function orgOfInviteLink(db: QueryExecutor, tokenHash: string): Promise<string | undefined> {
  return (await db.selectFrom('org_invite_links').select(['org_id']).where('token_hash', '=', tokenHash).executeTakeFirst())?.org_id;
}

export async function deleteInviteLink(db: QueryExecutor, orgId: string): Promise<void> {
  await db.deleteFrom('org_invite_links').where('org_id', '=', orgId).execute();
}
