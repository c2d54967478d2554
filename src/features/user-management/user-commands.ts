import { issueActivation, newWelcomeLink, type WelcomeLink } from '../../auth/account-activation.js';
import { AttestError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { InvitationSource, UserType } from '../../store/database-schema.js';
import type { StoreTransaction } from '../../store/event-log-writer.js';
import { findInvitation, insertInvitation } from '../../store/queries/membership-invitation-queries.js';
import { findUserByEmail, insertMembership, insertUser } from '../../store/queries/tenancy-queries.js';
import type { OrgCommandContext } from './command-context.js';
import { deleteMembership, findMember, setMemberType, type Member } from '../../store/queries/user-management/member-queries.js';
import { assertNotLastOwner, requireMember } from './member-checks.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent, userLabel } from './user-management-events.js';
import { assertCanAssignType, assertCanManageMember, isPrivileged } from './user-rights.js';

/** Input of {@link addUser}. Nobody sets another person's password: the person gets a welcome link. */
export interface AddUserInput {
  email: string;
  name: string;
  userType: UserType;
}

/**
 * What adding a user produced: the member as the adder may see them (with the name the adder typed), whether the
 * membership is `active` (a new account, which its holder activates through the link) or `pending` (the email
 * already had an account: its holder accepts through the link, signed in), and the one-time welcome link,
 * shown once, for the adder to hand to the person.
 */
export interface AddedUser {
  member: Member;
  status: 'active' | 'pending';
  welcomeLink: WelcomeLink;
}

/**
 * Adds a user to the organization as owner, admin or standard user; either way the adder gets a one-time welcome
 * link (7 days) to hand to the person. A new email gets a new account without a password, which the link
 * activates. An email that already has an account gets a pending membership instead, which gives no access
 * until the account holder, signed in, accepts it through the link: whoever set that account's password
 * elsewhere, without this organization's link, gains nothing here. Records `user.standard.added` or
 * `user.privileged.added` (security) in the same transaction, with the link's id (never its token).
 */
export async function addUser(ctx: OrgCommandContext, input: AddUserInput): Promise<AddedUser> {
  assertCanAssignType(ctx.actorType, input.userType);
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  if (!name) throw new AttestError('VALIDATION_FAILED', 'name: must not be blank', [{ field: 'name', reason: 'must not be blank' }]);
  const now = ctx.clock.now();
  return recordedTransaction(ctx, async (tx) => {
    const existing = await findUserByEmail(tx, email);
    const userId = existing?.id ?? newId(now);
    // The adder sees the name they typed, never the name the account holder set for themselves elsewhere.
    const member: Member = { userId, email, name, userType: input.userType, proxyFromOrgId: null, expiresAt: null };
    let added: AddedUser;
    if (existing) {
      await assertNotMemberOrInvited(tx, ctx.org.id, existing.id, email, now);
      added = {
        member,
        status: 'pending',
        welcomeLink: await inviteExistingAccount(tx, { orgId: ctx.org.id, userId, userType: input.userType, name, via: 'user' }, now),
      };
    } else {
      await insertUser(tx, { id: userId, email, name, password_hash: null, created_at: now });
      await insertMembership(tx, {
        org_id: ctx.org.id,
        user_id: userId,
        user_type: input.userType,
        proxy_from_org_id: null,
        expires_at: null,
        created_at: now,
      });
      added = { member, status: 'active', welcomeLink: await issueActivation(tx, userId, now) };
    }
    const event = prepareUserManagementEvent(ctx, {
      type: isPrivileged(input.userType) ? 'user.privileged.added' : 'user.standard.added',
      orgId: ctx.org.id,
      entity: { id: userId, name: userLabel(member) },
      changes: [{ field: 'userType', from: null, to: input.userType }],
      metadata: addedMetadata(added),
    });
    return { result: added, events: [event] };
  });
}

/** What the log keeps of an addition: the membership state and the welcome link's id and expiry, never its token. */
export function addedMetadata(added: Pick<AddedUser, 'status' | 'welcomeLink'>): Record<string, string> {
  return {
    membership: added.status,
    welcomeLinkId: added.welcomeLink.id,
    welcomeLinkExpiresAt: new Date(added.welcomeLink.expiresAt).toISOString(),
  };
}

/** Records a pending membership of an existing account and returns its invitation link (shown once). */
export async function inviteExistingAccount(
  tx: StoreTransaction,
  invitation: { orgId: string; userId: string; userType: UserType; name: string; via: InvitationSource },
  nowMs: number,
): Promise<WelcomeLink> {
  const { tokenHash, ...link } = newWelcomeLink(nowMs);
  await insertInvitation(tx, {
    org_id: invitation.orgId,
    user_id: invitation.userId,
    user_type: invitation.userType,
    name: invitation.name,
    invited_via: invitation.via,
    link_id: link.id,
    token_hash: tokenHash,
    created_at: nowMs,
    expires_at: link.expiresAt,
  });
  return link;
}

/**
 * Refuses to add an account that is already a member in force or already invited here. An expired proxy
 * grant leaves its row behind; adding the user properly replaces it.
 */
async function assertNotMemberOrInvited(tx: StoreTransaction, orgId: string, userId: string, email: string, nowMs: number): Promise<void> {
  if (await findMember(tx, orgId, userId, nowMs))
    throw new AttestError('CONFLICT', `${email} is already a member of this organization.`, [
      { field: 'email', reason: 'is already a member' },
    ]);
  if (await findInvitation(tx, orgId, userId, nowMs))
    throw new AttestError('CONFLICT', `${email} is already invited to this organization.`, [
      { field: 'email', reason: 'is already invited' },
    ]);
  await deleteMembership(tx, orgId, userId);
}

/**
 * Removes a user from the organization (the account stays; it may belong elsewhere). The last owner cannot be
 * removed. Records `user.standard.removed` or `user.privileged.removed` (security).
 */
export async function removeUser(ctx: OrgCommandContext, input: { userId: string }): Promise<void> {
  const now = ctx.clock.now();
  await recordedTransaction(ctx, async (tx) => {
    const member = await requireMember(tx, ctx.org.id, input.userId, now);
    assertCanManageMember(ctx.actorType, member.userType);
    await assertNotLastOwner(tx, ctx.org.id, member, ctx.store.dialect.supportsRowLocks);
    await deleteMembership(tx, ctx.org.id, member.userId);
    const event = prepareUserManagementEvent(ctx, {
      type: isPrivileged(member.userType) ? 'user.privileged.removed' : 'user.standard.removed',
      orgId: ctx.org.id,
      entity: { id: member.userId, name: userLabel(member) },
      changes: [{ field: 'userType', from: member.userType, to: null }],
      ...(member.proxyFromOrgId ? { metadata: { proxyFromOrgId: member.proxyFromOrgId } } : {}),
    });
    return { result: undefined, events: [event] };
  });
}

/**
 * Changes a member's type. Only an owner makes or unmakes owners; the last owner cannot be demoted. Records
 * `user.type.made_privileged` (to owner or admin) or `user.type.made_standard`, both security actions, with
 * the type before and after.
 */
export async function changeUserType(ctx: OrgCommandContext, input: { userId: string; userType: UserType }): Promise<Member> {
  const now = ctx.clock.now();
  return recordedTransaction(ctx, async (tx) => {
    const member = await requireMember(tx, ctx.org.id, input.userId, now);
    assertCanManageMember(ctx.actorType, member.userType);
    assertCanAssignType(ctx.actorType, input.userType);
    if (member.userType === input.userType)
      throw new AttestError('VALIDATION_FAILED', `userType: the user is already ${input.userType}`, [
        { field: 'userType', reason: `is already ${input.userType}` },
      ]);
    await assertNotLastOwner(tx, ctx.org.id, member, ctx.store.dialect.supportsRowLocks);
    await setMemberType(tx, ctx.org.id, member.userId, input.userType);
    const event = prepareUserManagementEvent(ctx, {
      type: isPrivileged(input.userType) ? 'user.type.made_privileged' : 'user.type.made_standard',
      orgId: ctx.org.id,
      entity: { id: member.userId, name: userLabel(member) },
      changes: [{ field: 'userType', from: member.userType, to: input.userType }],
    });
    return { result: { ...member, userType: input.userType }, events: [event] };
  });
}
