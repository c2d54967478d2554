import type { MerkleHasher } from './merkle-hasher.js';
import { rangeNodes, type LeafRange, type NodeAddress } from './tree-shape.js';

/**
 * Where proofs are generated from: the hashes of a tree's complete subtrees. The server reads them from its
 * store; `MemoryMerkleTree` keeps them in arrays. A source only answers for nodes that are complete in the
 * tree the proof is for.
 *
 * @example
 * const source: SubtreeHashes = { nodeHashes: async (nodes) => nodes.map(({ level, index }) => levels[level][index]) };
 */
export interface SubtreeHashes {
  /** The hashes of the given complete subtrees, in the order asked. */
  nodeHashes(nodes: readonly NodeAddress[]): Promise<Uint8Array[]>;
}

/**
 * MTH of each range (RFC 9162 §2.1.1), from the stored complete subtrees that make it up: one read for all the
 * nodes of all the ranges, then the ragged right edge of a range folded from the right, as MTH splits it.
 */
export async function rangeHashes(ranges: readonly LeafRange[], source: SubtreeHashes, hasher: MerkleHasher): Promise<Uint8Array[]> {
  const nodesOfRanges = ranges.map(rangeNodes);
  const hashes = await source.nodeHashes(nodesOfRanges.flat());
  let next = 0;
  const result: Uint8Array[] = [];
  for (const nodes of nodesOfRanges) {
    const parts = hashes.slice(next, next + nodes.length);
    next += nodes.length;
    result.push(await foldFromRight(parts, hasher));
  }
  return result;
}

/**
 * The root over subtrees of decreasing sizes that lie side by side: each one becomes the left child of the
 * hash of everything to its right (how MTH splits a tree whose size is not a power of two).
 */
export async function foldFromRight(parts: readonly Uint8Array[], hasher: MerkleHasher): Promise<Uint8Array> {
  let root = parts[parts.length - 1];
  if (root === undefined) throw new RangeError('no subtrees to fold');
  for (let i = parts.length - 2; i >= 0; i--) root = await hasher.hashChildren(parts[i]!, root);
  return root;
}

/** MTH of the tree of the first `size` leaves (SHA-256() when empty), from the stored complete subtrees. */
export async function treeRoot(size: number, source: SubtreeHashes, hasher: MerkleHasher): Promise<Uint8Array> {
  if (size === 0) return hasher.emptyRoot();
  const [root] = await rangeHashes([{ begin: 0, end: size }], source, hasher);
  return root!;
}
