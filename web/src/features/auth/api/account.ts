import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.js';
import type { UserType } from '../../../lib/api-types.js';
import { meQueryOptions } from './session.js';

/** `POST /api/v1/activation`: a new user sets their own password through their welcome link and is signed in. */
export function useActivateAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { token: string; password: string }) =>
      apiRequest<{ user: { id: string; email: string; name: string } }>('/api/v1/activation', { method: 'POST', json: input }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryOptions.queryKey }),
  });
}

/** `POST /api/v1/me/invitations/accept`: accepts a pending membership with its link's token. */
export function useAcceptInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (token: string) =>
      apiRequest<{ orgId: string; orgName: string; userType: UserType }>('/api/v1/me/invitations/accept', {
        method: 'POST',
        json: { token },
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryOptions.queryKey }),
  });
}

/** `POST /api/v1/me/invitations/{orgId}/decline`. */
export function useDeclineInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (orgId: string) =>
      apiRequest<void>(`/api/v1/me/invitations/${encodeURIComponent(orgId)}/decline`, { method: 'POST', json: {} }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryOptions.queryKey }),
  });
}

/** The token of a welcome link the person pasted (a full address, a path or the bare token). */
export function tokenOfWelcomeLink(text: string): string {
  const trimmed = text.trim();
  const match = /\/(?:welcome|join)\/([^/?#\s]+)/.exec(trimmed);
  return match?.[1] ? decodeURIComponent(match[1]) : trimmed;
}
