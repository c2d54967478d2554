import { writeCsvRows } from '../../core/csv-writer.js';
import type { OrgCommandContext } from './command-context.js';
import { listMembers } from '../../store/queries/user-management/member-queries.js';
import { readAccess } from './membership-grants.js';
import { accessNames, loadAccessCatalog } from './org-access-catalog.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent } from './user-management-events.js';
import { assertCanManageUsers } from './user-rights.js';

/** The header of the user list CSV. */
export const USER_LIST_COLUMNS = [
  'email',
  'name',
  'userType',
  'viaProxy',
  'expiresAt',
  'permissionSets',
  'customPermissions',
  'entities',
] as const;

/**
 * The organization's users as CSV (RFC 4180, by the CSV writer every export shares, so a name that would
 * start a spreadsheet formula is neutralized; lists joined with `;` as the bulk import reads them). The list
 * is read and `user_list.exported` (a security action) recorded in one transaction, so the row count
 * recorded is the row count handed out.
 */
export async function exportUserList(ctx: OrgCommandContext): Promise<{ csv: string; rowCount: number }> {
  assertCanManageUsers(ctx.actorType);
  const now = ctx.clock.now();
  return recordedTransaction(ctx, async (tx) => {
    const members = await listMembers(tx, ctx.org.id, now);
    const access = await readAccess(
      tx,
      ctx.org.id,
      members.map((m) => m.userId),
    );
    const catalog = await loadAccessCatalog(tx, ctx.org.id);
    const rows = members.map((m) => {
      const names = accessNames(catalog, access.get(m.userId) ?? { permissionSetIds: [], customPermissionIds: [], entityIds: [] });
      return [
        m.email,
        m.name,
        m.userType,
        m.proxyFromOrgId !== null ? 'true' : 'false',
        m.expiresAt === null ? '' : new Date(m.expiresAt).toISOString(),
        names.permissionSets.join(';'),
        names.customPermissions.join(';'),
        names.entities.join(';'),
      ];
    });
    const csv = writeCsvRows([[...USER_LIST_COLUMNS], ...rows]);
    const event = prepareUserManagementEvent(ctx, {
      type: 'user_list.exported',
      orgId: ctx.org.id,
      entity: { id: ctx.org.id, name: ctx.org.name },
      metadata: { format: 'csv', rowCount: rows.length },
    });
    return { result: { csv, rowCount: rows.length }, events: [event] };
  });
}
