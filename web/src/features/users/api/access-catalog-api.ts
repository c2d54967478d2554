import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.js';
import { orgPath, useUserManagementMutation, usersAreaKey } from './users-api.js';

/** A named bundle of permissions. */
export interface PermissionSet {
  id: string;
  name: string;
  permissions: string[];
  usedBy: { userId: string; email: string }[];
}

/** A permission the organization defined itself. */
export interface CustomPermission {
  id: string;
  name: string;
  description: string;
}

/** A zone, store or concept access can be granted to. */
export interface OrgEntity {
  id: string;
  name: string;
  kind: string;
}

function useList<T>(orgId: string, resource: string) {
  return useQuery({
    queryKey: [...usersAreaKey(orgId), resource],
    queryFn: async ({ signal }) => (await apiRequest<{ data: T[] }>(`${orgPath(orgId)}/${resource}`, { signal })).data,
  });
}

/** `GET …/permission-sets`. */
export const usePermissionSets = (orgId: string) => useList<PermissionSet>(orgId, 'permission-sets');
/** `GET …/permissions`: the built-in permissions a set can hold besides the organization's custom ones. */
export const useBuiltInPermissions = (orgId: string) => useList<string>(orgId, 'permissions');
/** `GET …/custom-permissions`. */
export const useCustomPermissions = (orgId: string) => useList<CustomPermission>(orgId, 'custom-permissions');
/** `GET …/entities`. */
export const useEntities = (orgId: string) => useList<OrgEntity>(orgId, 'entities');

/** `POST …/permission-sets`. */
export function useCreatePermissionSet(orgId: string) {
  return useUserManagementMutation(orgId, (input: { name: string; permissions: string[] }) =>
    apiRequest<PermissionSet>(`${orgPath(orgId)}/permission-sets`, { method: 'POST', json: input }),
  );
}

/** `PUT …/permission-sets/{id}`. */
export function useUpdatePermissionSet(orgId: string) {
  return useUserManagementMutation(orgId, (input: { id: string; name: string; permissions: string[] }) =>
    apiRequest<PermissionSet>(`${orgPath(orgId)}/permission-sets/${encodeURIComponent(input.id)}`, {
      method: 'PUT',
      json: { name: input.name, permissions: input.permissions },
    }),
  );
}

/** `DELETE …/permission-sets/{id}`. */
export function useDeletePermissionSet(orgId: string) {
  return useUserManagementMutation(orgId, (id: string) =>
    apiRequest<void>(`${orgPath(orgId)}/permission-sets/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  );
}

/** `POST …/custom-permissions`. */
export function useCreateCustomPermission(orgId: string) {
  return useUserManagementMutation(orgId, (input: { name: string; description: string }) =>
    apiRequest<CustomPermission>(`${orgPath(orgId)}/custom-permissions`, { method: 'POST', json: input }),
  );
}
