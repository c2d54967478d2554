import { AttestError } from '../../core/errors.js';
import type { QueryExecutor } from '../../store/queries/query-executor.js';
import { findMember, ownOwnerIds, type Member } from '../../store/queries/user-management/member-queries.js';

/** One member in force, or a 404 that names the user id. */
export async function requireMember(db: QueryExecutor, orgId: string, userId: string, nowMs: number): Promise<Member> {
  const member = await findMember(db, orgId, userId, nowMs);
  if (!member)
    throw new AttestError('NOT_FOUND', 'No such user in this organization.', [
      { field: 'userId', reason: 'is not a member of this organization' },
    ]);
  return member;
}

/**
 * Refuses to remove or demote the organization's last owner. With `lockRows` (PostgreSQL) the owners' rows stay
 * locked until the transaction ends (see {@link ownOwnerIds}).
 */
export async function assertNotLastOwner(db: QueryExecutor, orgId: string, member: Member, lockRows: boolean): Promise<void> {
  if (member.userType !== 'owner' || member.proxyFromOrgId !== null) return;
  const owners = await ownOwnerIds(db, orgId, lockRows);
  if (owners.filter((id) => id !== member.userId).length === 0)
    throw new AttestError('LAST_OWNER', undefined, [{ field: 'userId', reason: 'is the last owner of the organization' }]);
}
