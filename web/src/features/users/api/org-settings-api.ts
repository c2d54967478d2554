import { useQuery } from '@tanstack/react-query';
import { apiRequest, queryString } from '../../../lib/api-client.js';
import type { UserType } from '../../../lib/api-types.js';
import { orgPath, useUserManagementMutation, usersAreaKey } from './users-api.js';

/** The organization's invite link; its token and URL only in the answer that made it (the server keeps a hash). */
export interface InviteLink {
  id: string;
  token: string | null;
  url: string | null;
  /** ISO-8601. */
  createdAt: string;
}

/** One proxy grant: a user of another organization acting here. */
export interface ProxyGrant {
  userId: string;
  email: string;
  name: string;
  userType: UserType;
  proxyFromOrgId: string;
  /** ISO-8601, or null for access without an end. */
  expiresAt: string | null;
}

/** The answer of an applied bulk upload (a rejected file is a 400 whose errors name each line). */
export interface BulkResult {
  applied: boolean;
  rows: number;
  errors: { line: number; field: string; reason: string }[];
  /** An addition's users, each with their one-time welcome link (a path on this server). */
  added?: { email: string; status: 'active' | 'pending'; welcomeUrl: string; welcomeLinkExpiresAt: string }[];
}

// The server keeps only the hash of an invite link's token, so only the answer that made a link carries its URL;
// later reads of the same link (every refresh of the Users area) carry none. The page remembers the URLs it was
// given, by link id, for as long as it is open; after a reload, regenerating gives a new one.
const seenInviteUrls = new Map<string, string>();
function withSeenUrl(link: InviteLink): InviteLink {
  if (link.url) seenInviteUrls.set(link.id, link.url);
  return { ...link, url: link.url ?? seenInviteUrls.get(link.id) ?? null };
}

/** `GET …/invite-link`. */
export function useInviteLink(orgId: string) {
  return useQuery({
    queryKey: [...usersAreaKey(orgId), 'invite-link'],
    queryFn: async ({ signal }) => withSeenUrl(await apiRequest<InviteLink>(`${orgPath(orgId)}/invite-link`, { signal })),
  });
}

/** `POST …/invite-link/regenerate`: the old link stops working. */
export function useRegenerateInviteLink(orgId: string) {
  return useUserManagementMutation(orgId, async () =>
    withSeenUrl(await apiRequest<InviteLink>(`${orgPath(orgId)}/invite-link/regenerate`, { method: 'POST', json: {} })),
  );
}

/** `GET …/settings/multi-org-visibility`. */
export function useMultiOrgVisibility(orgId: string) {
  return useQuery({
    queryKey: [...usersAreaKey(orgId), 'multi-org-visibility'],
    queryFn: ({ signal }) => apiRequest<{ visibleOrgIds: string[] }>(`${orgPath(orgId)}/settings/multi-org-visibility`, { signal }),
  });
}

/** `PUT …/settings/multi-org-visibility`. */
export function useSetMultiOrgVisibility(orgId: string) {
  return useUserManagementMutation(orgId, (visibleOrgIds: string[]) =>
    apiRequest<{ visibleOrgIds: string[] }>(`${orgPath(orgId)}/settings/multi-org-visibility`, { method: 'PUT', json: { visibleOrgIds } }),
  );
}

/** `GET …/proxy-access`. */
export function useProxyGrants(orgId: string) {
  return useQuery({
    queryKey: [...usersAreaKey(orgId), 'proxy-access'],
    queryFn: async ({ signal }) => (await apiRequest<{ data: ProxyGrant[] }>(`${orgPath(orgId)}/proxy-access`, { signal })).data,
  });
}

/** `POST …/proxy-access`: lets a user of another organization act here, until `expiresAt` when given. */
export function useGrantProxyAccess(orgId: string) {
  return useUserManagementMutation(orgId, (input: { email: string; userType: UserType; expiresAt?: string }) =>
    apiRequest<ProxyGrant>(`${orgPath(orgId)}/proxy-access`, { method: 'POST', json: input }),
  );
}

/** `POST …/users/bulk?mode=…` with the CSV as the body. */
export function useBulkUpload(orgId: string) {
  return useUserManagementMutation(orgId, (input: { mode: 'add' | 'append' | 'overwrite'; csv: string }) =>
    apiRequest<BulkResult>(`${orgPath(orgId)}/users/bulk${queryString({ mode: input.mode })}`, {
      method: 'POST',
      body: input.csv,
      contentType: 'text/csv',
    }),
  );
}

/** The URL of `GET …/users/export` (CSV attachment; the export is recorded as a security action). */
export function userListExportUrl(orgId: string): string {
  return `${orgPath(orgId)}/users/export`;
}
