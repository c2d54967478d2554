import type { SelectQueryBuilder } from 'kysely';
import type { AttestDatabase, MembershipsTable, OrganizationsTable, UsersTable, UserType } from '../database-schema.js';
import { forEachChunk, inChunks, type QueryExecutor } from './query-executor.js';

// The named queries of tenancy: organizations, user accounts (global: an email is one account) and the
// memberships that give an account a type in an organization.

/** An organization as the rest of Attest sees it. */
export interface Organization {
  id: string;
  name: string;
  timeZone: string;
}

/** A user account (users are global; memberships give them a type per organization). */
export interface UserAccount {
  id: string;
  email: string;
  name: string;
}

/** A user's place in one organization. */
export interface Membership {
  orgId: string;
  orgName: string;
  userType: UserType;
  /** The organization a proxy user comes from; null for a regular member. */
  proxyFromOrgId: string | null;
  expiresAt: number | null;
}

function toOrganization(row: Pick<OrganizationsTable, 'id' | 'name' | 'time_zone'>): Organization {
  return { id: row.id, name: row.name, timeZone: row.time_zone };
}

export async function findOrganization(db: QueryExecutor, orgId: string): Promise<Organization | undefined> {
  const row = await db.selectFrom('organizations').selectAll().where('id', '=', orgId).executeTakeFirst();
  return row ? toOrganization(row) : undefined;
}

export async function listOrganizations(db: QueryExecutor): Promise<Organization[]> {
  const rows = await db.selectFrom('organizations').selectAll().orderBy('created_at').execute();
  return rows.map(toOrganization);
}

/** Those of these organization ids that exist. */
export async function existingOrganizationIds(db: QueryExecutor, orgIds: readonly string[]): Promise<Set<string>> {
  if (orgIds.length === 0) return new Set();
  const rows = await db.selectFrom('organizations').select('id').where('id', 'in', orgIds).execute();
  return new Set(rows.map((row) => row.id));
}

/** The time zone of each of these organizations that exists, by id. */
export async function organizationTimeZones(db: QueryExecutor, orgIds: readonly string[]): Promise<Map<string, string>> {
  if (orgIds.length === 0) return new Map();
  const rows = await db.selectFrom('organizations').select(['id', 'time_zone']).where('id', 'in', orgIds).execute();
  return new Map(rows.map((row) => [row.id, row.time_zone]));
}

export async function insertOrganization(db: QueryExecutor, org: Organization, createdAt: number): Promise<void> {
  await db.insertInto('organizations').values({ id: org.id, name: org.name, time_zone: org.timeZone, created_at: createdAt }).execute();
}

export async function findUserByEmail(
  db: QueryExecutor,
  email: string,
): Promise<(UserAccount & { passwordHash: string | null }) | undefined> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  return row ? { id: row.id, email: row.email, name: row.name, passwordHash: row.password_hash } : undefined;
}

export async function insertUser(db: QueryExecutor, user: Omit<UsersTable, 'email'> & { email: string }): Promise<void> {
  await db
    .insertInto('users')
    .values({ ...user, email: user.email.toLowerCase() })
    .execute();
}

/** Adds accounts whose emails are already lower case (a bulk addition: any number). */
export async function insertUsers(db: QueryExecutor, users: readonly UsersTable[]): Promise<void> {
  await forEachChunk(users, (chunk) => db.insertInto('users').values(chunk).execute());
}

/** The ids of the accounts of these (lower-case) emails that exist, by email. */
export async function userIdsByEmail(db: QueryExecutor, emails: readonly string[]): Promise<Map<string, string>> {
  const rows = await inChunks(emails, (chunk) => db.selectFrom('users').select(['id', 'email']).where('email', 'in', chunk).execute());
  return new Map(rows.map((u) => [u.email, u.id]));
}

/** The email of an account that exists. */
export async function emailOfUser(db: QueryExecutor, userId: string): Promise<string> {
  return (await db.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow()).email;
}

/**
 * Sets the password of an account that has none yet; the account, or undefined when it has a password already
 * (or does not exist).
 */
export async function setFirstPassword(db: QueryExecutor, userId: string, passwordHash: string): Promise<UserAccount | undefined> {
  return db
    .updateTable('users')
    .set({ password_hash: passwordHash })
    .where('id', '=', userId)
    .where('password_hash', 'is', null)
    .returning(['id', 'email', 'name'])
    .executeTakeFirst();
}

export async function insertMembership(db: QueryExecutor, membership: MembershipsTable): Promise<void> {
  await db.insertInto('memberships').values(membership).execute();
}

/** Adds memberships (a bulk addition: any number). */
export async function insertMemberships(db: QueryExecutor, memberships: readonly MembershipsTable[]): Promise<void> {
  await forEachChunk(memberships, (chunk) => db.insertInto('memberships').values(chunk).execute());
}

/**
 * Deletes the membership rows of these users in the organization, expired ones included, and nothing granted
 * with them: what replaces a row left behind by an expired proxy grant.
 */
export async function deleteMembershipRows(db: QueryExecutor, orgId: string, userIds: readonly string[]): Promise<void> {
  await forEachChunk(userIds, (chunk) => db.deleteFrom('memberships').where('org_id', '=', orgId).where('user_id', 'in', chunk).execute());
}

/** The organizations a user belongs to in their own right (not by proxy), memberships in force at `nowMs`. */
export async function ownOrganizationIds(db: QueryExecutor, userId: string, nowMs: number): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships')
    .select('org_id')
    .where('user_id', '=', userId)
    .where('proxy_from_org_id', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowMs)]))
    .execute();
  return rows.map((m) => m.org_id);
}

