import { WELCOME_LINK_TTL_MS } from '../../auth/account-activation.js';
import { hashPassword } from '../../auth/passwords.js';
import { AttestError } from '../../core/errors.js';
import { hashSecret, newId, newSecret } from '../../core/ids.js';
import type { StoreTransaction } from '../../store/event-log-writer.js';
import { findInvitation, insertInvitation } from '../../store/queries/membership-invitation-queries.js';
import type { QueryExecutor } from '../../store/queries/query-executor.js';
import { findOrganization, findUserByEmail, insertMembership, insertUser } from '../../store/queries/tenancy-queries.js';
import {
  deleteInviteLink,
  findInviteLink,
  insertInviteLink,
  orgOfInviteLink,
} from '../../store/queries/user-management/invite-link-queries.js';
import { deleteMembership, findMember } from '../../store/queries/user-management/member-queries.js';
import type { CommandContext, OrgCommandContext } from './command-context.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent, userLabel } from './user-management-events.js';
import { assertCanManageUsers } from './user-rights.js';

/**
 * An organization's invite link: its id (safe to record) and its token (the secret part of the URL). Only the
 * token's SHA-256 is stored, so the token is known only in the answer that made the link; later reads have null.
 */
export interface InviteLink {
  id: string;
  token: string | null;
  createdAt: number;
}

async function insertLink(db: QueryExecutor, orgId: string, nowMs: number): Promise<InviteLink & { token: string }> {
  const link = { id: newId(nowMs), token: newSecret('ati'), createdAt: nowMs };
  await insertInviteLink(db, { org_id: orgId, id: link.id, token_hash: hashSecret(link.token), created_at: nowMs });
  return link;
}

async function findLink(db: QueryExecutor, orgId: string): Promise<InviteLink | undefined> {
  const link = await findInviteLink(db, orgId);
  return link ? { id: link.id, token: null, createdAt: link.createdAt } : undefined;
}

/** The organization whose invite link has this token, if the link is current. */
async function orgOfToken(db: QueryExecutor, token: string): Promise<string | undefined> {
  return orgOfInviteLink(db, hashSecret(token));
}

/**
 * The organization's one invite link, created on first use. Its token is in the answer only when this call
 * made the link: the store keeps its hash. A lost link is replaced by regenerating it, which also revokes it.
 */
export async function inviteLinkOf(ctx: OrgCommandContext): Promise<InviteLink> {
  assertCanManageUsers(ctx.actorType);
  const existing = await findLink(ctx.store.dialect.readDb, ctx.org.id);
  if (existing) return existing;
  return ctx.store.transaction(async (tx) => (await findLink(tx, ctx.org.id)) ?? insertLink(tx, ctx.org.id, ctx.clock.now()));
}

/** Replaces the invite link with a new one; the old token stops working at once. Records `invite_link.regenerated`. */
export async function regenerateInviteLink(ctx: OrgCommandContext): Promise<InviteLink> {
  assertCanManageUsers(ctx.actorType);
  const now = ctx.clock.now();
  return recordedTransaction(ctx, async (tx) => {
    const old = await findLink(tx, ctx.org.id);
    await deleteInviteLink(tx, ctx.org.id);
    const link = await insertLink(tx, ctx.org.id, now);
    const event = prepareUserManagementEvent(ctx, {
      type: 'invite_link.regenerated',
      orgId: ctx.org.id,
      // The template reads "Regenerated the invite link of {entity}", so the link is named after its organization.
      entity: { id: link.id, name: ctx.org.name },
      // The ids, never the tokens: the audit log must not hand out a working invitation.
      changes: [{ field: 'inviteLinkId', from: old?.id ?? null, to: link.id }],
    });
    return { result: link, events: [event] };
  });
}

/** Input of {@link joinViaInviteLink}. */
export interface JoinInput {
  token: string;
  email: string;
  name: string;
  password: string;
}

const INVALID_LINK = () => new AttestError('NOT_FOUND', 'This invite link is not valid (it may have been regenerated).');

/**
 * Joins an organization through its invite link as a standard user. The answer is the same whether or not the
 * email has an account, so the link cannot be used to find out which emails do:
 * - a new email gets an account with the password chosen here and a standard membership, recorded as
 *   `user.standard.added` with the joining user as the actor;
 * - an email that has an account gets a pending membership (no password is checked, none is changed), which
 *   its holder accepts after signing in, with this invite link's token; nothing is recorded until then.
 *   Already a member or invited: nothing.
 * An unknown or replaced token is a 404.
 */
export async function joinViaInviteLink(
  ctx: Omit<CommandContext, 'actor'> & { actor: Omit<CommandContext['actor'], 'userId' | 'name' | 'email'> },
  input: JoinInput,
): Promise<{ orgId: string }> {
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  if (!name) throw new AttestError('VALIDATION_FAILED', 'name: must not be blank', [{ field: 'name', reason: 'must not be blank' }]);
  if (!(await orgOfToken(ctx.store.dialect.readDb, input.token))) throw INVALID_LINK();
  // Hashed whether or not the account exists, so the answer takes as long either way.
  const passwordHash = await hashPassword(input.password);
  const now = ctx.clock.now();
  const newUserId = newId(now);
  const actor = { ...ctx.actor, userId: newUserId, name, email };
  return recordedTransaction({ ...ctx, actor }, async (tx: StoreTransaction) => {
    // Checked again inside the transaction: a regeneration committed meanwhile invalidates the token.
    const orgId = await orgOfToken(tx, input.token);
    const org = orgId ? await findOrganization(tx, orgId) : undefined;
    if (!org) throw INVALID_LINK();
    const existing = await findUserByEmail(tx, email);
    if (existing) {
      const known = (await findMember(tx, org.id, existing.id, now)) ?? (await findInvitation(tx, org.id, existing.id, now));
      if (!known) {
        await deleteMembership(tx, org.id, existing.id);
        // Accepted, after signing in, with this invite link's token: knowing the link is what any joiner needs.
        const link = await findLink(tx, org.id);
        await insertInvitation(tx, {
          org_id: org.id,
          user_id: existing.id,
          user_type: 'standard',
          name,
          invited_via: 'invite_link',
          link_id: link?.id ?? org.id,
          token_hash: hashSecret(input.token),
          created_at: now,
          expires_at: now + WELCOME_LINK_TTL_MS,
        });
      }
      return { result: { orgId: org.id }, events: [] };
    }
    await insertUser(tx, { id: newUserId, email, name, password_hash: passwordHash, created_at: now });
    await insertMembership(tx, {
      org_id: org.id,
      user_id: newUserId,
      user_type: 'standard',
      proxy_from_org_id: null,
      expires_at: null,
      created_at: now,
    });
    const event = prepareUserManagementEvent(
      { ...ctx, actor },
      {
        type: 'user.standard.added',
        orgId: org.id,
        entity: { id: newUserId, name: userLabel(actor) },
        changes: [{ field: 'userType', from: null, to: 'standard' }],
        metadata: { via: 'invite_link' },
      },
    );
    return { result: { orgId: org.id }, events: [event] };
  });
}
