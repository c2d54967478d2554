import type { TreeNode } from './compact-range.js';
import { HASH_SIZE, type MerkleHasher } from './merkle-hasher.js';
import { assertTreeSize, type NodeAddress } from './tree-shape.js';

/**
 * A Merkle tree stored as tiles, after C2SP tlog-tiles: a tile of level L holds up to 256 consecutive hashes of
 * tree level 8·L (level 0: the leaf hashes), concatenated, 32 bytes each. Every node of tree levels 8·L + 1 to
 * 8·L + 7 is the root of a run of one tile's hashes, so it is recomputed (at most 127 hashes) rather than
 * stored: a tree of n leaves takes about n/256 tile rows instead of 2n node rows. All but the last tile of a
 * level are full (256 hashes) and never change; the last holds the complete nodes of its level so far, and
 * grows with the tree.
 */

/** Tree levels a tile spans: its hashes are of level 8·L, and it yields the nodes up to level 8·L + 7. */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile. */
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

/** A tile: the `index`-th run of {@link TILE_WIDTH} hashes of tree level `TILE_HEIGHT · level`. */
export interface TileAddress {
  readonly level: number;
  readonly index: number;
}

/** A tile's hashes, concatenated; `hashes.length / 32` of them, 1 to 256. */
export interface Tile extends TileAddress {
  readonly hashes: Uint8Array;
}

/** Where a complete subtree is found in the tiles: the tile, and the run of its hashes whose root the node is. */
export interface NodeInTile {
  readonly tile: TileAddress;
  /** The run's first hash in the tile (0–255). */
  readonly first: number;
  /** The run's length: 2^(node level − 8·tile level), 1 to 128. */
  readonly count: number;
}

/** The tile that holds the node `node` (or the hashes it is the root of). */
export function nodeInTile(node: NodeAddress): NodeInTile {
  const level = Math.floor(node.level / TILE_HEIGHT);
  const count = 2 ** (node.level - level * TILE_HEIGHT);
  // Division, not bit shifts: indexes go past 2^31. Products of powers of two stay exact below 2^53.
  const begin = node.index * count;
  const index = Math.floor(begin / TILE_WIDTH);
  return { tile: { level, index }, first: begin - index * TILE_WIDTH, count };
}

/** How many hashes the tile holds. */
export function tileWidth(hashes: Uint8Array): number {
  return hashes.length / HASH_SIZE;
}

/** The `i`-th hash of a tile (a view, not a copy). */
export function tileHash(hashes: Uint8Array, i: number): Uint8Array {
  return hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
}

/**
 * The hash of the node found at `where` in the tile's `hashes`: the root of the run, folded pairwise up to it.
 * Throws a RangeError when the tile does not hold the whole run (the node is not complete in the stored tree).
 */
export async function nodeHashInTile(where: NodeInTile, hashes: Uint8Array, hasher: MerkleHasher): Promise<Uint8Array> {
  if (hashes.length % HASH_SIZE !== 0) throw new RangeError(`tile ${where.tile.level}/${where.tile.index} is not whole hashes`);
  if (where.first + where.count > tileWidth(hashes))
    throw new RangeError(
      `tile ${where.tile.level}/${where.tile.index} holds ${tileWidth(hashes)} hashes, not the ${where.first}–${where.first + where.count - 1} a node needs`,
    );
  let level = Array.from({ length: where.count }, (_, i) => tileHash(hashes, where.first + i));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(await hasher.hashChildren(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}

/** The last tile of each level of a tree of `size` leaves that is not full, with how many hashes it holds. */
export function partialTiles(size: number): Array<TileAddress & { width: number }> {
  assertTreeSize('the tree size', size);
  const tiles: Array<TileAddress & { width: number }> = [];
  for (let level = 0, nodes = size; nodes > 0; level += 1, nodes = Math.floor(nodes / TILE_WIDTH)) {
    const width = nodes % TILE_WIDTH;
    if (width > 0) tiles.push({ level, index: (nodes - width) / TILE_WIDTH, width });
  }
  return tiles;
}

/**
 * Collects the nodes a growing tree completes into tiles: given the tree's size and its partial tiles as
 * stored, it takes every node `CompactRange.append` announces, keeps those of the tiled levels (0, 8, 16, …),
 * and hands back every tile that changed — full ones completed, and the new partial ones — ready to store.
 *
 * @example
 * const tiles = new TileWriter(edge.size, await storedPartialTiles());
 * for (const leaf of leaves) await edge.append(leaf, (node) => tiles.add(node));
 * await store.save(tiles.changed());
 */
export class TileWriter {
  /** By tile level: the tile being filled, and its hashes so far. */
  readonly #open = new Map<number, { index: number; hashes: Uint8Array[]; changed: boolean }>();
  readonly #done: Tile[] = [];

  /**
   * The tiles of a tree of `size` leaves: `stored` must hold, for each tile that `partialTiles(size)` names, at
   * least its hashes (a longer stored tile, grown by another writer since, is cut to the size).
   */
  constructor(size: number, stored: readonly Tile[]) {
    for (const { level, index, width } of partialTiles(size)) {
      const tile = stored.find((t) => t.level === level && t.index === index);
      if (!tile || tileWidth(tile.hashes) < width)
        throw new RangeError(`the stored tile ${level}/${index} of a tree of ${size} leaves does not hold its ${width} hashes`);
      this.#open.set(level, { index, hashes: Array.from({ length: width }, (_, i) => tileHash(tile.hashes, i)), changed: false });
    }
  }

  /** Takes a node the tree completed; only nodes of tiled levels are kept. Nodes of a level arrive in order. */
  add(node: TreeNode): void {
    if (node.level % TILE_HEIGHT !== 0) return;
    const level = node.level / TILE_HEIGHT;
    const index = Math.floor(node.index / TILE_WIDTH);
    let open = this.#open.get(level);
    if (!open) {
      open = { index, hashes: [], changed: false };
      this.#open.set(level, open);
    }
    if (open.index !== index || open.hashes.length !== node.index - index * TILE_WIDTH)
      throw new RangeError(`node ${node.index} of level ${node.level} does not follow the tile being filled`);
    open.hashes.push(node.hash);
    open.changed = true;
    if (open.hashes.length === TILE_WIDTH) {
      this.#done.push({ level, index, hashes: joined(open.hashes) });
      this.#open.set(level, { index: index + 1, hashes: [], changed: false });
    }
  }

  /** Every tile that gained hashes: the full ones completed, then each level's grown partial tile. */
  changed(): Tile[] {
    const partial = [...this.#open]
      .filter(([, open]) => open.changed && open.hashes.length > 0)
      .map(([level, open]) => ({ level, index: open.index, hashes: joined(open.hashes) }));
    return [...this.#done, ...partial];
  }
}

function joined(hashes: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((hash, i) => bytes.set(hash, i * HASH_SIZE));
  return bytes;
}
