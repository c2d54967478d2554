import { newWelcomeLink, type WelcomeLink } from '../../auth/account-activation.js';
import { newId } from '../../core/ids.js';
import type { JsonValue } from '../../events/audit-event.js';
import type { AccountActivationsTable, MembershipInvitationsTable, MembershipsTable, UsersTable } from '../../store/database-schema.js';
import { insertAccountActivations } from '../../store/queries/account-activation-queries.js';
import { insertInvitations, invitedUserIds } from '../../store/queries/membership-invitation-queries.js';
import { deleteMembershipRows, insertMemberships, insertUsers, userIdsByEmail } from '../../store/queries/tenancy-queries.js';
import { memberTypes } from '../../store/queries/user-management/member-queries.js';
import { BulkNameResolver } from './bulk-name-resolver.js';
import { parseBulkUserCsv, type BulkMode, type BulkRowError } from './bulk-user-csv.js';
import type { OrgCommandContext } from './command-context.js';
import { mergeAccess, normalizeAccess, readAccess, writeAccess, type UserAccess } from './membership-grants.js';
import { ensureDefaultEntities } from './org-entities.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent } from './user-management-events.js';
import { assertCanManageUsers } from './user-rights.js';

/** One user a bulk addition added, with the welcome link the adder hands on (shown once, like a single addition's). */
export interface BulkAddedUser {
  email: string;
  userId: string;
  /** `active` for a new account (the link activates it), `pending` for an existing one (the link accepts it). */
  status: 'active' | 'pending';
  welcomeLink: WelcomeLink;
}

/** What a bulk operation answers: whether the file was applied, how many data rows it had, and each line's problem. */
export interface BulkResult {
  applied: boolean;
  rows: number;
  errors: BulkRowError[];
  /** Members created (add) or whose access changed (append, overwrite). */
  affectedUserIds: string[];
  /** Add mode: each user added, in file order, with their welcome link. */
  added?: BulkAddedUser[];
}

// The event record's metadata is bounded (PRODUCT.md §4: 8 KiB), so it lists at most this many user ids and
// says how many more there were; 150 UUIDs take about 6 KiB.
const MAX_IDS_IN_METADATA = 150;
const EVENT_TYPE: Record<BulkMode, string> = {
  add: 'users.bulk_added',
  append: 'users.bulk_updated.append',
  overwrite: 'users.bulk_updated.overwrite',
};

/**
 * Adds users in bulk (`add`) or updates members' access in bulk (`append` adds to what they have, `overwrite`
 * replaces each list the file has a column for) from a CSV file of up to 10,000 rows. All or nothing: every problem is reported with its line
 * and nothing of a file with any problem is applied. One audit event records the whole operation, with the
 * counts and the affected user ids in its metadata.
 */
