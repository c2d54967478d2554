import { checkpointOrigin } from '../../integrity/checkpoint.js';
import { consistencyProof, verifyConsistency } from '../../integrity/consistency-proof.js';
import { IntegrityError } from '../../integrity/integrity-errors.js';
import { parseVerifierKey } from '../../integrity/note-keys.js';
import { openCheckpoint } from '../../integrity/signed-checkpoint.js';
import { nodeMerkleHasher } from '../../core/node-merkle-hasher.js';
import type { AttestStore } from '../../store/attest-store.js';
import { storedSubtrees } from '../../store/stored-subtrees.js';

/** What `attest verify --consistent-with` found. */
export interface ConsistencyVerification {
  readonly ok: boolean;
  readonly orgId: string;
  /** The saved checkpoint's tree size, once it verified. */
  readonly savedSize?: number;
  /** The latest signed checkpoint's tree size, that the saved one was proven a prefix of. */
  readonly latestSize?: number;
  /** What is wrong, when something is. */
  readonly problem?: string;
}

/**
 * Proves that an organization's log only grew since a checkpoint an auditor saved earlier: the saved note must
 * be signed by a key the log published, be of this organization's log, and be consistent (RFC 9162 §2.1.4)
 * with the latest signed checkpoint, by a proof read from the stored tree. A checkpoint signed by another key
 * (forged), a log now shorter than the saved one (rolled back), or a saved root the log's history does not
 * lead to (a fork: the history was rewritten and signed again) is a problem.
 *
 * @example
 * const result = await verifyConsistentWith(store, orgId, 'attest.local', await readFile('saved-checkpoint', 'utf8'));
 */
export async function verifyConsistentWith(
  store: AttestStore,
  orgId: string,
  logName: string,
  savedNote: string,
): Promise<ConsistencyVerification> {
  const trees = store.merkleTrees;
  const verifiers = await Promise.all((await trees.keys()).map((key) => parseVerifierKey(key.vkey)));
  const origin = checkpointOrigin(logName, orgId);
  let saved;
  try {
    ({ checkpoint: saved } = await openCheckpoint(savedNote, verifiers, origin));
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    return { ok: false, orgId, problem: `the saved checkpoint is not one this log signed: ${error.message}` };
  }
  const latestStored = await trees.latestCheckpoint(orgId);
  if (!latestStored) return { ok: false, orgId, savedSize: saved.size, problem: 'the log has no signed checkpoint: it was emptied' };
  let latest;
  try {
    ({ checkpoint: latest } = await openCheckpoint(latestStored.note, verifiers, origin));
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    return { ok: false, orgId, savedSize: saved.size, problem: `the log's latest checkpoint does not verify: ${error.message}` };
  }
  const sizes = { savedSize: saved.size, latestSize: latest.size };
  if (latest.size < saved.size)
    return {
      ok: false,
      orgId,
      ...sizes,
      problem: `the log's latest checkpoint has ${latest.size} events, fewer than the ${saved.size} saved: it was rolled back`,
    };
  try {
    const proof = await consistencyProof(saved.size, latest.size, storedSubtrees(store, orgId), nodeMerkleHasher);
    await verifyConsistency(nodeMerkleHasher, {
      oldSize: saved.size,
      newSize: latest.size,
      oldRoot: saved.rootHash,
      newRoot: latest.rootHash,
      proof,
    });
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    return {
      ok: false,
      orgId,
      ...sizes,
      problem: `the log of ${latest.size} events does not extend the saved checkpoint of ${saved.size}: its history was rewritten (${error.message})`,
    };
  }
  return { ok: true, orgId, ...sizes };
}
