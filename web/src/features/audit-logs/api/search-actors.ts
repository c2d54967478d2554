import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest, queryString } from '../../../lib/api-client.js';
import { auditLogsPath } from './audit-log-api-types.js';

/** A person who appears as an actor in the organization's log. */
export interface ActorMatch {
  email: string;
  name: string | null;
}

/** Actors whose email (or name) matches what the person typed (`GET …/audit-logs/actors?q=`). */
export function useActorSearch(orgId: string, text: string) {
  const q = text.trim();
  return useQuery({
    queryKey: ['audit-logs', orgId, 'actors', q],
    queryFn: async ({ signal }) => (await apiRequest<{ data: ActorMatch[] }>(`${auditLogsPath(orgId)}/actors${queryString({ q })}`, { signal })).data,
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}
