import type { CustomPermissionsTable, OrgEntityKind, PermissionSetsTable } from '../../database-schema.js';
import type { QueryExecutor } from '../query-executor.js';

// The named queries of what an organization can grant: its permission sets and custom permissions, and the names
// of everything grantable (entities included) for validating grants and naming them.

/** A permission an organization defined itself. */
export interface CustomPermission {
  id: string;
  name: string;
  description: string;
}

/** A permission set as stored: its permissions are a JSON array of permission keys. */
export type PermissionSetRow = Pick<PermissionSetsTable, 'id' | 'name' | 'permissions'>;

/** The organization's permission sets (or the one with `setId`), by name. */
export async function listPermissionSetRows(db: QueryExecutor, orgId: string, setId?: string): Promise<PermissionSetRow[]> {
  return db
    .selectFrom('permission_sets')
    .select(['id', 'name', 'permissions'])
    .where('org_id', '=', orgId)
    .$if(setId !== undefined, (qb) => qb.where('id', '=', setId as string))
    .orderBy('name')
    .execute();
}

/** The id of the organization's permission set with this name, if any. */
export async function permissionSetIdByName(db: QueryExecutor, orgId: string, name: string): Promise<string | undefined> {
  return (await db.selectFrom('permission_sets').select('id').where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst())?.id;
}

export async function insertPermissionSet(db: QueryExecutor, set: PermissionSetsTable): Promise<void> {
  await db.insertInto('permission_sets').values(set).execute();
}

export async function updatePermissionSetRow(
  db: QueryExecutor,
  setId: string,
  change: Pick<PermissionSetsTable, 'name' | 'permissions' | 'updated_at'>,
): Promise<void> {
  await db.updateTable('permission_sets').set(change).where('id', '=', setId).execute();
}

export async function deletePermissionSetRow(db: QueryExecutor, setId: string): Promise<void> {
  await db.deleteFrom('permission_sets').where('id', '=', setId).execute();
}

/** The organization's custom permissions, by name. */
export async function listCustomPermissions(db: QueryExecutor, orgId: string): Promise<CustomPermission[]> {
  return db.selectFrom('custom_permissions').select(['id', 'name', 'description']).where('org_id', '=', orgId).orderBy('name').execute();
}

/** The names of the organization's custom permissions. */
export async function customPermissionNames(db: QueryExecutor, orgId: string): Promise<string[]> {
  return (await db.selectFrom('custom_permissions').select('name').where('org_id', '=', orgId).execute()).map((c) => c.name);
}

/** The id of the organization's custom permission with this name, if any. */
export async function customPermissionIdByName(db: QueryExecutor, orgId: string, name: string): Promise<string | undefined> {
  return (await db.selectFrom('custom_permissions').select('id').where('org_id', '=', orgId).where('name', '=', name).executeTakeFirst())
    ?.id;
}

export async function insertCustomPermission(db: QueryExecutor, permission: CustomPermissionsTable): Promise<void> {
  await db.insertInto('custom_permissions').values(permission).execute();
}

/** Everything an organization can grant, each with its id and name (entities with their kind too). */
export interface GrantableNames {
  permissionSets: { id: string; name: string }[];
  customPermissions: { id: string; name: string }[];
  entities: { id: string; name: string; kind: OrgEntityKind }[];
}

/** Loads the organization's permission sets, custom permissions and entities, by id and name. */
export async function grantableNames(db: QueryExecutor, orgId: string): Promise<GrantableNames> {
  const [permissionSets, customPermissions, entities] = await Promise.all([
    db.selectFrom('permission_sets').select(['id', 'name']).where('org_id', '=', orgId).execute(),
    db.selectFrom('custom_permissions').select(['id', 'name']).where('org_id', '=', orgId).execute(),
    db.selectFrom('org_entities').select(['id', 'name', 'kind']).where('org_id', '=', orgId).execute(),
  ]);
  return { permissionSets, customPermissions, entities };
}
