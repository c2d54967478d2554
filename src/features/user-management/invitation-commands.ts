import { AttestError } from '../../core/errors.js';
import type { UserType } from '../../store/database-schema.js';
import type { StoreTransaction } from '../../store/event-log-writer.js';
import { hashSecret } from '../../core/ids.js';
import {
  deleteInvitation,
  findInvitation,
  findInvitationByToken,
  listInvitationsOfOrg,
  type InvitationOfOrg,
} from '../../store/queries/membership-invitation-queries.js';
import { deleteMembershipRows, emailOfUser, findOrganization, insertMembership } from '../../store/queries/tenancy-queries.js';
import type { CommandContext, OrgCommandContext } from './command-context.js';
import { deleteMembership, findMember, type Member } from '../../store/queries/user-management/member-queries.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent, userLabel } from './user-management-events.js';
import { assertCanManageMember, assertCanManageUsers, isPrivileged } from './user-rights.js';

const NO_INVITATION = () =>
  new AttestError('NOT_FOUND', 'You have no pending invitation to this organization.', [
    { field: 'orgId', reason: 'has no pending invitation for you' },
  ]);
const NO_INVITATION_FOR_LINK = () =>
  new AttestError(
    'NOT_FOUND',
    'This invitation link is not for the account you are signed in with, was used already or has expired (links last 7 days).',
    [{ field: 'token', reason: 'matches no pending invitation of this account' }],
  );

/**
 * The signed-in account holder accepts a pending membership with the token of its invitation link: it becomes a
 * membership with the invited type, and `user.invitation.accepted` (security) is recorded in that organization,
 * with the holder as actor. Nothing of the holder was recorded there before this moment. Signing in is not
 * enough: whoever set the account's password elsewhere must not join an organization that invited the email.
 */
export async function acceptInvitation(
  ctx: CommandContext,
  input: { token: string },
): Promise<{ orgId: string; orgName: string; userType: UserType }> {
  const now = ctx.clock.now();
  const userId = ctx.actor.userId;
  return recordedTransaction(ctx, async (tx) => {
    const invitation = await findInvitationByToken(tx, userId, hashSecret(input.token), now);
    const org = invitation ? await findOrganization(tx, invitation.org_id) : undefined;
    if (!invitation || !org) throw NO_INVITATION_FOR_LINK();
    await deleteInvitation(tx, org.id, userId);
    if (await findMember(tx, org.id, userId, now))
      throw new AttestError('CONFLICT', 'You are already a member of this organization.', [
        { field: 'orgId', reason: 'is already one of your organizations' },
      ]);
    // An expired proxy grant leaves its row behind; the accepted membership replaces it.
    await deleteMembershipRows(tx, org.id, [userId]);
    await insertMembership(tx, {
      org_id: org.id,
      user_id: userId,
      user_type: invitation.user_type,
      proxy_from_org_id: null,
      expires_at: null,
      created_at: now,
    });
    const event = prepareUserManagementEvent(ctx, {
      type: 'user.invitation.accepted',
      orgId: org.id,
      entity: { id: userId, name: userLabel(ctx.actor) },
      changes: [{ field: 'userType', from: null, to: invitation.user_type }],
      metadata: { invitedVia: invitation.invited_via },
    });
    return { result: { orgId: org.id, orgName: org.name, userType: invitation.user_type }, events: [event] };
  });
}

/**
 * The signed-in account holder declines a pending membership: it is deleted with anything granted with it.
 * Nothing is recorded in the inviting organization: it holds nothing of a person who never joined.
 */
export async function declineInvitation(ctx: CommandContext, input: { orgId: string }): Promise<void> {
  const userId = ctx.actor.userId;
  await ctx.store.transaction(async (tx) => {
    if (!(await deleteInvitation(tx, input.orgId, userId))) throw NO_INVITATION();
    await dropGrantsOfNonMember(tx, input.orgId, userId, ctx.clock.now());
  });
}

/** The organization's pending memberships, for those who manage users. */
export async function listPendingInvitations(ctx: OrgCommandContext): Promise<InvitationOfOrg[]> {
  assertCanManageUsers(ctx.actorType);
  return listInvitationsOfOrg(ctx.store.dialect.readDb, ctx.org.id, ctx.clock.now());
}

/**
 * Withdraws a pending membership before it is accepted. Admins cannot withdraw an owner's. Records
 * `user.standard.removed` or `user.privileged.removed`, as the addition recorded `…added`.
 */
export async function withdrawInvitation(ctx: OrgCommandContext, input: { userId: string }): Promise<void> {
  assertCanManageUsers(ctx.actorType);
  await recordedTransaction(ctx, async (tx) => {
    const invitation = await findInvitation(tx, ctx.org.id, input.userId, ctx.clock.now());
    if (!invitation)
      throw new AttestError('NOT_FOUND', 'No pending invitation for this user here.', [
        { field: 'userId', reason: 'has no pending invitation in this organization' },
      ]);
    assertCanManageMember(ctx.actorType, invitation.user_type);
    await deleteInvitation(tx, ctx.org.id, input.userId);
    await dropGrantsOfNonMember(tx, ctx.org.id, input.userId, ctx.clock.now());
    const email = await emailOfUser(tx, input.userId);
    const member: Pick<Member, 'name' | 'email'> = { name: invitation.name, email };
    const event = prepareUserManagementEvent(ctx, {
      type: isPrivileged(invitation.user_type) ? 'user.privileged.removed' : 'user.standard.removed',
      orgId: ctx.org.id,
      entity: { id: input.userId, name: userLabel(member) },
      changes: [{ field: 'userType', from: invitation.user_type, to: null }],
      metadata: { membership: 'pending' },
    });
    return { result: undefined, events: [event] };
  });
}

/**
 * A bulk addition grants access along with the invitation; when the invitation goes, so do those grants,
 * unless the account became a member meanwhile (proxy access), whose grants stay.
 */
async function dropGrantsOfNonMember(tx: StoreTransaction, orgId: string, userId: string, nowMs: number): Promise<void> {
  if (!(await findMember(tx, orgId, userId, nowMs))) await deleteMembership(tx, orgId, userId);
}