/** The first organization, other than `exceptOrgId`, that a user joined in their own right (not by proxy). */
export async function homeOrganizationId(db: QueryExecutor, userId: string, exceptOrgId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('memberships')
    .select('org_id')
    .where('user_id', '=', userId)
    .where('proxy_from_org_id', 'is', null)
    .where('org_id', '!=', exceptOrgId)
    .orderBy('created_at')
    .executeTakeFirst();
  return row?.org_id;
}

/** Memberships in force at `nowMs`, with their organization's name and time zone. */
function membershipsInForce(db: QueryExecutor, nowMs: number) {
  return db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.org_id')
    .select([
      'memberships.org_id',
      'organizations.name',
      'organizations.time_zone',
      'memberships.user_type',
      'memberships.proxy_from_org_id',
      'memberships.expires_at',
    ])
    .where((eb) => eb.or([eb('memberships.expires_at', 'is', null), eb('memberships.expires_at', '>', nowMs)]));
}

function toMembership(r: {
  org_id: string;
  name: string;
  user_type: Membership['userType'];
  proxy_from_org_id: string | null;
  expires_at: number | null;
}): Membership {
  return {
    orgId: r.org_id,
    orgName: r.name,
    userType: r.user_type,
    proxyFromOrgId: r.proxy_from_org_id,
    expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  };
}

/** The memberships of a user that are in force at `nowMs` (expired proxy access is left out). */
export async function listMemberships(db: QueryExecutor, userId: string, nowMs: number): Promise<Membership[]> {
  const rows = await membershipsInForce(db, nowMs).where('memberships.user_id', '=', userId).orderBy('organizations.name').execute();
  return rows.map(toMembership);
}

/** A user's membership in force in one organization, with the organization. */
export interface MembershipInOrg {
  membership: Membership;
  org: Organization;
}

/**
 * The membership in force of a user in one organization, with the organization, or undefined. One
 * primary-key lookup: every request inside an organization asks, and a user may belong to many organizations.
 */
export async function findMembership(
  db: QueryExecutor,
  orgId: string,
  userId: string,
  nowMs: number,
): Promise<MembershipInOrg | undefined> {
  const row = await membershipsInForce(db, nowMs)
    .where('memberships.org_id', '=', orgId)
    .where('memberships.user_id', '=', userId)
    .executeTakeFirst();
  return row
    ? { membership: toMembership(row), org: toOrganization({ id: row.org_id, name: row.name, time_zone: row.time_zone }) }
    : undefined;
}

/** Where a credential lookup also reads its user's membership: one organization, at one moment. */
export interface MembershipProbe {
  orgId: string;
  nowMs: number;
}

/** The columns {@link joinMembershipOfUser} adds, all null when the user has no membership in force there. */
interface JoinedMembershipColumns {
  member_org_id: string | null;
  member_org_name: string | null;
  member_org_time_zone: string | null;
  member_user_type: UserType | null;
  member_proxy_from_org_id: string | null;
  member_expires_at: number | null;
}

/**
 * Left-joins onto a query of one user row (`users`) that user's membership in force in the probe's
 * organization, with the organization: a credential lookup then answers the caller and their place in the
 * organization of the request in one round trip instead of two (`findMembership`'s conditions, as join
 * conditions). {@link joinedMembership} reads the columns back.
 */
export function joinMembershipOfUser<TB extends keyof AttestDatabase, O>(
  query: SelectQueryBuilder<AttestDatabase, TB | 'users', O>,
  probe: MembershipProbe,
): SelectQueryBuilder<AttestDatabase, TB | 'users' | 'memberships' | 'organizations', O & JoinedMembershipColumns> {
  const joined = (query as unknown as SelectQueryBuilder<AttestDatabase, 'users', object>)
    .leftJoin('memberships', (join) =>
      join
        .onRef('memberships.user_id', '=', 'users.id')
        .on('memberships.org_id', '=', probe.orgId)
        .on((eb) => eb.or([eb('memberships.expires_at', 'is', null), eb('memberships.expires_at', '>', probe.nowMs)])),
    )
    .leftJoin('organizations', 'organizations.id', 'memberships.org_id')
    .select([
      'organizations.id as member_org_id',
      'organizations.name as member_org_name',
      'organizations.time_zone as member_org_time_zone',
      'memberships.user_type as member_user_type',
      'memberships.proxy_from_org_id as member_proxy_from_org_id',
      'memberships.expires_at as member_expires_at',
    ]);
  return joined as unknown as SelectQueryBuilder<
    AttestDatabase,
    TB | 'users' | 'memberships' | 'organizations',
    O & JoinedMembershipColumns
  >;
}

/** The membership {@link joinMembershipOfUser} joined, or undefined when there is none in force. */
export function joinedMembership(row: JoinedMembershipColumns): MembershipInOrg | undefined {
  const { member_org_id: orgId, member_org_name: name, member_org_time_zone: timeZone, member_user_type: userType } = row;
  if (orgId === null || name === null || timeZone === null || userType === null) return undefined;
  return {
    membership: toMembership({
      org_id: orgId,
      name,
      user_type: userType,
      proxy_from_org_id: row.member_proxy_from_org_id,
      expires_at: row.member_expires_at,
    }),
    org: toOrganization({ id: orgId, name, time_zone: timeZone }),
  };
}
