import { queryOptions, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { ApiError, apiRequest } from '../../../lib/api-client.js';
import type { Me } from '../../../lib/api-types.js';

/** `GET /api/v1/me`; resolves to null when nobody is signed in (401), so the app can show the login page. */
export const meQueryOptions = queryOptions({
  queryKey: ['me'],
  queryFn: async (): Promise<Me | null> => {
    try {
      return await apiRequest<Me>('/api/v1/me');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  staleTime: 60_000,
  retry: false,
});

/** The signed-in user and their organizations. */
export function useMe() {
  return useQuery(meQueryOptions);
}

/**
 * Drops every cached answer but `me`, so nothing of the previous user lingers. `me` itself is overwritten,
 * not removed: the mounted app observes that query, and a removed query would leave it watching a stale one.
 */
function forgetOtherQueries(queryClient: QueryClient): void {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
}

/** `POST /api/v1/session`: signs in and primes the `me` query with the answer. */
export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (credentials: { email: string; password: string }) =>
      apiRequest<Me>('/api/v1/session', { method: 'POST', json: credentials }),
    onSuccess: (me) => {
      forgetOtherQueries(queryClient);
      queryClient.setQueryData(meQueryOptions.queryKey, me);
    },
  });
}

/** `DELETE /api/v1/session`: signs out and forgets every cached answer of the previous user. */
export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiRequest<void>('/api/v1/session', { method: 'DELETE' }),
    onSettled: () => {
      forgetOtherQueries(queryClient);
      queryClient.setQueryData(meQueryOptions.queryKey, null);
    },
  });
}