export async function bulkImportUsers(ctx: OrgCommandContext, input: { mode: BulkMode; csv: string }): Promise<BulkResult> {
  assertCanManageUsers(ctx.actorType);
  const parsed = parseBulkUserCsv(input.csv, input.mode);
  if (parsed.errors.length > 0) return { applied: false, rows: parsed.rows.length, errors: parsed.errors, affectedUserIds: [] };
  const now = ctx.clock.now();
  return recordedTransaction<BulkResult>(ctx, async (tx) => {
    await ensureDefaultEntities(tx, ctx.org.id, now);
    const resolver = await BulkNameResolver.load(tx, ctx.org.id);
    const errors: BulkRowError[] = [];
    const wanted = parsed.rows.map((row) => ({ row, access: normalizeAccess(resolver.resolve(row, errors)) }));
    const emails = parsed.rows.map((r) => r.email);
    const accounts = await userIdsByEmail(tx, emails);
    const typeOf = await memberTypes(tx, ctx.org.id, [...accounts.values()], now);
    const invited = input.mode === 'add' ? await invitedUserIds(tx, ctx.org.id, [...accounts.values()], now) : new Set<string>();

    for (const { row } of wanted) {
      const userId = accounts.get(row.email);
      const memberType = userId === undefined ? undefined : typeOf.get(userId);
      if (input.mode === 'add') {
        if (memberType !== undefined)
          errors.push({ line: row.line, field: 'email', reason: `${row.email} is already a member of this organization` });
        else if (userId !== undefined && invited.has(userId))
          errors.push({ line: row.line, field: 'email', reason: `${row.email} is already invited to this organization` });
        if (row.userType === 'owner' && ctx.actorType !== 'owner')
          errors.push({ line: row.line, field: 'userType', reason: 'only organization owners can add owners' });
      } else if (memberType === undefined) {
        errors.push({ line: row.line, field: 'email', reason: `${row.email} is not a member of this organization` });
      } else if (memberType === 'owner' && ctx.actorType !== 'owner') {
        errors.push({ line: row.line, field: 'email', reason: 'only organization owners can change the access of an owner' });
      }
    }
    if (errors.length > 0) {
      errors.sort((a, b) => a.line - b.line);
      return { result: { applied: false, rows: parsed.rows.length, errors, affectedUserIds: [] }, events: [] };
    }

    let affected: string[];
    const accessByUser = new Map<string, UserAccess>();
    let added: BulkAddedUser[] | undefined;
    if (input.mode === 'add') {
      // Nobody sets another person's password: a new account gets an activation link, an existing one a pending
      // membership that its holder accepts through the link, exactly as a single addition does.
      const newUsers: UsersTable[] = [];
      const memberships: MembershipsTable[] = [];
      const activations: AccountActivationsTable[] = [];
      const invitations: MembershipInvitationsTable[] = [];
      added = [];
      for (const { row, access } of wanted) {
        const existingId = accounts.get(row.email);
        const userId = existingId ?? newId(now);
        const { tokenHash, ...welcomeLink } = newWelcomeLink(now);
        if (existingId === undefined) {
          newUsers.push({ id: userId, email: row.email, name: row.name, password_hash: null, created_at: now });
          memberships.push({
            org_id: ctx.org.id,
            user_id: userId,
            user_type: row.userType,
            proxy_from_org_id: null,
            expires_at: null,
            created_at: now,
          });
          activations.push({
            token_hash: tokenHash,
            id: welcomeLink.id,
            user_id: userId,
            created_at: now,
            expires_at: welcomeLink.expiresAt,
          });
        } else {
          invitations.push({
            org_id: ctx.org.id,
            user_id: userId,
            user_type: row.userType,
            name: row.name,
            invited_via: 'user',
            link_id: welcomeLink.id,
            token_hash: tokenHash,
            created_at: now,
            expires_at: welcomeLink.expiresAt,
          });
        }
        added.push({ email: row.email, userId, status: existingId === undefined ? 'active' : 'pending', welcomeLink });
        // Granted now, in force once the membership is (at once, or when the invitation is accepted).
        accessByUser.set(userId, access);
      }
      // Expired proxy grants leave rows behind; adding those users properly replaces them.
      await deleteMembershipRows(
        tx,
        ctx.org.id,
        added.map((a) => a.userId),
      );
      await insertUsers(tx, newUsers);
      await insertMemberships(tx, memberships);
      await insertAccountActivations(tx, activations);
      await insertInvitations(tx, invitations);
      affected = added.map((a) => a.userId);
    } else {
      const userIds = wanted.map(({ row }) => accounts.get(row.email) as string);
      const current = await readAccess(tx, ctx.org.id, userIds);
      wanted.forEach(({ access }, i) => {
        const userId = userIds[i] as string;
        const before = normalizeAccess(current.get(userId) as UserAccess);
        const after = input.mode === 'append' ? mergeAccess(before, access) : overwriteListed(before, access, parsed.columns);
        if (JSON.stringify(before) !== JSON.stringify(after)) accessByUser.set(userId, after);
      });
      affected = [...accessByUser.keys()];
    }
    await writeAccess(tx, ctx.org.id, accessByUser);

    const metadata: Record<string, JsonValue> = {
      mode: input.mode,
      rows: parsed.rows.length,
      [input.mode === 'add' ? 'addedCount' : 'updatedCount']: affected.length,
      userIds: affected.slice(0, MAX_IDS_IN_METADATA),
    };
    if (input.mode !== 'add') metadata.unchangedCount = parsed.rows.length - affected.length;
    if (added) metadata.pendingCount = added.filter((a) => a.status === 'pending').length;
    if (affected.length > MAX_IDS_IN_METADATA) metadata.userIdsOmitted = affected.length - MAX_IDS_IN_METADATA;
    const event = prepareUserManagementEvent(ctx, {
      type: EVENT_TYPE[input.mode],
      orgId: ctx.org.id,
      entity: { id: ctx.org.id, name: ctx.org.name },
      metadata,
    });
    return {
      result: { applied: true, rows: parsed.rows.length, errors: [], affectedUserIds: affected, ...(added ? { added } : {}) },
      events: [event],
    };
  });
}

/** Overwrite mode replaces the lists the file has a column for and keeps the others as they are. */
function overwriteListed(before: UserAccess, row: UserAccess, columns: readonly string[]): UserAccess {
  return {
    permissionSetIds: columns.includes('permissionSets') ? row.permissionSetIds : before.permissionSetIds,
    customPermissionIds: columns.includes('customPermissions') ? row.customPermissionIds : before.customPermissionIds,
    entityIds: columns.includes('entities') ? row.entityIds : before.entityIds,
  };
}
