import { AttestError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import {
  customPermissionIdByName,
  insertCustomPermission,
  type CustomPermission,
} from '../../store/queries/user-management/permission-queries.js';
import type { OrgCommandContext } from './command-context.js';
import { BUILT_IN_PERMISSIONS } from './permission-catalog.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent } from './user-management-events.js';
import { assertCanManageUsers } from './user-rights.js';

/** Creates a custom permission (unique name, not a built-in key); records `custom_permission.created`. */
export async function createCustomPermission(
  ctx: OrgCommandContext,
  input: { name: string; description: string },
): Promise<CustomPermission> {
  assertCanManageUsers(ctx.actorType);
  const name = input.name.trim();
  const description = input.description.trim();
  if (!name) throw new AttestError('VALIDATION_FAILED', 'name: must not be blank', [{ field: 'name', reason: 'must not be blank' }]);
  if ((BUILT_IN_PERMISSIONS as readonly string[]).includes(name))
    throw new AttestError('VALIDATION_FAILED', `name: "${name}" is a built-in permission`, [
      { field: 'name', reason: 'is a built-in permission' },
    ]);
  const now = ctx.clock.now();
  return recordedTransaction(ctx, async (tx) => {
    const clash = await customPermissionIdByName(tx, ctx.org.id, name);
    if (clash)
      throw new AttestError('CONFLICT', `A custom permission named "${name}" already exists.`, [
        { field: 'name', reason: 'is already used' },
      ]);
    const id = newId(now);
    await insertCustomPermission(tx, { id, org_id: ctx.org.id, name, description, created_at: now });
    const event = prepareUserManagementEvent(ctx, {
      type: 'custom_permission.created',
      orgId: ctx.org.id,
      entity: { id, name },
      changes: [
        { field: 'name', from: null, to: name },
        { field: 'description', from: null, to: description },
      ],
    });
    return { result: { id, name, description }, events: [event] };
  });
}
