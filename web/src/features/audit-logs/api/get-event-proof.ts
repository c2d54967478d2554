import { useQuery } from '@tanstack/react-query';
import type { AuditEvent } from '../../../lib/api-types.js';
import type { ProofState } from '../proof/check-event-proof.js';

/** How often a panel asks again while its event waits for a checkpoint (one normally follows within a second). */
export const PENDING_RETRY_MS = 2_000;

/**
 * Whether the event shown is proven in the organization's signed log, checked in this browser. The check and
 * the integrity library are a chunk of their own, loaded on the first panel opened. A pending event is asked
 * for again every {@link PENDING_RETRY_MS}; a verdict, once reached, stands (events and signed checkpoints never change).
 */
export function useEventProof(orgId: string, record: AuditEvent | undefined) {
  return useQuery<ProofState>({
    queryKey: ['audit-logs', orgId, 'event', record?.logId ?? null, 'proof'],
    queryFn: async ({ signal }) => {
      if (!record) throw new Error('no event to prove');
      const { checkEventProof } = await import('../proof/check-event-proof.js');
      return checkEventProof(orgId, record, signal);
    },
    enabled: record !== undefined,
    staleTime: Infinity,
    refetchInterval: (query) => (query.state.data?.kind === 'pending' ? PENDING_RETRY_MS : false),
    retry: 2,
  });
}
