import { equalBytes } from './bytes.js';
import { ProofLengthError, RootMismatchError } from './integrity-errors.js';
import { assertHash, type MerkleHasher } from './merkle-hasher.js';
import { rangeHashes, type SubtreeHashes } from './subtree-hashes.js';
import { inclusionProofRanges } from './tree-shape.js';

/**
 * The RFC 9162 §2.1.3 inclusion proof of leaf `index` in the tree of the first `size` leaves: the hashes a
 * verifier combines with the leaf hash to reach the tree's root, the leaf's sibling first.
 *
 * @example
 * const hashes = await inclusionProof(5, 8, tree, hasher);
 * await verifyInclusion(hasher, { index: 5, size: 8, leafHash, proof: hashes, root });
 */
export function inclusionProof(index: number, size: number, source: SubtreeHashes, hasher: MerkleHasher): Promise<Uint8Array[]> {
  return rangeHashes(inclusionProofRanges(index, size), source, hasher);
}

/** What an inclusion proof claims: this leaf hash is leaf `index` of the tree of `size` leaves with this root. */
export interface InclusionClaim {
  readonly index: number;
  readonly size: number;
  readonly leafHash: Uint8Array;
  readonly proof: readonly Uint8Array[];
}

/**
 * The root that an inclusion proof leads to (RFC 9162 §2.1.3.2). Throws a `TreeSizeError` when the index is
 * not in the tree and a `ProofLengthError` when the proof does not have exactly the tree shape's length — a
 * longer or shorter proof could otherwise prove a leaf at another position.
 */
export async function rootFromInclusionProof(hasher: MerkleHasher, claim: InclusionClaim): Promise<Uint8Array> {
  const ranges = inclusionProofRanges(claim.index, claim.size);
  if (claim.proof.length !== ranges.length) throw new ProofLengthError(ranges.length, claim.proof.length);
  assertHash('the leaf hash', claim.leafHash);
  let root = claim.leafHash;
  for (const [i, range] of ranges.entries()) {
    const sibling = claim.proof[i]!;
    assertHash(`proof hash ${i}`, sibling);
    root = range.begin > claim.index ? await hasher.hashChildren(root, sibling) : await hasher.hashChildren(sibling, root);
  }
  return root;
}

/** Checks an inclusion proof against a root; throws a `RootMismatchError` carrying both roots when it fails. */
export async function verifyInclusion(hasher: MerkleHasher, claim: InclusionClaim & { readonly root: Uint8Array }): Promise<void> {
  const computed = await rootFromInclusionProof(hasher, claim);
  if (!equalBytes(computed, claim.root)) throw new RootMismatchError(claim.root, computed);
}
