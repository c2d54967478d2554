import type { GrantKind, MembershipGrantsTable } from '../../store/database-schema.js';
import type { QueryExecutor } from '../../store/queries/query-executor.js';
import { grantsOf, replaceGrants } from '../../store/queries/user-management/membership-grant-queries.js';

/** What a member was granted: permission sets, custom permissions and accessible entities, by id (sorted). */
export interface UserAccess {
  permissionSetIds: string[];
  customPermissionIds: string[];
  entityIds: string[];
}

/** Which access list each grant kind fills. */
export const ACCESS_FIELDS: Record<GrantKind, keyof UserAccess> = {
  permission_set: 'permissionSetIds',
  custom_permission: 'customPermissionIds',
  entity: 'entityIds',
};

const GRANT_KINDS = Object.keys(ACCESS_FIELDS) as GrantKind[];

/** An empty access. */
export function noAccess(): UserAccess {
  return { permissionSetIds: [], customPermissionIds: [], entityIds: [] };
}

/** The access of several members of an organization at once. */
export async function readAccess(db: QueryExecutor, orgId: string, userIds: readonly string[]): Promise<Map<string, UserAccess>> {
  const byUser = new Map<string, UserAccess>(userIds.map((id) => [id, noAccess()]));
  for (const row of await grantsOf(db, orgId, userIds)) byUser.get(row.user_id)?.[ACCESS_FIELDS[row.grant_kind]].push(row.target_id);
  return byUser;
}

/** The access of one member. */
export async function readUserAccess(db: QueryExecutor, orgId: string, userId: string): Promise<UserAccess> {
  return (await readAccess(db, orgId, [userId])).get(userId) ?? noAccess();
}

/** Access with duplicates removed and ids sorted, so two accesses compare by value. */
export function normalizeAccess(access: UserAccess): UserAccess {
  const tidy = (ids: readonly string[]) => [...new Set(ids)].sort();
  return {
    permissionSetIds: tidy(access.permissionSetIds),
    customPermissionIds: tidy(access.customPermissionIds),
    entityIds: tidy(access.entityIds),
  };
}

/** What a member has plus what is added (bulk append mode). */
export function mergeAccess(current: UserAccess, added: UserAccess): UserAccess {
  return normalizeAccess({
    permissionSetIds: [...current.permissionSetIds, ...added.permissionSetIds],
    customPermissionIds: [...current.customPermissionIds, ...added.customPermissionIds],
    entityIds: [...current.entityIds, ...added.entityIds],
  });
}

/** Replaces the access of the given members with the given access (one delete and batched inserts). */
export async function writeAccess(db: QueryExecutor, orgId: string, accessByUser: ReadonlyMap<string, UserAccess>): Promise<void> {
  const rows: MembershipGrantsTable[] = [];
  for (const [userId, access] of accessByUser) {
    for (const kind of GRANT_KINDS) {
      for (const targetId of new Set(access[ACCESS_FIELDS[kind]]))
        rows.push({ org_id: orgId, user_id: userId, grant_kind: kind, target_id: targetId });
    }
  }
  await replaceGrants(db, orgId, [...accessByUser.keys()], rows);
}
