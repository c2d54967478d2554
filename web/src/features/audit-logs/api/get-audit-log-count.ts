import { useQuery } from '@tanstack/react-query';
import { apiRequest, queryString } from '../../../lib/api-client.js';
import { auditLogsPath, type AuditLogPage, type AuditLogParams } from './audit-log-api-types.js';

/** How many events match `params` in the range: the count a filter chip shows (one row fetched, `total` read). */
export function useAuditLogCount(orgId: string, params: AuditLogParams) {
  return useQuery({
    queryKey: ['audit-logs', orgId, 'count', params],
    queryFn: async ({ signal }) =>
      (await apiRequest<AuditLogPage>(`${auditLogsPath(orgId)}${queryString({ ...params, limit: 1 })}`, { signal })).total,
    retry: false,
  });
}
