import { ApiError, apiRequest } from '../../../lib/api-client.js';
import type { AuditEvent } from '../../../lib/api-types.js';
import { auditLogsPath } from '../api/audit-log-api-types.js';
import { verifyEventProof, type InclusionProofAnswer, type LogKeysAnswer, type ProofVerdict } from './verify-event-proof.js';

/** A verdict, or "not yet": the event is newer than the latest signed checkpoint (normally for under a second). */
export type ProofState = ProofVerdict | { kind: 'pending' };

// The proof API's answers while no signed checkpoint covers the event yet (PRODUCT.md §8).
const NOT_YET_CHECKPOINTED = new Set(['CHECKPOINT_NOT_FOUND', 'INVALID_TREE_SIZE']);

/**
 * Fetches the event's inclusion proof in the latest checkpoint and the published verifier keys, and checks them
 * here (`verifyEventProof`). This module and the integrity library load only when a details panel asks for
 * them, so the Audit Logs page's first load does not carry them. Rejects with an ApiError when the server
 * cannot be asked.
 */
export async function checkEventProof(orgId: string, record: AuditEvent, signal?: AbortSignal): Promise<ProofState> {
  let proof: InclusionProofAnswer;
  try {
    proof = await apiRequest<InclusionProofAnswer>(`${auditLogsPath(orgId)}/${encodeURIComponent(record.logId)}/proof`, { signal });
  } catch (error) {
    if (error instanceof ApiError && NOT_YET_CHECKPOINTED.has(error.code)) return { kind: 'pending' };
    throw error;
  }
  const keys = await apiRequest<LogKeysAnswer>('/api/v1/log-keys', { signal });
  return verifyEventProof(record, proof, keys);
}
