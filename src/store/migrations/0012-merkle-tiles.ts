import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import { fromHex } from '../../integrity/bytes.js';
import { HASH_SIZE } from '../../integrity/merkle-hasher.js';
import { TILE_HEIGHT, TILE_WIDTH, tileSize } from '../../integrity/merkle-tiles.js';

/** Tiles converted per read of each level of `merkle_nodes` (64 tiles: 16,384 rows of their lowest level). */
const TILES_PER_READ = 64;

/**
 * The organizations' Merkle trees move from one row per complete node (`merkle_nodes`, migration 0008: about
 * two rows per event, each a hex hash under a three-column primary key) to tiles (`merkle_tiles`,
 * `integrity/merkle-tiles.ts`): the tile of level L and index idx covers nodes 256·idx to 256·idx + 255 of
 * tree level 8·L and holds every complete node of levels 8·L to 8·L + 7 above them, 32 bytes each,
 * concatenated into one BLOB (PostgreSQL: bytea). A tree costs about one row per 256 events. Tile level 0
 * starts with the tree's copy of the events' leaf hashes, as level 0 of the nodes was.
 *
 * Existing trees are converted in the migration's transaction: for each organization with a tree, the nodes
 * become its tiles, the last of each tile level partial. A tree missing a node it should
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
      // The chunk's complete nodes of each of the tiles' eight levels, by level within the tile.
      const levels: Uint8Array[][] = [];
      for (let sublevel = 0; sublevel < TILE_HEIGHT; sublevel += 1) {
        const treeLevel = level * TILE_HEIGHT + sublevel;
        const [from, to] = [first / 2 ** sublevel, Math.floor(end / 2 ** sublevel)];
        const { rows } = await sql<{ idx: number | string; hash: string }>`
          select idx, hash from merkle_nodes
          where org_id = ${orgId} and level = ${treeLevel} and idx >= ${from} and idx < ${to}
          order by idx`.execute(db);
        if (rows.length !== to - from || rows.some((row, i) => Number(row.idx) !== from + i))
          throw new Error(
            `the Merkle tree of ${orgId} (${size} leaves) lacks nodes ${from}–${to - 1} of level ${treeLevel}: it cannot be converted to tiles`,
          );
        levels.push(
          rows.map((row) => {
            const hash = fromHex(row.hash);
            if (hash?.length !== HASH_SIZE) throw new Error(`node ${row.idx} of level ${treeLevel} of ${orgId}'s tree is not a hash`);
            return hash;
          }),
        );
      }
      for (let begin = first; begin < end; begin += TILE_WIDTH) {
        const width = Math.min(TILE_WIDTH, end - begin);
        const hashes = new Uint8Array(tileSize(width) * HASH_SIZE);
        let at = 0;
        levels.forEach((nodesOfLevel, sublevel) => {
          const offset = (begin - first) / 2 ** sublevel;
          for (const hash of nodesOfLevel.slice(offset, offset + Math.floor(width / 2 ** sublevel))) {
            hashes.set(hash, at * HASH_SIZE);
            at += 1;
          }
        });
        await sql`insert into merkle_tiles (org_id, level, idx, hashes)
          values (${orgId}, ${level}, ${begin / TILE_WIDTH}, ${Buffer.from(hashes.buffer)})`.execute(db);
      }
    }
  }
}
