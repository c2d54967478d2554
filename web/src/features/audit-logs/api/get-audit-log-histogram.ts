import { useQuery } from '@tanstack/react-query';
import { apiRequest, queryString } from '../../../lib/api-client.js';
import { auditLogsPath, type AuditLogParams } from './audit-log-api-types.js';

/** One UTC hour with events, as `GET …/audit-logs/histogram` lists it. */
export interface HourCount {
  start: string;
  events: number;
  securityEvents: number;
}

/** `GET …/audit-logs/histogram`: the range and filters' events per hour (hours without events left out). */
export interface AuditLogHistogram {
  range: { from: string; to: string };
  hours: HourCount[];
}

/** The chart's counts for the current view; kept while a new view loads, so the chart does not blink. */
export function useAuditLogHistogram(orgId: string, params: AuditLogParams) {
  return useQuery({
    queryKey: ['audit-logs', orgId, 'histogram', params],
    queryFn: ({ signal }) => apiRequest<AuditLogHistogram>(`${auditLogsPath(orgId)}/histogram${queryString(params)}`, { signal }),
    placeholderData: (previous) => previous,
    retry: false,
  });
}
