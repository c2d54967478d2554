import { hashPassword } from '../../auth/passwords.js';
import { AttestError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { UserType } from '../../store/database-schema.js';
import { findUserByEmail, insertMembership, insertUser } from '../../tenancy/tenancy-queries.js';
import type { OrgCommandContext } from './command-context.js';
import { assertNotLastOwner, deleteMembership, findMember, requireMember, type Member } from './member-queries.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent, userLabel } from './user-management-events.js';
import { assertCanAssignType, assertCanManageMember, isPrivileged } from './user-rights.js';

/** Input of {@link addUser}. */
export interface AddUserInput {
  email: string;
  name: string;
  userType: UserType;
  /** Sets the password of a new account; an existing account (member elsewhere) keeps its own. */
  password?: string;
}

/**
 * Adds a user to the organization as owner, admin or standard user, creating the account when the email is
 * new. Records `user.standard.added` or `user.privileged.added` (security) in the same transaction.
 */
export async function addUser(ctx: OrgCommandContext, input: AddUserInput): Promise<Member> {
  assertCanAssignType(ctx.actorType, input.userType);
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  if (!name) throw new AttestError('VALIDATION_FAILED', 'name: must not be blank', [{ field: 'name', reason: 'must not be blank' }]);
  // Hash before the transaction: argon2 is deliberately slow and must not hold the write lock.
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  const now = ctx.clock.now();
  return recordedTransaction(ctx, async (tx) => {
    const existing = await findUserByEmail(tx, email);
    const userId = existing?.id ?? newId(now);
    if (existing) {
      if (await findMember(tx, ctx.org.id, existing.id, now)) throw new AttestError('CONFLICT', `${email} is already a member of this organization.`, [{ field: 'email', reason: 'is already a member' }]);
      // An expired proxy grant leaves its row behind; adding the user properly replaces it.
      await deleteMembership(tx, ctx.org.id, existing.id);
    } else {
      await insertUser(tx, { id: userId, email, name, password_hash: passwordHash, created_at: now });
    }
    await insertMembership(tx, { org_id: ctx.org.id, user_id: userId, user_type: input.userType, proxy_from_org_id: null, expires_at: null, created_at: now });
    const member: Member = { userId, email, name: existing?.name ?? name, userType: input.userType, proxyFromOrgId: null, expiresAt: null };
    const event = prepareUserManagementEvent(ctx, {
      type: isPrivileged(input.userType) ? 'user.privileged.added' : 'user.standard.added',
      orgId: ctx.org.id,
      entity: { id: userId, name: userLabel(member) },
      changes: [{ field: 'userType', from: null, to: input.userType }],
    });
    return { result: member, events: [event] };
  });
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
    if (member.userType === input.userType) throw new AttestError('VALIDATION_FAILED', `userType: the user is already ${input.userType}`, [{ field: 'userType', reason: `is already ${input.userType}` }]);
    await assertNotLastOwner(tx, ctx.org.id, member, ctx.store.dialect.supportsRowLocks);
    await tx.updateTable('memberships').set({ user_type: input.userType }).where('org_id', '=', ctx.org.id).where('user_id', '=', member.userId).execute();
    const event = prepareUserManagementEvent(ctx, {
      type: isPrivileged(input.userType) ? 'user.type.made_privileged' : 'user.type.made_standard',
      orgId: ctx.org.id,
      entity: { id: member.userId, name: userLabel(member) },
      changes: [{ field: 'userType', from: member.userType, to: input.userType }],
    });
    return { result: { ...member, userType: input.userType }, events: [event] };
  });
}
