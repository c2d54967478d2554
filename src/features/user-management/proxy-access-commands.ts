import { AttestError } from '../../core/errors.js';
import type { UserType } from '../../store/database-schema.js';
import { findUserByEmail, homeOrganizationId, insertMembership } from '../../store/queries/tenancy-queries.js';
import type { OrgCommandContext } from './command-context.js';
import { deleteMembership, findMember, listMembers, type Member } from '../../store/queries/user-management/member-queries.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent, userLabel } from './user-management-events.js';
import { assertCanManageUsers, assertOwner } from './user-rights.js';

/** Input of {@link grantProxyAccess}. */
export interface ProxyAccessInput {
  email: string;
  userType: UserType;
  /** Epoch milliseconds; absent means the access does not expire. */
  expiresAt?: number;
}

/** The proxy users of the organization (access in force), owners and admins only. */
export async function listProxyAccess(ctx: OrgCommandContext): Promise<Member[]> {
  assertCanManageUsers(ctx.actorType);
  return (await listMembers(ctx.store.dialect.readDb, ctx.org.id, ctx.clock.now())).filter((m) => m.proxyFromOrgId !== null);
}

/**
 * Grants a user of another organization access to this one with a user type and an optional expiry (owners
 * only). The user must belong to another organization in their own right and not already be a member here.
 * Records `org.proxy_access.granted` (security). The proxy user then acts here with the granted type.
 */
export async function grantProxyAccess(ctx: OrgCommandContext, input: ProxyAccessInput): Promise<Member> {
  assertOwner(ctx.actorType, 'grant proxy organization access');
  const email = input.email.trim().toLowerCase();
  const now = ctx.clock.now();
  if (input.expiresAt !== undefined && input.expiresAt <= now)
    throw new AttestError('VALIDATION_FAILED', 'expiresAt: must be in the future', [
      { field: 'expiresAt', reason: 'must be in the future' },
    ]);
  return recordedTransaction(ctx, async (tx) => {
    const user = await findUserByEmail(tx, email);
    const home = user ? await homeOrganizationId(tx, user.id, ctx.org.id) : undefined;
    // One answer whether the email is unknown or only has no organization: the form does not reveal accounts.
    if (!user || !home)
      throw new AttestError('VALIDATION_FAILED', 'email: no user of another organization has this email', [
        { field: 'email', reason: 'is not a user of another organization' },
      ]);
    if (await findMember(tx, ctx.org.id, user.id, now))
      throw new AttestError('CONFLICT', `${email} is already a member of this organization.`, [
        { field: 'email', reason: 'is already a member' },
      ]);
    await deleteMembership(tx, ctx.org.id, user.id);
    await insertMembership(tx, {
      org_id: ctx.org.id,
      user_id: user.id,
      user_type: input.userType,
      proxy_from_org_id: home,
      expires_at: input.expiresAt ?? null,
      created_at: now,
    });
    const member: Member = {
      userId: user.id,
      email: user.email,
      name: user.name,
      userType: input.userType,
      proxyFromOrgId: home,
      expiresAt: input.expiresAt ?? null,
    };
    const event = prepareUserManagementEvent(ctx, {
      type: 'org.proxy_access.granted',
      orgId: ctx.org.id,
      entity: { id: user.id, name: userLabel(user) },
      changes: [{ field: 'userType', from: null, to: input.userType }],
      metadata: { proxyFromOrgId: home, expiresAt: input.expiresAt === undefined ? null : new Date(input.expiresAt).toISOString() },
    });
    return { result: member, events: [event] };
  });
}
