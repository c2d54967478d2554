import { equalBytes } from './bytes.js';
import { ProofLengthError, RootMismatchError } from './integrity-errors.js';
import { assertHash, type MerkleHasher } from './merkle-hasher.js';
import { rangeHashes, type SubtreeHashes } from './subtree-hashes.js';
import { consistencyProofRanges } from './tree-shape.js';

/**
 * The RFC 9162 §2.1.4 consistency proof from the tree of the first `oldSize` leaves to the tree of the first
 * `newSize`: the hashes that show the newer tree holds the older one unchanged as its prefix, so the log only
 * grew.
 *
 * @example
 * const hashes = await consistencyProof(3, 7, tree, hasher);
 * await verifyConsistency(hasher, { oldSize: 3, newSize: 7, oldRoot, newRoot, proof: hashes });
 */
export function consistencyProof(oldSize: number, newSize: number, source: SubtreeHashes, hasher: MerkleHasher): Promise<Uint8Array[]> {
  return rangeHashes(consistencyProofRanges(oldSize, newSize), source, hasher);
}

/** What a consistency proof claims: the tree of `oldSize` leaves with `oldRoot` is the prefix of the tree of `newSize` leaves with `newRoot`. */
export interface ConsistencyClaim {
  readonly oldSize: number;
  readonly newSize: number;
  readonly oldRoot: Uint8Array;
  readonly newRoot: Uint8Array;
  readonly proof: readonly Uint8Array[];
}

/**
 * Checks a consistency proof (RFC 9162 §2.1.4.2): from the proof, rebuilds both the old root (from the hashes
 * left of the old tree's edge) and the new root (from all of them), and compares each with the claim. Throws
 * a `TreeSizeError` for sizes out of order, a `ProofLengthError` for a proof of the wrong length and a
 * `RootMismatchError` naming the root that differs.
 */
export async function verifyConsistency(hasher: MerkleHasher, claim: ConsistencyClaim): Promise<void> {
  const ranges = consistencyProofRanges(claim.oldSize, claim.newSize);
  if (claim.proof.length !== ranges.length) throw new ProofLengthError(ranges.length, claim.proof.length);
  assertHash('the old root', claim.oldRoot);
  assertHash('the new root', claim.newRoot);
  claim.proof.forEach((hash, i) => assertHash(`proof hash ${i}`, hash));
  if (claim.oldSize === 0) return;
  if (claim.oldSize === claim.newSize) {
    if (!equalBytes(claim.oldRoot, claim.newRoot)) throw new RootMismatchError(claim.oldRoot, claim.newRoot);
    return;
  }
  // The proof starts with the subtree that ends at the old tree's edge, unless the old tree is itself the
  // leftmost complete subtree of the new one (its size a power of two), whose hash the verifier already has.
  const startsAtOldEdge = ranges[0]!.end === claim.oldSize;
  let oldRoot = startsAtOldEdge ? claim.proof[0]! : claim.oldRoot;
  let newRoot = oldRoot;
  for (let i = startsAtOldEdge ? 1 : 0; i < ranges.length; i++) {
    const sibling = claim.proof[i]!;
    if (ranges[i]!.begin >= claim.oldSize) {
      newRoot = await hasher.hashChildren(newRoot, sibling);
    } else {
      oldRoot = await hasher.hashChildren(sibling, oldRoot);
      newRoot = await hasher.hashChildren(sibling, newRoot);
    }
  }
  if (!equalBytes(oldRoot, claim.oldRoot)) throw new RootMismatchError(claim.oldRoot, oldRoot);
  if (!equalBytes(newRoot, claim.newRoot)) throw new RootMismatchError(claim.newRoot, newRoot);
}
