import { CompactRange } from './compact-range.js';
import type { MerkleHasher } from './merkle-hasher.js';
import type { SubtreeHashes } from './subtree-hashes.js';
import type { NodeAddress } from './tree-shape.js';

/**
 * A Merkle tree kept whole in memory: every complete subtree's hash, level by level. It answers proofs for
 * any size up to its own, which suits a verifier rebuilding a bundle's tree and tests; the server keeps its
 * trees in the store instead.
 *
 * @example
 * const tree = await MemoryMerkleTree.fromLeafHashes(leafHashes, hasher);
 * const proof = await inclusionProof(3, tree.size, tree, hasher);
 */
export class MemoryMerkleTree implements SubtreeHashes {
  readonly #levels: Uint8Array[][] = [[]];
  readonly #edge: CompactRange;

  private constructor(hasher: MerkleHasher) {
    this.#edge = new CompactRange(hasher);
  }

  /** The tree over these leaf hashes, in order. */
  static async fromLeafHashes(leafHashes: Iterable<Uint8Array>, hasher: MerkleHasher): Promise<MemoryMerkleTree> {
    const tree = new MemoryMerkleTree(hasher);
    for (const leafHash of leafHashes) await tree.append(leafHash);
    return tree;
  }

  /** How many leaves the tree holds. */
  get size(): number {
    return this.#edge.size;
  }

  /** Appends a leaf hash and keeps every subtree it completes. */
  append(leafHash: Uint8Array): Promise<void> {
    return this.#edge.append(leafHash, (node) => {
      (this.#levels[node.level] ??= []).push(node.hash);
    });
  }

  /** MTH of the whole tree. */
  root(): Promise<Uint8Array> {
    return this.#edge.root();
  }

  nodeHashes(nodes: readonly NodeAddress[]): Promise<Uint8Array[]> {
    return Promise.resolve(
      nodes.map(({ level, index }) => {
        const hash = this.#levels[level]?.[index];
        if (hash === undefined)
          throw new RangeError(`node ${index} of level ${level} is not a complete subtree of this tree of ${this.size} leaves`);
        return hash;
      }),
    );
  }
}
