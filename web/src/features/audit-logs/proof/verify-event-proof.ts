import { fromHex, toHex, utf8 } from '../../../../../src/integrity/bytes.js';
import { canonicalJson, type CanonicalJsonValue } from '../../../../../src/integrity/canonical-json.js';
import { formatKeyId, parseVerifierKey, type NoteVerifier } from '../../../../../src/integrity/note-keys.js';
import { IntegrityError } from '../../../../../src/integrity/integrity-errors.js';
import { MerkleHasher } from '../../../../../src/integrity/merkle-hasher.js';
import { verifyInclusion } from '../../../../../src/integrity/inclusion-proof.js';
import { openCheckpoint } from '../../../../../src/integrity/signed-checkpoint.js';
import type { AuditEvent } from '../../../lib/api-types.js';

/**
 * The page's own check that an event is in the organization's signed log (PRODUCT.md §8), with the integrity
 * library the server and the CLI use, on the browser's WebCrypto. It trusts nothing the proof says about
 * itself: the leaf hash is recomputed from the record shown, the inclusion path must lead to the root of the
 * checkpoint, and the checkpoint must carry a valid signature by a published key naming this organization's log.
 *
 * @example
 * const outcome = await verifyEventProof(record, await getProof(), await getKeys());
 * if (outcome.kind === 'proven') show(`Included in checkpoint #${outcome.treeSize}, signed by ${outcome.keyName}`);
 */

/** `GET /api/v1/log-keys`. */
export interface LogKeysAnswer {
  keys: { vkey: string; validFrom: string; validUntil: string | null }[];
}

/** `GET …/audit-logs/{logId}/proof`. */
export interface InclusionProofAnswer {
  seq: number;
  leafHash: string;
  treeSize: number;
  hashes: string[];
  checkpoint: string;
}

/** What the check found: proven in a signed checkpoint, or the first thing that does not hold, in words. */
export type ProofVerdict = { kind: 'proven'; treeSize: number; keyName: string; keyId: string } | { kind: 'failed'; reason: string };

const hasher = new MerkleHasher();

/** The bytes of a lowercase-hex hash from the API; a malformed one fails the check with `what` named. */
function hashBytes(hex: string, what: string): Uint8Array {
  const bytes = fromHex(hex);
  if (bytes === undefined) throw new IntegrityError(`${what} is not hex`);
  return bytes;
}

/** The record without its leaf hash, serialized the way the leaf hash covers it (RFC 8785), hashed as an RFC 9162 leaf. */
export async function recordLeafHash(record: AuditEvent): Promise<string> {
  const { leafHash: _leafHash, ...hashed } = record;
  return toHex(await hasher.hashLeaf(utf8(canonicalJson(hashed as unknown as CanonicalJsonValue))));
}

/** Checks `proof` for `record` against the published `keys`; never throws for a proof that does not hold. */
export async function verifyEventProof(record: AuditEvent, proof: InclusionProofAnswer, keys: LogKeysAnswer): Promise<ProofVerdict> {
  try {
    const leafHash = await recordLeafHash(record);
    if (leafHash !== record.leafHash) return failed('the record shown does not hash to its leafHash: its contents were changed');
    if (proof.leafHash !== leafHash) return failed(`the proof is for leaf hash ${proof.leafHash}, not this record's ${leafHash}`);
    if (proof.seq !== record.seq) return failed(`the proof is for seq ${proof.seq}, not this record's ${record.seq}`);
    const verifiers: NoteVerifier[] = [];
    for (const key of keys.keys) verifiers.push(await parseVerifierKey(key.vkey));
    if (verifiers.length === 0) return failed('the log publishes no verifier key');
    const { checkpoint, verifiedBy } = await openCheckpoint(proof.checkpoint, verifiers);
    const signer = verifiedBy[0]!;
    const origin = `${signer.name}/${record.orgId}`;
    if (checkpoint.origin !== origin) return failed(`the checkpoint is of log ${checkpoint.origin}, not ${origin}`);
    if (checkpoint.size !== proof.treeSize)
      return failed(`the proof is for a tree of ${proof.treeSize} events, its checkpoint of ${checkpoint.size}`);
    await verifyInclusion(hasher, {
      index: record.seq,
      size: checkpoint.size,
      leafHash: hashBytes(leafHash, 'the leaf hash'),
      proof: proof.hashes.map((hash, i) => hashBytes(hash, `proof hash ${i}`)),
      root: checkpoint.rootHash,
    });
    return { kind: 'proven', treeSize: checkpoint.size, keyName: signer.name, keyId: formatKeyId(signer.keyId) };
  } catch (error) {
    if (error instanceof IntegrityError) return failed(error.message);
    throw error;
  }
}

function failed(reason: string): ProofVerdict {
  return { kind: 'failed', reason };
}
