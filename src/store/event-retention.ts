import type { Kysely, Transaction } from 'kysely';
import { groupBy } from '../core/group-by.js';
import type { AttestDatabase } from './database-schema.js';
import { countByHourlyBucket, type BucketedEventRow } from './event-log-writer.js';

/**
 * Deletes at most `batchSize` events whose `expiresAt` has passed, with their hourly counts, in one short
 * transaction. This is the only code path that deletes an audit event (PRODUCT.md §2). Small batches keep
 * each write lock brief, so ingest and queries are never held up for long.
 *
 * The hourly counts are decremented for the rows this transaction actually deleted (`RETURNING`), not for the
 * rows it selected: two purgers at once (the scheduler and `attest purge` against PostgreSQL) may select the
 * same expired rows, and only one of them deletes each.
 *
 * The organization's Merkle tree is left as it is: its level 0 keeps the purged events' leaf hashes, so every
 * later proof still holds (PRODUCT.md §8). An event of an organization that has a tree is purged only once the
 * tree holds its leaf, or its hash would be lost before the tree took it in; and every run of purged `seq`s is
 * recorded in `log_pruned_ranges` in the same transaction, so a verification can tell purged events from
 * deleted rows and say when they went.
 *
 * @returns how many events were deleted; 0 means nothing expired is left.
 */
export async function purgeExpiredBatch(db: Kysely<AttestDatabase>, nowMs: number, batchSize: number): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const expired = await tx
      .selectFrom('audit_events as e')
      .select(['e.org_id', 'e.seq'])
      .where('e.expires_at', '<=', nowMs)
      .where((eb) =>
        eb.or([
          eb.not(eb.exists(eb.selectFrom('merkle_tree_heads as t').select('t.org_id').whereRef('t.org_id', '=', 'e.org_id'))),
          eb('e.seq', '<', eb.selectFrom('merkle_tree_heads as t').select('t.tree_size').whereRef('t.org_id', '=', 'e.org_id')),
        ]),
      )
      .orderBy('e.expires_at')
      .limit(batchSize)
      .execute();
    if (expired.length === 0) return 0;

    const deletedRows: BucketedEventRow[] = [];
    for (const [orgId, seqs] of groupBy(
      expired,
      (row) => row.org_id,
      (row) => Number(row.seq),
    )) {
      const rows = await tx
        .deleteFrom('audit_events')
        .where('org_id', '=', orgId)
        .where('seq', 'in', seqs)
        .returning(['org_id', 'seq', 'occurred_at', 'type', 'action', 'product', 'security'])
        .execute();
      deletedRows.push(...rows);
      await recordPrunedRuns(
        tx,
        orgId,
        rows.map((row) => Number(row.seq)),
        nowMs,
      );
    }
    for (const { event_count: n, ...bucket } of countByHourlyBucket(deletedRows)) {
      await tx
        .updateTable('audit_event_counts')
        .set((eb) => ({ event_count: eb('event_count', '-', n) }))
        .where((eb) => eb.and(bucket))
        .execute();
      await tx
        .deleteFrom('audit_event_counts')
        .where((eb) => eb.and(bucket))
        .where('event_count', '<=', 0)
        .execute();
    }
    return deletedRows.length;
  });
}

/** Records the purged `seqs` of `orgId` as runs, each extending the run it continues, if one was recorded. */
async function recordPrunedRuns(tx: Transaction<AttestDatabase>, orgId: string, seqs: number[], nowMs: number): Promise<void> {
  for (const run of consecutiveRuns(seqs)) await recordPrunedRun(tx, orgId, run.first, run.last, nowMs);
}

/**
 * Records that `orgId`'s events `first`…`last` were purged at `nowMs`: extends the run it continues, if one
 * was recorded, else starts one. The row purge and the PostgreSQL drop of a whole week both record this way.
 */
export async function recordPrunedRun(
  tx: Transaction<AttestDatabase>,
  orgId: string,
  first: number,
  last: number,
  nowMs: number,
): Promise<void> {
  const extended = await tx
    .updateTable('log_pruned_ranges')
    .set({ last_seq: last, last_pruned_at: nowMs })
    .where('org_id', '=', orgId)
    .where('last_seq', '=', first - 1)
    .executeTakeFirst();
  if (Number(extended.numUpdatedRows) > 0) return;
  await tx
    .insertInto('log_pruned_ranges')
    .values({ org_id: orgId, first_seq: first, last_seq: last, first_pruned_at: nowMs, last_pruned_at: nowMs })
    .execute();
}

/** `[0, 1, 2, 7, 9, 10]` → runs 0–2, 7–7, 9–10. */
export function consecutiveRuns(seqs: readonly number[]): Array<{ first: number; last: number }> {
  const sorted = [...seqs].sort((a, b) => a - b);
  const runs: Array<{ first: number; last: number }> = [];
  for (const seq of sorted) {
    const last = runs[runs.length - 1];
    if (last && seq === last.last + 1) last.last = seq;
    else runs.push({ first: seq, last: seq });
  }
  return runs;
}
