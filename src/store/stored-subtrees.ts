import { nodeHashInTile, nodeInTile, tileWidth } from '../integrity/merkle-tiles.js';
import type { SubtreeHashes } from '../integrity/subtree-hashes.js';
import type { AttestStore } from './attest-store.js';

/**
 * An organization's stored Merkle tree as the integrity library reads proofs from it: one read for the tiles
 * of every node asked, each node then a slice of its tile (`merkle-tiles.ts`).
 */
export function storedSubtrees(store: AttestStore, orgId: string): SubtreeHashes {
  return {
    async nodeHashes(nodes) {
      const places = nodes.map(nodeInTile);
      const tiles = await store.merkleTrees.tiles(
        orgId,
        places.map((place) => place.tile),
      );
      const hashes: Uint8Array[] = [];
      for (const [i, place] of places.entries()) {
        const tile = tiles[i];
        const { level, index } = nodes[i]!;
        if (tile === undefined || place.first + place.count > tileWidth(tile))
          throw new Error(`node ${index} of level ${level} of the tree of ${orgId} is not stored`);
        hashes.push(nodeHashInTile(place, tile));
      }
      return hashes;
    },
  };
}
