import { IANAZone } from 'luxon';
import { issueActivation } from '../../auth/account-activation.js';
import { AttestError } from '../../core/errors.js';
import { isUuid, newId } from '../../core/ids.js';
import {
  findOrganization,
  findUserByEmail,
  insertMembership,
  insertOrganization,
  insertUser,
  type Organization,
} from '../../store/queries/tenancy-queries.js';
import type { CommandContext } from './command-context.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent, userLabel } from './user-management-events.js';
import { addedMetadata, inviteExistingAccount, type AddedUser } from './user-commands.js';

/** Input of {@link createOrganization}. */
export interface CreateOrganizationInput {
  name: string;
  ownerEmail: string;
  /** The owner's name when the account is new; defaults to the part of the email before `@`. */
  ownerName?: string;
  /** IANA time zone the organization's days are shown in; default UTC. */
  timeZone?: string;
  /** The platform's own id for its tenant (a UUID), so both systems name it alike; generated when absent. */
  id?: string;
}

/** A new organization and its first owner: their welcome link activates a new account or accepts a pending owner membership. */
export interface CreatedOrganization {
  org: Organization;
  owner: AddedUser;
}

/**
 * Creates an organization for a multi-tenant platform (`attest org create`, `POST /api/v1/orgs`) with its first
 * owner, in one transaction that records `org.created` and `user.privileged.added` in the new organization's log.
 * The owner is added like any user: a new email gets an account and a one-time activation link; an existing
 * account gets a pending owner membership its holder accepts after signing in. A duplicate id is a 409; a
 * malformed id, a blank name or an unknown time zone a 400 naming the field.
 */
export async function createOrganization(ctx: CommandContext, input: CreateOrganizationInput): Promise<CreatedOrganization> {
  const name = input.name.trim();
  const email = input.ownerEmail.trim().toLowerCase();
  const timeZone = input.timeZone ?? 'UTC';
  const problems = [
    ...(name ? [] : [{ field: 'name', reason: 'must not be blank' }]),
    ...(input.id === undefined || isUuid(input.id) ? [] : [{ field: 'id', reason: 'must be a lowercase UUID' }]),
    ...(IANAZone.isValidZone(timeZone) ? [] : [{ field: 'timeZone', reason: `"${timeZone}" is not an IANA time zone` }]),
  ];
  if (problems.length > 0)
    throw new AttestError('VALIDATION_FAILED', `${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`, problems);
  const now = ctx.clock.now();
  const org: Organization = { id: input.id ?? newId(now), name, timeZone };
  return recordedTransaction(ctx, async (tx) => {
    if (await findOrganization(tx, org.id))
      throw new AttestError('CONFLICT', `An organization with id ${org.id} exists already.`, [{ field: 'id', reason: 'is taken' }]);
    await insertOrganization(tx, org, now);
    const existing = await findUserByEmail(tx, email);
    const ownerName = input.ownerName?.trim() || email.split('@')[0] || email;
    const userId = existing?.id ?? newId(now);
    const member = { userId, email, name: ownerName, userType: 'owner' as const, proxyFromOrgId: null, expiresAt: null };
    let owner: AddedUser;
    if (existing) {
      owner = {
        member,
        status: 'pending',
        welcomeLink: await inviteExistingAccount(tx, { orgId: org.id, userId, userType: 'owner', name: ownerName, via: 'operator' }, now),
      };
    } else {
      await insertUser(tx, { id: userId, email, name: ownerName, password_hash: null, created_at: now });
      await insertMembership(tx, {
        org_id: org.id,
        user_id: userId,
        user_type: 'owner',
        proxy_from_org_id: null,
        expires_at: null,
        created_at: now,
      });
      owner = { member, status: 'active', welcomeLink: await issueActivation(tx, userId, now) };
    }
    const events = [
      prepareUserManagementEvent(ctx, {
        type: 'org.created',
        orgId: org.id,
        entity: { id: org.id, name: org.name },
        metadata: { timeZone },
      }),
      prepareUserManagementEvent(ctx, {
        type: 'user.privileged.added',
        orgId: org.id,
        entity: { id: userId, name: userLabel(member) },
        changes: [{ field: 'userType', from: null, to: 'owner' }],
        metadata: addedMetadata(owner),
      }),
    ];
    return { result: { org, owner }, events };
  });
}
