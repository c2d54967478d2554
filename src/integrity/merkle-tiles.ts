import type { TreeNode } from './compact-range.js';
import { HASH_SIZE } from './merkle-hasher.js';
import { assertTreeSize, type NodeAddress } from './tree-shape.js';

/**
 * A Merkle tree stored as tiles, after C2SP tlog-tiles: a tile of level L covers up to 256 consecutive nodes
 * of tree level 8·L (level 0: the leaf hashes) and holds every complete node of levels 8·L to 8·L + 7 above
 * them, level by level, 32 bytes each, concatenated: 510 hashes when full. A proof reads a node as a slice of
 * its tile instead of recomputing it (recomputing took up to 255 hashes per tile, a millisecond on a busy
 * machine), and a tree of n leaves takes about n/256 tile rows instead of 2n node rows. All but the last tile
 * of a level are full and never change; the last holds the complete nodes of its levels so far, and grows
 * with the tree.
 */

/** Tree levels a tile spans: its hashes are of level 8·L, and it yields the nodes up to level 8·L + 7. */
export const TILE_HEIGHT = 8;
/** Nodes of its lowest level a full tile covers. */
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

/** A tile: the one over the `index`-th run of {@link TILE_WIDTH} nodes of tree level `TILE_HEIGHT · level`. */
export interface TileAddress {
  readonly level: number;
  readonly index: number;
}

/** A tile's hashes, concatenated: its nodes of each of its levels, lowest level first (`tileSize` of its width). */
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

/** Hashes a tile of `width` nodes of its lowest level holds: its complete nodes of all eight levels. */
export function tileSize(width: number): number {
  let hashes = 0;
  for (let level = 0; level < TILE_HEIGHT; level += 1) hashes += Math.floor(width / 2 ** level);
  return hashes;
}

// A tile's width by the hashes it holds (tileSize is strictly increasing in the width).
const WIDTH_OF_SIZE = new Map(Array.from({ length: TILE_WIDTH }, (_, i) => [tileSize(i + 1), i + 1]));

/** How many nodes of its lowest level the tile holds; throws a RangeError when the bytes are not a tile. */
export function tileWidth(hashes: Uint8Array): number {
  const width = hashes.length % HASH_SIZE === 0 ? WIDTH_OF_SIZE.get(hashes.length / HASH_SIZE) : undefined;
  if (width === undefined) throw new RangeError(`${hashes.length} bytes are not a tile`);
  return width;
}

/** The `i`-th node of the tile's level `sublevel` (0–7 above its lowest), a view, not a copy; of a tile `width` wide. */
function nodeOfTile(hashes: Uint8Array, width: number, sublevel: number, i: number): Uint8Array {
  const at = offsetOf(width, sublevel) + i;
  return hashes.subarray(at * HASH_SIZE, (at + 1) * HASH_SIZE);
}

/** The `i`-th hash of the tile's lowest level (a view, not a copy). */
export function tileHash(hashes: Uint8Array, i: number): Uint8Array {
  return hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
}

/**
 * The hash of the node found at `where` in the tile's `hashes`. Throws a RangeError when the tile does not
 * hold it (the node is not complete in the stored tree).
 */
export function nodeHashInTile(where: NodeInTile, hashes: Uint8Array): Uint8Array {
  const width = tileWidth(hashes);
  if (where.first + where.count > width)
    throw new RangeError(
      `tile ${where.tile.level}/${where.tile.index} holds ${width} nodes, not the ${where.first}–${where.first + where.count - 1} a node needs`,
    );
  return nodeOfTile(hashes, width, Math.log2(where.count), where.first / where.count);
}

