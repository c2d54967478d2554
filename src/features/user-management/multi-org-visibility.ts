import { AttestError, type FieldError } from '../../core/errors.js';
import { ownOrganizationIds } from '../../store/queries/tenancy-queries.js';
import { replaceVisibleOrgs, visibleOrgIdsOf } from '../../store/queries/user-management/org-visibility-queries.js';
import type { OrgCommandContext } from './command-context.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent } from './user-management-events.js';
import { assertCanManageUsers, assertOwner } from './user-rights.js';

/** Reads the setting (owners and admins). */
export async function readMultiOrgVisibility(ctx: OrgCommandContext): Promise<{ visibleOrgIds: string[] }> {
  assertCanManageUsers(ctx.actorType);
  return { visibleOrgIds: await visibleOrgIdsOf(ctx.store.dialect.readDb, ctx.org.id) };
}

/**
 * Sets which related organizations' users are visible in this one (owners only). A related organization is
 * one the acting owner also belongs to in their own right: naming any other is refused with the same message
 * whether it exists or not, so the setting cannot probe for organizations. Records
 * `org.multi_org_visibility.updated` (security) with the list before and after, when it changed.
 */
export async function updateMultiOrgVisibility(
  ctx: OrgCommandContext,
  input: { visibleOrgIds: string[] },
): Promise<{ visibleOrgIds: string[] }> {
  assertOwner(ctx.actorType, 'change multiple organization user visibility');
  const wanted = [...new Set(input.visibleOrgIds)].sort();
  const now = ctx.clock.now();
  return recordedTransaction(ctx, async (tx) => {
    const related = new Set(await ownOrganizationIds(tx, ctx.actor.userId, now));
    const errors: FieldError[] = [];
    input.visibleOrgIds.forEach((id, i) => {
      if (id === ctx.org.id) errors.push({ field: `visibleOrgIds[${i}]`, reason: 'is this organization itself' });
      else if (!related.has(id)) errors.push({ field: `visibleOrgIds[${i}]`, reason: 'is not an organization you belong to' });
    });
    const first = errors[0];
    if (first) throw new AttestError('VALIDATION_FAILED', `${first.field}: ${first.reason}`, errors);
    const before = await visibleOrgIdsOf(tx, ctx.org.id);
    if (before.join() === wanted.join()) return { result: { visibleOrgIds: before }, events: [] };
    await replaceVisibleOrgs(tx, ctx.org.id, wanted);
    const event = prepareUserManagementEvent(ctx, {
      type: 'org.multi_org_visibility.updated',
      orgId: ctx.org.id,
      entity: { id: ctx.org.id, name: ctx.org.name },
      changes: [{ field: 'visibleOrgIds', from: before, to: wanted }],
    });
    return { result: { visibleOrgIds: wanted }, events: [event] };
  });
}
