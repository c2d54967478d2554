import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { toHex } from '../../src/integrity/bytes.js';
import { CompactRange } from '../../src/integrity/compact-range.js';
import { consistencyProof } from '../../src/integrity/consistency-proof.js';
import { inclusionProof } from '../../src/integrity/inclusion-proof.js';
import { MemoryMerkleTree } from '../../src/integrity/memory-merkle-tree.js';
import { nodeHashInTile, nodeInTile, partialTiles, TileWriter, type Tile } from '../../src/integrity/merkle-tiles.js';
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

  nodeHashes(nodes: Parameters<SubtreeHashes['nodeHashes']>[0]): Promise<Uint8Array[]> {
    return Promise.all(
      nodes.map((node) => {
        const place = nodeInTile(node);
        return nodeHashInTile(place, this.tiles.get(`${place.tile.level}/${place.tile.index}`) ?? new Uint8Array(0), nodeMerkleHasher);
      }),
    );
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

  it('refuses a node its tile does not hold, and a stored partial tile shorter than the tree', async () => {
    const tile = new Uint8Array(5 * 32);
    await expect(nodeHashInTile(nodeInTile({ level: 2, index: 1 }), tile, nodeMerkleHasher)).rejects.toThrow(RangeError);
    await expect(nodeHashInTile(nodeInTile({ level: 2, index: 0 }), tile, nodeMerkleHasher)).resolves.toHaveLength(32);
    expect(() => new TileWriter(6, [{ level: 0, index: 0, hashes: tile }])).toThrow('does not hold its 6 hashes');
    // A longer stored tile (another writer grew it since) is cut to the size.
    const writer = new TileWriter(3, [{ level: 0, index: 0, hashes: tile }]);
    writer.add({ level: 0, index: 3, hash: leaf(3) });
    expect(writer.changed().map((t) => t.hashes.length)).toEqual([4 * 32]);
  });
});
