import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { toHex } from '../../src/integrity/bytes.js';
import { CompactRange } from '../../src/integrity/compact-range.js';
import { consistencyProof } from '../../src/integrity/consistency-proof.js';
import { inclusionProof } from '../../src/integrity/inclusion-proof.js';
import { MemoryMerkleTree } from '../../src/integrity/memory-merkle-tree.js';
import {
  cutTile,
  nodeHashInTile,
  nodeInTile,
  partialTiles,
  tileSize,
  tileWidth,
  TileWriter,
  type Tile,
} from '../../src/integrity/merkle-tiles.js';
import type { SubtreeHashes } from '../../src/integrity/subtree-hashes.js';
import { seededRandom } from '../support/seeded-random.js';

const leaf = (i: number): Uint8Array => new Uint8Array(createHash('sha256').update(`leaf ${i}`).digest());

/** Tiles kept in a map the way the store keeps its rows: a changed tile replaces the one of its address. */
class TileMap implements SubtreeHashes {
  readonly tiles = new Map<string, Uint8Array>();

  save(tiles: readonly Tile[]): void {
    for (const tile of tiles) this.tiles.set(`${tile.level}/${tile.index}`, tile.hashes);
  }

  partial(size: number): Tile[] {
    return partialTiles(size).map((tile) => ({ ...tile, hashes: this.tiles.get(`${tile.level}/${tile.index}`)! }));
  }

  async nodeHashes(nodes: Parameters<SubtreeHashes['nodeHashes']>[0]): Promise<Uint8Array[]> {
    return nodes.map((node) => {
      const place = nodeInTile(node);
      return nodeHashInTile(place, this.tiles.get(`${place.tile.level}/${place.tile.index}`) ?? new Uint8Array(0));
    });
  }
}

describe('Merkle tiles', () => {
  it('places a node in its tile, past 2^31 and at every level of a tile', () => {
    expect(nodeInTile({ level: 0, index: 257 })).toEqual({ tile: { level: 0, index: 1 }, first: 1, count: 1 });
    expect(nodeInTile({ level: 3, index: 33 })).toEqual({ tile: { level: 0, index: 1 }, first: 8, count: 8 });
    expect(nodeInTile({ level: 7, index: 3 })).toEqual({ tile: { level: 0, index: 1 }, first: 128, count: 128 });
    expect(nodeInTile({ level: 8, index: 3 })).toEqual({ tile: { level: 1, index: 0 }, first: 3, count: 1 });
    expect(nodeInTile({ level: 17, index: 2 ** 40 + 5 })).toEqual({ tile: { level: 2, index: 2 ** 33 }, first: 10, count: 2 });
  });

  it('names the partial tile of each level of a tree', () => {
    expect(partialTiles(0)).toEqual([]);
    expect(partialTiles(256)).toEqual([{ level: 1, index: 0, width: 1 }]);
    expect(partialTiles(65_536 + 513)).toEqual([
      { level: 0, index: 258, width: 1 },
      { level: 1, index: 1, width: 2 },
      { level: 2, index: 0, width: 1 },
    ]);
  });

  it('grown in uneven steps, the tiles give every proof the tree in memory gives', { timeout: 60_000 }, async () => {
    const random = seededRandom(14);
    const size = 65_536 + 3 * 256 + 17;
    const leaves = Array.from({ length: size }, (_, i) => leaf(i));
    const memory = await MemoryMerkleTree.fromLeafHashes(leaves, nodeMerkleHasher);
    const stored = new TileMap();
    const edge = new CompactRange(nodeMerkleHasher);
    const sizes: number[] = [];
    while (edge.size < size) {
      // Steps of 1 to 3000 leaves, each starting from the tiles stored by the one before.
      const step = Math.min(size - edge.size, 1 + random.int(3000));
      const writer = new TileWriter(edge.size, stored.partial(edge.size));
      for (let i = 0; i < step; i += 1) await edge.append(leaves[edge.size]!, (node) => writer.add(node));
      stored.save(writer.changed());
      sizes.push(edge.size);
    }
    expect(toHex(await edge.root())).toBe(toHex(await memory.root()));
    for (let n = 0; n < 60; n += 1) {
      const treeSize = random.pick(sizes);
      const index = random.int(treeSize);
      expect((await inclusionProof(index, treeSize, stored, nodeMerkleHasher)).map(toHex)).toEqual(
        (await inclusionProof(index, treeSize, memory, nodeMerkleHasher)).map(toHex),
      );
      const from = 1 + random.int(treeSize);
      expect((await consistencyProof(from, treeSize, stored, nodeMerkleHasher)).map(toHex)).toEqual(
        (await consistencyProof(from, treeSize, memory, nodeMerkleHasher)).map(toHex),
      );
    }
  });

  it('reads a node as a slice of its tile, and refuses one the tile does not hold', () => {
    // A tile 5 nodes wide holds 5 + 2 + 1 hashes: its nodes of levels 0, 1 and 2; hash i filled with byte i.
    const tile = Uint8Array.from({ length: tileSize(5) * 32 }, (_, i) => Math.floor(i / 32));
    expect(tileSize(5)).toBe(8);
    expect(tileWidth(tile)).toBe(5);
    expect(nodeHashInTile(nodeInTile({ level: 2, index: 0 }), tile)).toEqual(tile.subarray(7 * 32));
    expect(nodeHashInTile(nodeInTile({ level: 1, index: 1 }), tile)).toEqual(tile.subarray(6 * 32, 7 * 32));
    expect(() => nodeHashInTile(nodeInTile({ level: 2, index: 1 }), tile)).toThrow(RangeError);
    expect(() => tileWidth(tile.subarray(0, 6 * 32))).toThrow('not a tile');
    // Cut to its first 3 nodes: leaves 0–2 and the level-1 node over 0–1.
    expect([...cutTile(tile, 3)].filter((_, i) => i % 32 === 0)).toEqual([0, 1, 2, 5]);
  });

  it('refuses a stored partial tile shorter than the tree, and cuts a longer one to it', () => {
    const tile = Uint8Array.from({ length: tileSize(5) * 32 }, (_, i) => Math.floor(i / 32));
    expect(() => new TileWriter(6, [{ level: 0, index: 0, hashes: tile }])).toThrow('does not hold its 6 nodes');
    // Another writer grew the tile to 5 since the tree of 3 was read: the writer goes on from 3.
    const writer = new TileWriter(3, [{ level: 0, index: 0, hashes: tile }]);
    for (const node of [
      { level: 0, index: 3 },
      { level: 1, index: 1 },
      { level: 2, index: 0 },
    ])
      writer.add({ ...node, hash: leaf(node.level) });
    const [grown] = writer.changed();
    expect([...grown!.hashes].filter((_, i) => i % 32 === 0)).toEqual([0, 1, 2, leaf(0)[0], 5, leaf(1)[0], leaf(2)[0]]);
  });
});
