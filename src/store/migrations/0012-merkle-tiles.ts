import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import { fromHex } from '../../integrity/bytes.js';
import { HASH_SIZE } from '../../integrity/merkle-hasher.js';
import { TILE_HEIGHT, TILE_WIDTH } from '../../integrity/merkle-tiles.js';

/** Tiles converted per read of `merkle_nodes` (64 tiles: 16,384 node rows). */
const TILES_PER_READ = 64;

/**
 * The organizations' Merkle trees move from one row per complete node (`merkle_nodes`, migration 0008: about
 * two rows per event, each a hex hash under a three-column primary key) to tiles of 256 hashes
 * (`merkle_tiles`, `integrity/merkle-tiles.ts`): a tile of level L holds the hashes of tree level 8·L from
 * hash 256·idx on, 32 bytes each, concatenated into one BLOB (PostgreSQL: bytea). The levels in between are
 * recomputed from a tile when a proof needs them, so a tree costs about one row per 256 events. Tile level 0
 * is the tree's copy of the events' leaf hashes, as level 0 of the nodes was.
 *
 * Existing trees are converted in the migration's transaction: for each organization with a tree, the nodes
 * of levels 0, 8, 16, … become its tiles, the last of each level partial. A tree missing a node it should
 * hold stops the migration, naming it: the tiles cannot stand in for a node nobody has.
 */
export const merkleTiles: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const binary = db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
    await db.schema
      .createTable('merkle_tiles')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('idx', 'bigint', (c) => c.notNull())
      .addColumn('hashes', binary, (c) => c.notNull())
      .addPrimaryKeyConstraint('merkle_tiles_pk', ['org_id', 'level', 'idx'])
      .execute();
    const { rows: trees } = await sql<{ org_id: string; tree_size: number | string }>`
      select org_id, tree_size from merkle_tree_heads order by org_id`.execute(db);
    for (const tree of trees) await convertTree(db, tree.org_id, Number(tree.tree_size));
    await db.schema.dropTable('merkle_nodes').execute();
  },
};

/** Writes the tiles of one organization's tree of `size` leaves from its node rows. */
async function convertTree(db: Kysely<unknown>, orgId: string, size: number): Promise<void> {
  for (let level = 0, nodes = size; nodes > 0; level += 1, nodes = Math.floor(nodes / TILE_WIDTH)) {
    for (let first = 0; first < nodes; first += TILES_PER_READ * TILE_WIDTH) {
      const end = Math.min(nodes, first + TILES_PER_READ * TILE_WIDTH);
      const { rows } = await sql<{ idx: number | string; hash: string }>`
        select idx, hash from merkle_nodes
        where org_id = ${orgId} and level = ${level * TILE_HEIGHT} and idx >= ${first} and idx < ${end}
        order by idx`.execute(db);
      if (rows.length !== end - first || rows.some((row, i) => Number(row.idx) !== first + i))
        throw new Error(
          `the Merkle tree of ${orgId} (${size} leaves) lacks nodes ${first}–${end - 1} of level ${level * TILE_HEIGHT}: it cannot be converted to tiles`,
        );
      for (let begin = first; begin < end; begin += TILE_WIDTH) {
        const hashes = new Uint8Array(Math.min(TILE_WIDTH, end - begin) * HASH_SIZE);
        for (let i = 0; i < hashes.length / HASH_SIZE; i += 1) {
          const row = rows[begin - first + i]!;
          const hash = fromHex(row.hash);
          if (hash?.length !== HASH_SIZE)
            throw new Error(`node ${row.idx} of level ${level * TILE_HEIGHT} of ${orgId}'s tree is not a hash`);
          hashes.set(hash, i * HASH_SIZE);
        }
        await sql`insert into merkle_tiles (org_id, level, idx, hashes)
          values (${orgId}, ${level}, ${begin / TILE_WIDTH}, ${Buffer.from(hashes.buffer)})`.execute(db);
      }
    }
  }
}
