import { AttestError, type FieldError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { QueryExecutor } from '../../store/queries/query-executor.js';
import { permissionSetAssignments } from '../../store/queries/user-management/membership-grant-queries.js';
import {
  customPermissionNames,
  deletePermissionSetRow,
  insertPermissionSet,
  listPermissionSetRows,
  permissionSetIdByName,
  updatePermissionSetRow,
} from '../../store/queries/user-management/permission-queries.js';
import type { OrgCommandContext } from './command-context.js';
import { BUILT_IN_PERMISSIONS } from './permission-catalog.js';
import { recordedTransaction } from './recorded-transaction.js';
import { changedFields, prepareUserManagementEvent } from './user-management-events.js';
import { assertCanManageUsers } from './user-rights.js';

/** A permission set as the API shows it, with the members it is assigned to. */
export interface PermissionSet {
  id: string;
  name: string;
  permissions: string[];
  usedBy: { userId: string; email: string }[];
}

/** Input of {@link createPermissionSet} and {@link updatePermissionSet}. */
export interface PermissionSetInput {
  name: string;
  permissions: string[];
}

/** The organization's permission sets, by name, each with where it is used. */
export async function listPermissionSets(db: QueryExecutor, orgId: string, setId?: string): Promise<PermissionSet[]> {
  const sets = await listPermissionSetRows(db, orgId, setId);
  const uses = await permissionSetAssignments(db, orgId);
  return sets.map((s) => ({
    id: s.id,
    name: s.name,
    permissions: JSON.parse(s.permissions) as string[],
    usedBy: uses.filter((u) => u.setId === s.id).map((u) => ({ userId: u.userId, email: u.email })),
  }));
}

async function requireSet(db: QueryExecutor, orgId: string, setId: string): Promise<PermissionSet> {
  const [set] = await listPermissionSets(db, orgId, setId);
  if (!set)
    throw new AttestError('NOT_FOUND', 'No such permission set in this organization.', [
      { field: 'setId', reason: 'is not a permission set of this organization' },
    ]);
  return set;
}

/** Validates name and permissions: built-in keys or the names of the organization's custom permissions. */
async function validatedInput(
  db: QueryExecutor,
  orgId: string,
  input: PermissionSetInput,
  exceptSetId?: string,
): Promise<PermissionSetInput> {
  const name = input.name.trim();
  const errors: FieldError[] = [];
  if (!name) errors.push({ field: 'name', reason: 'must not be blank' });
  const known = new Set<string>([...BUILT_IN_PERMISSIONS, ...(await customPermissionNames(db, orgId))]);
  input.permissions.forEach((p, i) => {
    if (!known.has(p))
      errors.push({
        field: `permissions[${i}]`,
        reason: `"${p}" is neither a built-in permission nor a custom permission of this organization`,
      });
  });
  const clash = name ? await permissionSetIdByName(db, orgId, name) : undefined;
  if (clash !== undefined && clash !== exceptSetId)
    throw new AttestError('CONFLICT', `A permission set named "${name}" already exists.`, [
      { field: 'name', reason: 'is already used by another permission set' },
    ]);
  const first = errors[0];
  if (first) throw new AttestError('VALIDATION_FAILED', `${first.field}: ${first.reason}`, errors);
  return { name, permissions: [...new Set(input.permissions)].sort() };
}

/** Creates a permission set; records `permission_set.created`. */
export async function createPermissionSet(ctx: OrgCommandContext, input: PermissionSetInput): Promise<PermissionSet> {
  assertCanManageUsers(ctx.actorType);
  const now = ctx.clock.now();
  return recordedTransaction(ctx, async (tx) => {
    const valid = await validatedInput(tx, ctx.org.id, input);
    const id = newId(now);
    await insertPermissionSet(tx, {
      id,
      org_id: ctx.org.id,
      name: valid.name,
      permissions: JSON.stringify(valid.permissions),
      created_at: now,
      updated_at: now,
    });
    const event = prepareUserManagementEvent(ctx, {
      type: 'permission_set.created',
      orgId: ctx.org.id,
      entity: { id, name: valid.name },
      changes: [
        { field: 'name', from: null, to: valid.name },
        { field: 'permissions', from: null, to: valid.permissions },
      ],
    });
    return { result: { id, ...valid, usedBy: [] }, events: [event] };
  });
}

/** Renames a permission set or replaces its permissions; records `permission_set.updated` when something changed. */
export async function updatePermissionSet(ctx: OrgCommandContext, setId: string, input: PermissionSetInput): Promise<PermissionSet> {
  assertCanManageUsers(ctx.actorType);
  const now = ctx.clock.now();
  return recordedTransaction(ctx, async (tx) => {
    const before = await requireSet(tx, ctx.org.id, setId);
    const valid = await validatedInput(tx, ctx.org.id, input, setId);
    const changes = changedFields([
      { field: 'name', from: before.name, to: valid.name },
      { field: 'permissions', from: [...before.permissions].sort(), to: valid.permissions },
    ]);
    if (changes.length === 0) return { result: before, events: [] };
    await updatePermissionSetRow(tx, setId, { name: valid.name, permissions: JSON.stringify(valid.permissions), updated_at: now });
    const event = prepareUserManagementEvent(ctx, {
      type: 'permission_set.updated',
      orgId: ctx.org.id,
      entity: { id: setId, name: valid.name },
      changes,
    });
    return { result: { ...before, ...valid }, events: [event] };
  });
}

/** Deletes a permission set nobody uses; a set in use is a 409 that says where it is used. */
export async function deletePermissionSet(ctx: OrgCommandContext, setId: string): Promise<void> {
  assertCanManageUsers(ctx.actorType);
  await recordedTransaction(ctx, async (tx) => {
    const set = await requireSet(tx, ctx.org.id, setId);
    if (set.usedBy.length > 0) {
      const emails = set.usedBy.map((u) => u.email);
      throw new AttestError(
        'CONFLICT',
        `Permission set "${set.name}" is assigned to ${emails.length} user(s): ${emails.slice(0, 10).join(', ')}${emails.length > 10 ? ', …' : ''}. Remove it from them first.`,
        set.usedBy.map((u) => ({ field: 'usedBy', reason: `assigned to ${u.email} (${u.userId})` })),
      );
    }
    await deletePermissionSetRow(tx, setId);
    const event = prepareUserManagementEvent(ctx, {
      type: 'permission_set.deleted',
      orgId: ctx.org.id,
      entity: { id: setId, name: set.name },
      changes: [
        { field: 'name', from: set.name, to: null },
        { field: 'permissions', from: set.permissions, to: null },
      ],
    });
    return { result: undefined, events: [event] };
  });
}
