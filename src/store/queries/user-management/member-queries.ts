import { sql } from 'kysely';
import type { UserType } from '../../database-schema.js';
import { inChunks, type QueryExecutor } from '../query-executor.js';

// The named queries of User Management about members: an organization's users as it lists and manages them.

/** A user as a member of one organization. */
export interface Member {
  userId: string;
  email: string;
  name: string;
  userType: UserType;
  /** The organization a proxy user comes from; null for a regular member. */
  proxyFromOrgId: string | null;
  expiresAt: number | null;
}

function memberQuery(db: QueryExecutor, orgId: string, nowMs: number) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select([
      'users.id as userId',
      'users.email',
      'users.name',
      'memberships.user_type as userType',
      'memberships.proxy_from_org_id as proxyFromOrgId',
      'memberships.expires_at as expiresAt',
    ])
    .where('memberships.org_id', '=', orgId)
    .where((eb) => eb.or([eb('memberships.expires_at', 'is', null), eb('memberships.expires_at', '>', nowMs)]));
}

function toMember(row: Member): Member {
  return { ...row, expiresAt: row.expiresAt === null ? null : Number(row.expiresAt) };
}

/** The members of an organization (expired proxy access left out), by email; `q` searches email and name. */
export async function listMembers(db: QueryExecutor, orgId: string, nowMs: number, q?: string): Promise<Member[]> {
  let query = memberQuery(db, orgId, nowMs);
  if (q) {
    // `%` and `_` typed in the search box are literal characters, not wildcards.
    const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([eb(sql`users.email`, 'like', sql`${pattern} escape '\\'`), eb(sql`lower(users.name)`, 'like', sql`${pattern} escape '\\'`)]),
    );
  }
  const rows = await query.orderBy('users.email').execute();
  return rows.map(toMember);
}

/** One member in force, or undefined. */
export async function findMember(db: QueryExecutor, orgId: string, userId: string, nowMs: number): Promise<Member | undefined> {
  const row = await memberQuery(db, orgId, nowMs).where('users.id', '=', userId).executeTakeFirst();
  return row ? toMember(row) : undefined;
}

/** The type of each given user who is a member in force of the organization. */
export async function memberTypes(
  db: QueryExecutor,
  orgId: string,
  userIds: readonly string[],
  nowMs: number,
): Promise<Map<string, UserType>> {
  const rows = await inChunks(userIds, (chunk) =>
    db
      .selectFrom('memberships')
      .select(['user_id', 'user_type'])
      .where('org_id', '=', orgId)
      .where('user_id', 'in', chunk)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowMs)]))
      .execute(),
  );
  return new Map(rows.map((r) => [r.user_id, r.user_type]));
}

/**
 * The organization's own owners (proxy owners are not counted: they belong to another organization, so the last
 * real owner must stay). With `lockRows` (PostgreSQL) the rows are locked until the transaction ends, so two
 * owners removing each other at the same moment cannot both see "two owners left"; SQLite runs one write
 * transaction at a time and needs no row lock.
 */
export async function ownOwnerIds(db: QueryExecutor, orgId: string, lockRows: boolean): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('user_type', '=', 'owner')
    .where('proxy_from_org_id', 'is', null)
    .orderBy('user_id')
    .$if(lockRows, (q) => q.forUpdate())
    .execute();
  return rows.map((r) => r.user_id);
}

/** The organization's first own owner (the one who created it, for an organization made by Attest). */
export async function firstOwnOwner(db: QueryExecutor, orgId: string): Promise<{ id: string; email: string; name: string }> {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'users.name'])
    .where('memberships.org_id', '=', orgId)
    .where('memberships.user_type', '=', 'owner')
    .where('memberships.proxy_from_org_id', 'is', null)
    .orderBy('memberships.created_at')
    .executeTakeFirstOrThrow();
}

/** How many membership rows the organization has (expired proxy access included). */
export async function countMembershipRows(db: QueryExecutor, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .where('org_id', '=', orgId)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setMemberType(db: QueryExecutor, orgId: string, userId: string, userType: UserType): Promise<void> {
  await db.updateTable('memberships').set({ user_type: userType }).where('org_id', '=', orgId).where('user_id', '=', userId).execute();
}

/** Deletes a membership row and everything granted with it. */
export async function deleteMembership(db: QueryExecutor, orgId: string, userId: string): Promise<void> {
  await db.deleteFrom('membership_grants').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
  await db.deleteFrom('memberships').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
}
