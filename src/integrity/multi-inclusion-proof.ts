import { equalBytes } from './bytes.js';
import { IntegrityError, ProofLengthError, RootMismatchError, TreeSizeError } from './integrity-errors.js';
import { assertHash, type MerkleHasher } from './merkle-hasher.js';
import { rangeHashes, type SubtreeHashes } from './subtree-hashes.js';
import { assertTreeSize, splitPoint, type LeafRange } from './tree-shape.js';

/**
 * One proof that several leaves are in a tree: the hashes of the subtrees holding none of them, in the order
 * a walk of the tree meets them (left before right, outer before inner). A contiguous range of leaves needs
 * only the hashes along its two edges; leaves picked here and there (a filtered export) share the upper part
 * of their paths instead of each carrying a whole inclusion proof.
 *
 * @example
 * const hashes = await multiInclusionProof([2, 3, 9], 16, tree, hasher);
 * await verifyMultiInclusion(hasher, { size: 16, leaves: [[2, h2], [3, h3], [9, h9]], proof: hashes, root });
 */
export function multiInclusionProof(
  indices: readonly number[],
  size: number,
  source: SubtreeHashes,
  hasher: MerkleHasher,
): Promise<Uint8Array[]> {
  assertLeafIndices(indices, size);
  return rangeHashes(rangesWithoutLeaves(indices, size), source, hasher);
}

/** What a multi-leaf proof claims: these (index, leaf hash) pairs, in increasing index order, are leaves of the tree of `size` leaves. */
export interface MultiInclusionClaim {
  readonly size: number;
  readonly leaves: readonly (readonly [index: number, leafHash: Uint8Array])[];
  readonly proof: readonly Uint8Array[];
}

/** The root a multi-leaf proof leads to; throws like `rootFromInclusionProof`. */
export async function rootFromMultiInclusionProof(hasher: MerkleHasher, claim: MultiInclusionClaim): Promise<Uint8Array> {
  const indices = claim.leaves.map(([index]) => index);
  assertLeafIndices(indices, claim.size);
  claim.leaves.forEach(([index, hash]) => assertHash(`the leaf hash of leaf ${index}`, hash));
  claim.proof.forEach((hash, i) => assertHash(`proof hash ${i}`, hash));
  const expectedLength = rangesWithoutLeaves(indices, claim.size).length;
  if (claim.proof.length !== expectedLength) throw new ProofLengthError(expectedLength, claim.proof.length);
  let nextProofHash = 0;
  const subtreeRoot = async (begin: number, end: number, first: number, last: number): Promise<Uint8Array> => {
    if (first === last) return claim.proof[nextProofHash++]!;
    if (end - begin === 1) return claim.leaves[first]![1];
    const middle = begin + splitPoint(end - begin);
    const split = firstAtOrAfter(indices, middle, first, last);
    const left = await subtreeRoot(begin, middle, first, split);
    return hasher.hashChildren(left, await subtreeRoot(middle, end, split, last));
  };
  return subtreeRoot(0, claim.size, 0, indices.length);
}

/** Checks a multi-leaf proof against a root; throws a `RootMismatchError` carrying both roots when it fails. */
export async function verifyMultiInclusion(
  hasher: MerkleHasher,
  claim: MultiInclusionClaim & { readonly root: Uint8Array },
): Promise<void> {
  const computed = await rootFromMultiInclusionProof(hasher, claim);
  if (!equalBytes(computed, claim.root)) throw new RootMismatchError(claim.root, computed);
}

/** The largest subtrees (as MTH splits the tree) that hold none of the given leaves, in walk order. */
function rangesWithoutLeaves(indices: readonly number[], size: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  const walk = (begin: number, end: number, first: number, last: number): void => {
    if (first === last) ranges.push({ begin, end });
    else if (end - begin > 1) {
      const middle = begin + splitPoint(end - begin);
      const split = firstAtOrAfter(indices, middle, first, last);
      walk(begin, middle, first, split);
      walk(middle, end, split, last);
    }
  };
  walk(0, size, 0, indices.length);
  return ranges;
}

/** The position of the first of `indices[first..last)` that is `value` or more (they are in increasing order). */
function firstAtOrAfter(indices: readonly number[], value: number, first: number, last: number): number {
  let low = first;
  let high = last;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (indices[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function assertLeafIndices(indices: readonly number[], size: number): void {
  assertTreeSize('the tree size', size);
  if (indices.length === 0) throw new IntegrityError('a multi-leaf proof needs at least one leaf');
  indices.forEach((index, i) => {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size)
      throw new TreeSizeError(`leaf index ${index} is not in a tree of ${size} leaves`);
    if (i > 0 && index <= indices[i - 1]!) throw new TreeSizeError(`leaf indices must increase: ${index} follows ${indices[i - 1]}`);
  });
}
