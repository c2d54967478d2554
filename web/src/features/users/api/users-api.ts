import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest, queryString } from '../../../lib/api-client.js';
import type { UserType, WelcomeLink } from '../../../lib/api-types.js';

/** The base path of an organization's User Management API. */
export function orgPath(orgId: string): string {
  return `/api/v1/orgs/${encodeURIComponent(orgId)}`;
}

/** What a member was granted, by id. */
export interface UserAccess {
  permissionSetIds: string[];
  customPermissionIds: string[];
  entityIds: string[];
}

/** A member of the organization as `GET …/users` lists them, with what they were granted. */
export interface Member extends UserAccess {
  id: string;
  email: string;
  name: string;
  userType: UserType;
  viaProxy: boolean;
  /** ISO-8601; only proxy access expires. */
  expiresAt: string | null;
}

/** The query key every User Management read starts with, so one invalidation refreshes the area. */
export const usersAreaKey = (orgId: string) => ['user-management', orgId] as const;

/** The organization's members; `q` searches email and name. */
export function useMembers(orgId: string, q: string) {
  return useQuery({
    queryKey: [...usersAreaKey(orgId), 'users', q.trim()],
    queryFn: async ({ signal }) =>
      (await apiRequest<{ data: Member[] }>(`${orgPath(orgId)}/users${queryString({ q: q.trim() })}`, { signal })).data,
    placeholderData: keepPreviousData,
  });
}

/**
 * A User Management change: calls the API, then refreshes the area (and the audit log, where the change now
 * has its event). Every action of the Users page goes through this, so none forgets to refresh.
 */
export function useUserManagementMutation<TInput, TResult>(orgId: string, call: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: usersAreaKey(orgId) }),
        queryClient.invalidateQueries({ queryKey: ['audit-logs', orgId] }),
      ]);
    },
  });
}

/** A user as `POST …/users` answers: pending when the email already had an account, with the welcome link either way. */
export interface AddedMember extends Member {
  status: 'active' | 'pending';
  welcomeLink: WelcomeLink;
}

/** `POST …/users`: adds a user; the answer's welcome link (shown once) is what the person opens to get in. */
export function useAddUser(orgId: string) {
  return useUserManagementMutation(orgId, (input: { email: string; name: string; userType: UserType }) =>
    apiRequest<AddedMember>(`${orgPath(orgId)}/users`, { method: 'POST', json: input }),
  );
}

/** `DELETE …/users/{userId}`. */
export function useRemoveUser(orgId: string) {
  return useUserManagementMutation(orgId, (userId: string) =>
    apiRequest<void>(`${orgPath(orgId)}/users/${encodeURIComponent(userId)}`, { method: 'DELETE' }),
  );
}

/** `PUT …/users/{userId}/type`. */
export function useChangeUserType(orgId: string) {
  return useUserManagementMutation(orgId, (input: { userId: string; userType: UserType }) =>
    apiRequest<Member>(`${orgPath(orgId)}/users/${encodeURIComponent(input.userId)}/type`, {
      method: 'PUT',
      json: { userType: input.userType },
    }),
  );
}

/** `PUT …/users/{userId}/access`: replaces the member's permission sets, custom permissions and entities. */
export function useUpdateAccess(orgId: string) {
  return useUserManagementMutation(orgId, (input: { userId: string } & UserAccess) =>
    apiRequest<UserAccess>(`${orgPath(orgId)}/users/${encodeURIComponent(input.userId)}/access`, {
      method: 'PUT',
      json: { permissionSetIds: input.permissionSetIds, customPermissionIds: input.customPermissionIds, entityIds: input.entityIds },
    }),
  );
}
