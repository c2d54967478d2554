import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api-client.js';

/**
 * The streams API (PRODUCT.md §9) as the Streams page uses it. The shapes are the server's own types, imported
 * as types only, so the page and the service cannot drift apart.
 */
export type { StreamFilter, StreamState, StreamView as StreamDestination } from '../../../../../src/features/streams/stream-destination.js';
import type { StreamFilter, StreamView } from '../../../../../src/features/streams/stream-destination.js';

/** The three kinds of destination. */
export type StreamKind = StreamView['kind'];

/** A new destination as `POST …/streams` takes it. */
export interface NewStreamInput {
  kind: StreamKind;
  url: string;
  secret?: string;
  token?: string;
  filter?: StreamFilter;
  enabled?: boolean;
  /** PEM certificates the destination must chain to, instead of the system CAs. */
  caBundle?: string;
}

/** A change as `PATCH …/streams/{id}` takes it (pause and resume are `enabled`). */
export interface StreamChangeInput {
  url?: string;
  filter?: StreamFilter;
  enabled?: boolean;
  secret?: string;
  token?: string;
  rotateSecret?: true;
  /** New PEM certificates to trust; null trusts the system CAs again. */
  caBundle?: string | null;
}

/** A destination as a create or a secret rotation answers it: with the webhook secret, this once. */
export type StreamWithSecret = StreamView & { secret?: string };

/** `POST …/streams/{id}/test`. */
export interface TestDeliveryResult {
  delivered: boolean;
  error: string | null;
  durationMs: number;
}

const streamsPath = (orgId: string) => `/api/v1/orgs/${encodeURIComponent(orgId)}/streams`;
const streamsKey = (orgId: string) => ['streams', orgId] as const;

/** How often the list is read again while the page is open, so state and lag stay current. */
const REFRESH_MS = 5000;

/** The organization's destinations with their delivery state. */
export function useStreams(orgId: string) {
  return useQuery({
    queryKey: streamsKey(orgId),
    queryFn: async ({ signal }) => (await apiRequest<{ data: StreamView[] }>(streamsPath(orgId), { signal })).data,
    refetchInterval: REFRESH_MS,
  });
}

/** A change to the destinations: calls the API, then reads the list (and the audit log, which records it) again. */
function useStreamsMutation<TInput, TResult>(orgId: string, call: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: streamsKey(orgId) }),
        queryClient.invalidateQueries({ queryKey: ['audit-logs', orgId] }),
      ]);
    },
  });
}

/** `POST …/streams`. */
export function useCreateStream(orgId: string) {
  return useStreamsMutation(orgId, (input: NewStreamInput) =>
    apiRequest<StreamWithSecret>(streamsPath(orgId), { method: 'POST', json: input }),
  );
}

/** `PATCH …/streams/{id}`. */
export function useChangeStream(orgId: string) {
  return useStreamsMutation(orgId, (input: { id: string; change: StreamChangeInput }) =>
    apiRequest<StreamWithSecret>(`${streamsPath(orgId)}/${encodeURIComponent(input.id)}`, { method: 'PATCH', json: input.change }),
  );
}

/** `DELETE …/streams/{id}`. */
export function useDeleteStream(orgId: string) {
  return useStreamsMutation(orgId, (id: string) =>
    apiRequest<void>(`${streamsPath(orgId)}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  );
}

/** `POST …/streams/{id}/test`: sends a test event now and says whether the receiver accepted it. */
export function useSendTestEvent(orgId: string) {
  return useMutation({
    mutationFn: (id: string) =>
      apiRequest<TestDeliveryResult>(`${streamsPath(orgId)}/${encodeURIComponent(id)}/test`, { method: 'POST', json: {} }),
  });
}

/** `GET /api/v1/catalog`, the part the filter offers: event types and action types. */
export interface StreamFilterChoices {
  actionTypes: string[];
  eventTypes: Array<{ type: string; activity: string; securityAction: boolean }>;
}

/** The catalog, for the filter's choices; it changes only with a deployment. */
export function useFilterChoices() {
  return useQuery({
    queryKey: ['catalog'],
    queryFn: ({ signal }) => apiRequest<StreamFilterChoices>('/api/v1/catalog', { signal }),
    staleTime: Infinity,
  });
}
