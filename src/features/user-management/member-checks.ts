import { sql, type Kysely } from 'kysely';
import { AttestError } from '../../core/errors.js';
import type { AttestDatabase, UserType } from '../../store/database-schema.js';

type Db = Kysely<AttestDatabase>;

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

function memberQuery(db: Db, orgId: string, nowMs: number) {
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
export async function listMembers(db: Db, orgId: string, nowMs: number, q?: string): Promise<Member[]> {
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
export async function findMember(db: Db, orgId: string, userId: string, nowMs: number): Promise<Member | undefined> {
  const row = await memberQuery(db, orgId, nowMs).where('users.id', '=', userId).executeTakeFirst();
  return row ? toMember(row) : undefined;
}

/** One member in force, or a 404 that names the user id. */
export async function requireMember(db: Db, orgId: string, userId: string, nowMs: number): Promise<Member> {
  const member = await findMember(db, orgId, userId, nowMs);
  if (!member)
    throw new AttestError('NOT_FOUND', 'No such user in this organization.', [
      { field: 'userId', reason: 'is not a member of this organization' },
    ]);
  return member;
}

/**
 * The organization's own owners (proxy owners are not counted: they belong to another organization, so the last
 * real owner must stay). With `lockRows` (PostgreSQL) the rows are locked until the transaction ends, so two
 * owners removing each other at the same moment cannot both see "two owners left"; SQLite runs one write
 * transaction at a time and needs no row lock.
 */
export async function ownOwnerIds(db: Db, orgId: string, lockRows: boolean): Promise<string[]> {
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

/** Refuses to remove or demote the organization's last owner. */
export async function assertNotLastOwner(db: Db, orgId: string, member: Member, lockRows: boolean): Promise<void> {
  if (member.userType !== 'owner' || member.proxyFromOrgId !== null) return;
  const owners = await ownOwnerIds(db, orgId, lockRows);
  if (owners.filter((id) => id !== member.userId).length === 0)
    throw new AttestError('LAST_OWNER', undefined, [{ field: 'userId', reason: 'is the last owner of the organization' }]);
}

/** Deletes a membership row and everything granted with it. */
export async function deleteMembership(db: Db, orgId: string, userId: string): Promise<void> {
  await db.deleteFrom('membership_grants').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
  await db.deleteFrom('memberships').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
}
