import { apiRequest, queryString } from '../../../lib/api-client.js';
import { auditLogsPath, type AuditLogParams } from './audit-log-api-types.js';

/** Which rows an export holds: everything retained, or the current range and filters. */
export type ExportScope = 'all' | 'filtered';

/** The URL of a CSV export (`GET …/audit-logs/export?scope=…`); the session cookie authorizes it. */
export function exportUrl(orgId: string, scope: ExportScope, params: AuditLogParams): string {
  return `${auditLogsPath(orgId)}/export${queryString(scope === 'all' ? { scope } : { scope, ...params })}`;
}

/**
 * Asks the server, before the download, whether it would answer it: the list with the export's range and
 * filters and one row, which the same session, organization scope and query rules decide. A download handed
 * to the browser fails silently in its download bar (an expired session, a server that is down), so the
 * page checks first and shows the reason beside the button instead. Rejects with an ApiError.
 */
export async function checkExport(orgId: string, scope: ExportScope, params: AuditLogParams): Promise<void> {
  await apiRequest(`${auditLogsPath(orgId)}${queryString(scope === 'all' ? { limit: 1 } : { ...params, limit: 1 })}`);
}

/**
 * Starts the download. The server streams the CSV as an attachment, so a link click hands it to the
 * browser's download manager instead of buffering a large export in the page.
 */
export function downloadExport(orgId: string, scope: ExportScope, params: AuditLogParams): void {
  const link = document.createElement('a');
  link.href = exportUrl(orgId, scope, params);
  link.download = '';
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}
