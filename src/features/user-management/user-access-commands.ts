import type { OrgCommandContext } from './command-context.js';
import { requireMember } from './member-checks.js';
import { normalizeAccess, readUserAccess, writeAccess, type UserAccess } from './membership-grants.js';
import { accessChanges, assertAccessExists, loadAccessCatalog } from './org-access-catalog.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent, userLabel } from './user-management-events.js';
import { assertCanManageMember } from './user-rights.js';

/** Input of {@link updateUserAccess}: the member's complete new access. */
export interface UpdateUserAccessInput extends UserAccess {
  userId: string;
}

/**
 * Replaces a member's permission sets, custom permissions and accessible entities. Every id must be one of the
 * organization's. Records `user.standard.access_updated`, or `user.admin.access_updated` (security) for an
 * admin — and for an owner, the other privileged type, as the catalog has no owner variant — with the names
 * before and after of each list that changed. An update that changes nothing records nothing.
 */
export async function updateUserAccess(ctx: OrgCommandContext, input: UpdateUserAccessInput): Promise<UserAccess> {
  const now = ctx.clock.now();
  const wanted = normalizeAccess(input);
  return recordedTransaction(ctx, async (tx) => {
    const member = await requireMember(tx, ctx.org.id, input.userId, now);
    assertCanManageMember(ctx.actorType, member.userType);
    const catalog = await loadAccessCatalog(tx, ctx.org.id);
    assertAccessExists(catalog, input);
    const before = await readUserAccess(tx, ctx.org.id, member.userId);
    const changes = accessChanges(catalog, before, wanted);
    if (changes.length === 0) return { result: before, events: [] };
    await writeAccess(tx, ctx.org.id, new Map([[member.userId, wanted]]));
    const event = prepareUserManagementEvent(ctx, {
      type: member.userType === 'standard' ? 'user.standard.access_updated' : 'user.admin.access_updated',
      orgId: ctx.org.id,
      entity: { id: member.userId, name: userLabel(member) },
      changes,
    });
    return { result: wanted, events: [event] };
  });
}
