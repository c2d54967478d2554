import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { apiRequest, queryString } from '../../../lib/api-client.js';
import { auditLogsPath, type AuditLogPage, type AuditLogParams } from './audit-log-api-types.js';

/** Rows per page: enough to fill a tall screen, small enough to answer quickly. */
export const PAGE_SIZE = 50;

/**
 * The audit log as pages, newest first, following the keyset cursor the API hands back: the next page starts
 * strictly after the last row of the previous one, so scrolling never shows a row twice or skips one.
 */
export function auditLogsQueryOptions(orgId: string, params: AuditLogParams) {
  return infiniteQueryOptions({
    queryKey: ['audit-logs', orgId, 'list', params],
    queryFn: ({ pageParam, signal }) =>
      apiRequest<AuditLogPage>(`${auditLogsPath(orgId)}${queryString({ ...params, cursor: pageParam, limit: PAGE_SIZE })}`, { signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (lastPage) => lastPage.nextCursor,
    // Live events are merged in by the stream; refetching on focus would reshuffle what the person reads.
    refetchOnWindowFocus: false,
    staleTime: Infinity,
    retry: false,
  });
}

/** The pages of the current view. */
export function useAuditLogs(orgId: string, params: AuditLogParams) {
  return useInfiniteQuery(auditLogsQueryOptions(orgId, params));
}
