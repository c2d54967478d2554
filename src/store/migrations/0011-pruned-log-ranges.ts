import type { Kysely, Migration } from 'kysely';

/**
 * `log_pruned_ranges`: which events retention purged from each organization's log, and when (PRODUCT.md §8).
 * A row is a run of consecutive `seq`s, `first_seq` … `last_seq`, written in the purge's own transaction; a run
 * that continues an earlier one extends it (the usual case: retention purges the oldest events first), so
 * `first_pruned_at` is when its first event went and `last_pruned_at` its latest. The tree keeps the purged
 * events' leaf hashes (`merkle_nodes` level 0), so proofs stay valid, and `attest verify --org` tells a
 * purged event from a deleted row by this table.
 */
export const prunedLogRanges: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('log_pruned_ranges')
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('first_seq', 'bigint', (c) => c.notNull())
      .addColumn('last_seq', 'bigint', (c) => c.notNull())
      .addColumn('first_pruned_at', 'bigint', (c) => c.notNull())
      .addColumn('last_pruned_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('log_pruned_ranges_pk', ['org_id', 'first_seq'])
      .execute();
    // Checkpoint pruning keeps the last checkpoint of each hour: it reads an organization's checkpoints by time.
    await db.schema.createIndex('log_checkpoints_signed_at').on('log_checkpoints').columns(['org_id', 'signed_at']).execute();
  },
};
