import type { Kysely, Migration } from 'kysely';

/**
 * The organizations' Merkle trees (PRODUCT.md §8), kept beside the log they are built over:
 * - `merkle_nodes`: every complete node of each organization's tree, written once when the leaf that completes
 *   it arrives and never changed. Level 0 copies the events' leaf hashes: proofs still hold once expired events
 *   are purged, and `attest verify` names an event whose record and leaf hash were both rewritten. A proof
 *   reads its O(log n) nodes here instead of recomputing anything.
 * - `merkle_tree_heads`: how many leaves each tree holds and its right edge (the hashes a new leaf joins),
 *   so the tree grows from where it stopped after a restart.
 * - `log_checkpoints`: every signed checkpoint, the exact note text, by organization and tree size.
 * - `log_keys`: the verifier keys the log has signed with, published with when each was in use.
 * Hashes are lowercase hex text, like `leaf_hash`, so both databases store them the same way.
 */
export const merkleTrees: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('merkle_nodes')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('idx', 'bigint', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('merkle_nodes_pk', ['org_id', 'level', 'idx'])
      .execute();
    await db.schema
      .createTable('merkle_tree_heads')
      .addColumn('org_id', 'text', (c) => c.primaryKey())
      .addColumn('tree_size', 'bigint', (c) => c.notNull())
      .addColumn('edge', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('log_checkpoints')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('tree_size', 'bigint', (c) => c.notNull())
      .addColumn('root_hash', 'text', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull())
      .addColumn('signed_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('log_checkpoints_pk', ['org_id', 'tree_size'])
      .execute();
    await db.schema
      .createTable('log_keys')
      .addColumn('vkey', 'text', (c) => c.primaryKey())
      .addColumn('valid_from', 'bigint', (c) => c.notNull())
      .addColumn('valid_until', 'bigint')
      .execute();
  },
};
