import { apiRequest, queryString } from '../../../lib/api-client.js';
import { auditLogsPath, type AuditLogParams } from './audit-log-api-types.js';

/** Which rows an export holds: everything retained, or the current range and filters. */
export type ExportScope = 'all' | 'filtered';

/**
 * What an export file is: the CSV a person reads, or the verifiable bundle (PRODUCT.md §8: a zip with the CSV,
 * the canonical records, the signed checkpoint and the proofs that tie them together) an auditor checks offline.
 */
export type ExportFormat = 'csv' | 'bundle';

/**
 * The URL of an export (`GET …/audit-logs/export?scope=…`, with `format=bundle` for the bundle; CSV is the
 * server's default, so its URL stays as it was); the session cookie authorizes it.
 */
export function exportUrl(orgId: string, scope: ExportScope, params: AuditLogParams, format: ExportFormat = 'csv'): string {
  const formatParam = format === 'bundle' ? { format } : {};
  return `${auditLogsPath(orgId)}/export${queryString(scope === 'all' ? { scope, ...formatParam } : { scope, ...params, ...formatParam })}`;
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
 * Starts the download. The server streams the CSV or zip as an attachment, so a link click hands it to the
 * browser's download manager instead of buffering a large export in the page.
 */
export function downloadExport(orgId: string, scope: ExportScope, params: AuditLogParams, format: ExportFormat = 'csv'): void {
  const link = document.createElement('a');
  link.href = exportUrl(orgId, scope, params, format);
  link.download = '';
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}
