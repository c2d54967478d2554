import type { InvitationSource, MembershipInvitationsTable, UserType } from '../database-schema.js';
import { forEachChunk, inChunks, type QueryExecutor } from './query-executor.js';

// The named queries of pending memberships: an existing account added to an organization, with no access until
// its holder accepts. A table of their own, so no query of `memberships` sees them.

/** A pending membership as the account holder sees it: which organization invites them, and as what. */
export interface InvitationForAccount {
  orgId: string;
  orgName: string;
  userType: UserType;
  invitedAt: number;
}

/** A pending membership as the inviting organization sees it: the email and the name its adder typed. */
export interface InvitationOfOrg {
  userId: string;
  email: string;
  name: string;
  userType: UserType;
  invitedVia: InvitationSource;
  invitedAt: number;
}

export async function insertInvitation(db: QueryExecutor, invitation: MembershipInvitationsTable): Promise<void> {
  await db.insertInto('membership_invitations').values(invitation).execute();
}

/**
 * One pending membership whose link has not expired, or undefined. An expired one is deleted on the way: it can
 * no longer be accepted, and the organization may add the email again.
 */
export async function findInvitation(
  db: QueryExecutor,
  orgId: string,
  userId: string,
  nowMs: number,
): Promise<MembershipInvitationsTable | undefined> {
  const row = await db
    .selectFrom('membership_invitations')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (row && Number(row.expires_at) <= nowMs) {
    await deleteInvitation(db, orgId, userId);
    return undefined;
  }
  return row;
}

/** Adds pending memberships (a bulk addition: any number). */
export async function insertInvitations(db: QueryExecutor, invitations: readonly MembershipInvitationsTable[]): Promise<void> {
  await forEachChunk(invitations, (chunk) => db.insertInto('membership_invitations').values(chunk).execute());
}

/** Which of the given users have a pending membership in the organization whose link has not expired. */
export async function invitedUserIds(db: QueryExecutor, orgId: string, userIds: readonly string[], nowMs: number): Promise<Set<string>> {
  // Expired invitations can no longer be accepted: they go, and the organization may add those emails again.
  await forEachChunk(userIds, (chunk) =>
    db
      .deleteFrom('membership_invitations')
      .where('org_id', '=', orgId)
      .where('user_id', 'in', chunk)
      .where('expires_at', '<=', nowMs)
      .execute(),
  );
  const rows = await inChunks(userIds, (chunk) =>
    db.selectFrom('membership_invitations').select('user_id').where('org_id', '=', orgId).where('user_id', 'in', chunk).execute(),
  );
  return new Set(rows.map((r) => r.user_id));
}

/** The pending membership of this account whose link has this token hash and has not expired, or undefined. */
export async function findInvitationByToken(
  db: QueryExecutor,
  userId: string,
  tokenHash: string,
  nowMs: number,
): Promise<MembershipInvitationsTable | undefined> {
  return db
    .selectFrom('membership_invitations')
    .selectAll()
    .where('user_id', '=', userId)
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', nowMs)
    .orderBy('created_at')
    .executeTakeFirst();
}

export async function deleteInvitation(db: QueryExecutor, orgId: string, userId: string): Promise<boolean> {
  const result = await db.deleteFrom('membership_invitations').where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The pending memberships of an account whose links have not expired, oldest first. */
export async function listInvitationsOfAccount(db: QueryExecutor, userId: string, nowMs: number): Promise<InvitationForAccount[]> {
  const rows = await db
    .selectFrom('membership_invitations')
    .innerJoin('organizations', 'organizations.id', 'membership_invitations.org_id')
    .select([
      'membership_invitations.org_id',
      'organizations.name',
      'membership_invitations.user_type',
      'membership_invitations.created_at',
    ])
    .where('membership_invitations.user_id', '=', userId)
    .where('membership_invitations.expires_at', '>', nowMs)
    .orderBy('membership_invitations.created_at')
    .execute();
  return rows.map((r) => ({ orgId: r.org_id, orgName: r.name, userType: r.user_type, invitedAt: Number(r.created_at) }));
}

/** The pending memberships of an organization whose links have not expired, by email. */
export async function listInvitationsOfOrg(db: QueryExecutor, orgId: string, nowMs: number): Promise<InvitationOfOrg[]> {
  const rows = await db
    .selectFrom('membership_invitations')
    .innerJoin('users', 'users.id', 'membership_invitations.user_id')
    .select([
      'users.id',
      'users.email',
      'membership_invitations.name',
      'membership_invitations.user_type',
      'membership_invitations.invited_via',
      'membership_invitations.created_at',
    ])
    .where('membership_invitations.org_id', '=', orgId)
    .where('membership_invitations.expires_at', '>', nowMs)
    .orderBy('users.email')
    .execute();
  return rows.map((r) => ({
    userId: r.id,
    email: r.email,
    name: r.name,
    userType: r.user_type,
    invitedVia: r.invited_via,
    invitedAt: Number(r.created_at),
  }));
}
