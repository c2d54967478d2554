import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.js';
import type { AuditEvent } from '../../../lib/api-types.js';
import { auditLogsPath } from './audit-log-api-types.js';

/**
 * One event by Log ID (`GET …/audit-logs/{logId}`): the details panel opened from a shared link has no row
 * to start from; opened from the table it starts with the row and confirms it with the server.
 */
export function useAuditLog(orgId: string, logId: string | null, fromTable: AuditEvent | undefined) {
  return useQuery({
    queryKey: ['audit-logs', orgId, 'event', logId],
    queryFn: ({ signal }) => apiRequest<AuditEvent>(`${auditLogsPath(orgId)}/${encodeURIComponent(logId ?? '')}`, { signal }),
    enabled: logId !== null,
    initialData: fromTable,
    // Events are immutable: once read, an event never needs reading again.
    staleTime: Infinity,
    retry: false,
  });
}
