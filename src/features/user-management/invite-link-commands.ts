import type { Kysely } from 'kysely';
import { hashPassword, verifyPassword } from '../../auth/passwords.js';
import { AttestError } from '../../core/errors.js';
import { newId, newSecret } from '../../core/ids.js';
import type { AttestDatabase } from '../../store/database-schema.js';
import type { StoreTransaction } from '../../store/event-log-writer.js';
import { findOrganization, findUserByEmail, insertMembership, insertUser } from '../../tenancy/tenancy-queries.js';
import type { CommandContext, OrgCommandContext } from './command-context.js';
import { deleteMembership, findMember } from './member-queries.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent, userLabel } from './user-management-events.js';
import { assertCanManageUsers } from './user-rights.js';

type Db = Kysely<AttestDatabase>;

/** An organization's invite link: its id (safe to record) and its token (the secret part of the URL). */
export interface InviteLink {
  id: string;
  token: string;
  createdAt: number;
}

async function insertLink(db: Db, orgId: string, nowMs: number): Promise<InviteLink> {
  const link = { id: newId(nowMs), token: newSecret('ati'), createdAt: nowMs };
  await db.insertInto('invite_links').values({ org_id: orgId, id: link.id, token: link.token, created_at: nowMs }).execute();
  return link;
}

async function findLink(db: Db, orgId: string): Promise<InviteLink | undefined> {
  const row = await db.selectFrom('invite_links').select(['id', 'token', 'created_at']).where('org_id', '=', orgId).executeTakeFirst();
  return row ? { id: row.id, token: row.token, createdAt: Number(row.created_at) } : undefined;
}

/**
 * The organization's one invite link, created on first use. The token is kept as is (not hashed) because
 * admins are shown the link again whenever they open the page; regenerating is how a leaked link is revoked.
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
    await tx.deleteFrom('invite_links').where('org_id', '=', ctx.org.id).execute();
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

/**
 * Joins an organization through its invite link as a standard user, creating the account when the email is
 * new; an existing account must prove its password. Records `user.standard.added` with the joining user as the
 * actor. An unknown or replaced token is a 404.
 */
export async function joinViaInviteLink(ctx: Omit<CommandContext, 'actor'> & { actor: Omit<CommandContext['actor'], 'userId' | 'name' | 'email'> }, input: JoinInput): Promise<{ orgId: string; userId: string }> {
  const email = input.email.trim().toLowerCase();
  const name = input.name.trim();
  if (!name) throw new AttestError('VALIDATION_FAILED', 'name: must not be blank', [{ field: 'name', reason: 'must not be blank' }]);
  const link = await ctx.store.dialect.readDb.selectFrom('invite_links').select(['org_id']).where('token', '=', input.token).executeTakeFirst();
  if (!link) throw new AttestError('NOT_FOUND', 'This invite link is not valid (it may have been regenerated).');
  const existing = await findUserByEmail(ctx.store.db, email);
  if (existing && !(existing.passwordHash && (await verifyPassword(existing.passwordHash, input.password)))) throw new AttestError('INVALID_CREDENTIALS', 'This email already has an account; enter its password to join.');
  const passwordHash = existing ? null : await hashPassword(input.password);
  const now = ctx.clock.now();
  const userId = existing?.id ?? newId(now);
  const actor = { ...ctx.actor, userId, name: existing?.name ?? name, email };
  return recordedTransaction({ ...ctx, actor }, async (tx: StoreTransaction) => {
    // Checked again inside the transaction: a regeneration committed meanwhile invalidates the token.
    const current = await tx.selectFrom('invite_links').select(['org_id']).where('token', '=', input.token).executeTakeFirst();
    const org = current ? await findOrganization(tx, current.org_id) : undefined;
    if (!org) throw new AttestError('NOT_FOUND', 'This invite link is not valid (it may have been regenerated).');
    if (existing) {
      if (await findMember(tx, org.id, userId, now)) throw new AttestError('CONFLICT', 'You are already a member of this organization.', [{ field: 'email', reason: 'is already a member' }]);
      await deleteMembership(tx, org.id, userId);
    } else {
      await insertUser(tx, { id: userId, email, name, password_hash: passwordHash, created_at: now });
    }
    await insertMembership(tx, { org_id: org.id, user_id: userId, user_type: 'standard', proxy_from_org_id: null, expires_at: null, created_at: now });
    const event = prepareUserManagementEvent({ ...ctx, actor }, {
      type: 'user.standard.added',
      orgId: org.id,
      entity: { id: userId, name: userLabel(actor) },
      changes: [{ field: 'userType', from: null, to: 'standard' }],
      metadata: { via: 'invite_link' },
    });
    return { result: { orgId: org.id, userId }, events: [event] };
  });
}
