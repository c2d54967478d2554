import { FormatError } from './integrity-errors.js';
import { assertHash, type MerkleHasher } from './merkle-hasher.js';
import { foldFromRight } from './subtree-hashes.js';
import { assertTreeSize, type NodeAddress } from './tree-shape.js';

/** A complete subtree and its hash, as an append announces it. */
export interface TreeNode extends NodeAddress {
  readonly hash: Uint8Array;
}

/**
 * The right edge of a growing Merkle tree: the hashes of the complete subtrees its leaves fall into, largest
 * (leftmost) first, one per set bit of the size (transparency-dev/merkle calls it a compact range). It is all
 * that appending and the root need, so a tree of any size is extended in O(log n) memory, and every node an
 * append completes is handed to the caller to store.
 *
 * @example
 * const edge = new CompactRange(hasher);
 * for (const leaf of leafHashes) await edge.append(leaf, (node) => nodes.push(node));
 * const root = await edge.root();
 */
export class CompactRange {
  #size: number;
  readonly #hashes: Uint8Array[];

  /** The empty tree, or the edge of a tree of `size` leaves whose subtree hashes (largest first) are `hashes`. */
  constructor(
    private readonly hasher: MerkleHasher,
    size = 0,
    hashes: readonly Uint8Array[] = [],
  ) {
    assertTreeSize('the tree size', size);
    if (hashes.length !== edgeNodes(size).length)
      throw new FormatError(`a tree of ${size} leaves has ${edgeNodes(size).length} edge hashes, not ${hashes.length}`);
    hashes.forEach((hash, i) => assertHash(`edge hash ${i}`, hash));
    this.#size = size;
    this.#hashes = [...hashes];
  }

  /** How many leaves the tree holds. */
  get size(): number {
    return this.#size;
  }

  /** The edge's subtree hashes, largest first; with `size` they restore the range. */
  get hashes(): readonly Uint8Array[] {
    return [...this.#hashes];
  }

  /** Appends one leaf hash; `onNode` hears of the leaf and of every interior node the append completes, lowest first. */
  async append(leafHash: Uint8Array, onNode?: (node: TreeNode) => void): Promise<void> {
    assertHash('the leaf hash', leafHash);
    let node: TreeNode = { level: 0, index: this.#size, hash: leafHash };
    onNode?.(node);
    // Each trailing set bit of the old size is a complete subtree waiting for a right sibling of its height.
    let waiting = this.#size;
    while (waiting % 2 === 1) {
      const left = this.#hashes.pop()!;
      node = { level: node.level + 1, index: (node.index - 1) / 2, hash: await this.hasher.hashChildren(left, node.hash) };
      onNode?.(node);
      waiting = (waiting - 1) / 2;
    }
    this.#hashes.push(node.hash);
    this.#size += 1;
  }

  /** MTH of the tree so far (RFC 9162 §2.1.1): the edge folded from the right; SHA-256() when empty. */
  root(): Promise<Uint8Array> {
    return this.#size === 0 ? this.hasher.emptyRoot() : foldFromRight(this.#hashes, this.hasher);
  }
}

/** The complete subtrees along the right edge of a tree of `size` leaves, largest first. */
export function edgeNodes(size: number): NodeAddress[] {
  const nodes: NodeAddress[] = [];
  let covered = 0;
  let width = 1;
  let level = 0;
  while (width * 2 <= size) {
    width *= 2;
    level += 1;
  }
  for (; width >= 1; width /= 2, level -= 1) {
    if (covered + width <= size) {
      nodes.push({ level, index: covered / width });
      covered += width;
    }
  }
  return nodes;
}
