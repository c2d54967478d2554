import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { apiRequest, queryString } from '../../../lib/api-client.js';
import { auditLogsPath } from './audit-log-api-types.js';

/** A person who appears as an actor in the organization's log. */
export interface ActorMatch {
  email: string;
  name: string | null;
}

/** Actors whose email (or name) contains `text` (`GET …/audit-logs/actors?q=`). */
export function actorSearchOptions(orgId: string, text: string) {
  const q = text.trim();
  return queryOptions({
    queryKey: ['audit-logs', orgId, 'actors', q],
    queryFn: async ({ signal }) =>
      (await apiRequest<{ data: ActorMatch[] }>(`${auditLogsPath(orgId)}/actors${queryString({ q })}`, { signal })).data,
    staleTime: 30_000,
  });
}

/** The suggestions the User field shows while a person types. */
export function useActorSearch(orgId: string, text: string) {
  return useQuery({ ...actorSearchOptions(orgId, text), enabled: text.trim().length > 0, placeholderData: keepPreviousData });
}