/** The tile as it was when it held only its first `width` nodes of its lowest level (a copy). */
export function cutTile(hashes: Uint8Array, width: number): Uint8Array {
  const from = tileWidth(hashes);
  if (width > from) throw new RangeError(`a tile of ${from} nodes does not hold the first ${width}`);
  const cut = new Uint8Array(tileSize(width) * HASH_SIZE);
  let at = 0;
  for (let level = 0; level < TILE_HEIGHT; level += 1) {
    const count = Math.floor(width / 2 ** level);
    cut.set(hashes.subarray(offsetOf(from, level) * HASH_SIZE, (offsetOf(from, level) + count) * HASH_SIZE), at * HASH_SIZE);
    at += count;
  }
  return cut;
}

/** Where the tile's level `sublevel` begins, in hashes, in a tile `width` wide. */
function offsetOf(width: number, sublevel: number): number {
  let at = 0;
  for (let level = 0; level < sublevel; level += 1) at += Math.floor(width / 2 ** level);
  return at;
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
 * stored, it takes every node `CompactRange.append` announces and hands back every tile that changed — full
 * ones completed, and the new partial ones — ready to store.
 *
 * @example
 * const tiles = new TileWriter(edge.size, await storedPartialTiles());
 * for (const leaf of leaves) await edge.append(leaf, (node) => tiles.add(node));
 * await store.save(tiles.changed());
 */
export class TileWriter {
  /** By tile level: the tile being filled, its nodes so far by level within it, and whether it gained any. */
  readonly #open = new Map<number, { index: number; levels: Uint8Array[][]; changed: boolean }>();
  readonly #done: Tile[] = [];

  /**
   * The tiles of a tree of `size` leaves: `stored` must hold each tile that `partialTiles(size)` names, with at
   * least its nodes (a longer stored tile, grown by another writer since, is cut to the size).
   */
  constructor(size: number, stored: readonly Tile[]) {
    for (const { level, index, width } of partialTiles(size)) {
      const tile = stored.find((t) => t.level === level && t.index === index);
      if (!tile || tileWidth(tile.hashes) < width)
        throw new RangeError(`the stored tile ${level}/${index} of a tree of ${size} leaves does not hold its ${width} nodes`);
      const from = tileWidth(tile.hashes);
      const levels = Array.from({ length: TILE_HEIGHT }, (_, sublevel) =>
        Array.from({ length: Math.floor(width / 2 ** sublevel) }, (_, i) => nodeOfTile(tile.hashes, from, sublevel, i)),
      );
      this.#open.set(level, { index, levels, changed: false });
    }
  }

  /** Takes a node the tree completed. Nodes of a level arrive in order. */
  add(node: TreeNode): void {
    const level = Math.floor(node.level / TILE_HEIGHT);
    const sublevel = node.level - level * TILE_HEIGHT;
    const perTile = TILE_WIDTH / 2 ** sublevel;
    const index = Math.floor(node.index / perTile);
    let open = this.#open.get(level);
    if (!open) {
      open = { index, levels: Array.from({ length: TILE_HEIGHT }, () => []), changed: false };
      this.#open.set(level, open);
    }
    const nodes = open.levels[sublevel]!;
    if (open.index !== index || nodes.length !== node.index - index * perTile)
      throw new RangeError(`node ${node.index} of level ${node.level} does not follow the tile being filled`);
    nodes.push(node.hash);
    open.changed = true;
    // The tile's top node of its second half comes last: with it, the tile is full.
    if (sublevel === TILE_HEIGHT - 1 && nodes.length === 2) {
      this.#done.push({ level, index, hashes: joined(open.levels.flat()) });
      this.#open.set(level, { index: index + 1, levels: Array.from({ length: TILE_HEIGHT }, () => []), changed: false });
    }
  }

  /** Every tile that gained nodes: the full ones completed, then each level's grown partial tile. */
  changed(): Tile[] {
    const partial = [...this.#open]
      .filter(([, open]) => open.changed && open.levels[0]!.length > 0)
      .map(([level, open]) => ({ level, index: open.index, hashes: joined(open.levels.flat()) }));
    return [...this.#done, ...partial];
  }
}

function joined(hashes: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((hash, i) => bytes.set(hash, i * HASH_SIZE));
  return bytes;
}
