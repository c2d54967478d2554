import { fromHex } from '../../src/integrity/bytes.js';
import { HASH_SIZE } from '../../src/integrity/merkle-hasher.js';
import { cutTile, TILE_WIDTH } from '../../src/integrity/merkle-tiles.js';
import type { AttestStore } from '../../src/store/attest-store.js';

/** The stored level-0 tile holding leaf `index` of `orgId`'s tree, and where the leaf sits in it. */
async function leafTile(store: AttestStore, orgId: string, index: number): Promise<{ idx: number; hashes: Buffer; at: number }> {
  const idx = Math.floor(index / TILE_WIDTH);
  const row = await store.db
    .selectFrom('merkle_tiles')
    .select('hashes')
    .where('org_id', '=', orgId)
    .where('level', '=', 0)
    .where('idx', '=', idx)
    .executeTakeFirstOrThrow();
  return { idx, hashes: Buffer.from(row.hashes), at: (index - idx * TILE_WIDTH) * HASH_SIZE };
}

async function saveLeafTile(store: AttestStore, orgId: string, idx: number, hashes: Buffer): Promise<void> {
  await store.db
    .updateTable('merkle_tiles')
    .set({ hashes })
    .where('org_id', '=', orgId)
    .where('level', '=', 0)
    .where('idx', '=', idx)
    .execute();
}

/** Tampering: overwrites the tree's copy of leaf `index` with `hashHex`. */
export async function rewriteTreeLeaf(store: AttestStore, orgId: string, index: number, hashHex: string): Promise<void> {
  const { idx, hashes, at } = await leafTile(store, orgId, index);
  hashes.set(fromHex(hashHex)!, at);
  await saveLeafTile(store, orgId, idx, hashes);
}

/** Tampering: removes the tree's copy of leaf `index` and of the leaves after it in its tile. */
export async function cutTreeLeavesFrom(store: AttestStore, orgId: string, index: number): Promise<void> {
  const { idx, hashes } = await leafTile(store, orgId, index);
  await saveLeafTile(store, orgId, idx, Buffer.from(cutTile(hashes, index - idx * TILE_WIDTH)));
}

/** How many hashes `orgId`'s stored tiles hold, over every level. */
export async function storedTreeHashes(store: AttestStore, orgId: string): Promise<number> {
  const rows = await store.db.selectFrom('merkle_tiles').select('hashes').where('org_id', '=', orgId).execute();
  return rows.reduce((sum, row) => sum + row.hashes.length / HASH_SIZE, 0);
}
