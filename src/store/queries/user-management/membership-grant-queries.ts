import type { MembershipGrantsTable } from '../../database-schema.js';
import { forEachChunk, inChunks, type QueryExecutor } from '../query-executor.js';

// The named queries of what members are granted: permission sets, custom permissions and accessible entities,
// one row per grant (`features/user-management/membership-grants.ts` turns them into a member's access).

/** The grants of these members of an organization, by target id. */
export async function grantsOf(db: QueryExecutor, orgId: string, userIds: readonly string[]): Promise<MembershipGrantsTable[]> {
  return inChunks(userIds, (chunk) =>
    db.selectFrom('membership_grants').selectAll().where('org_id', '=', orgId).where('user_id', 'in', chunk).orderBy('target_id').execute(),
  );
}

/** Replaces every grant of `userIds` in the organization with `grants` (one delete and batched inserts). */
export async function replaceGrants(
  db: QueryExecutor,
  orgId: string,
  userIds: readonly string[],
  grants: readonly MembershipGrantsTable[],
): Promise<void> {
  await forEachChunk(userIds, (chunk) =>
    db.deleteFrom('membership_grants').where('org_id', '=', orgId).where('user_id', 'in', chunk).execute(),
  );
  await forEachChunk(grants, (chunk) => db.insertInto('membership_grants').values(chunk).execute());
}

/** Who each of the organization's permission sets is assigned to: set id, user id and email, by email. */
export async function permissionSetAssignments(
  db: QueryExecutor,
  orgId: string,
): Promise<{ setId: string; userId: string; email: string }[]> {
  return db
    .selectFrom('membership_grants')
    .innerJoin('users', 'users.id', 'membership_grants.user_id')
    .select(['membership_grants.target_id as setId', 'users.id as userId', 'users.email'])
    .where('membership_grants.org_id', '=', orgId)
    .where('membership_grants.grant_kind', '=', 'permission_set')
    .orderBy('users.email')
    .execute();
}
