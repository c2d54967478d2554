import type { Kysely } from 'kysely';
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
 * @returns how many events were deleted; 0 means nothing expired is left.
 */
export async function purgeExpiredBatch(db: Kysely<AttestDatabase>, nowMs: number, batchSize: number): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const expired = await tx
      .selectFrom('audit_events')
      .select(['org_id', 'seq'])
      .where('expires_at', '<=', nowMs)
      .orderBy('expires_at')
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
        .returning(['org_id', 'occurred_at', 'type', 'action', 'product', 'security'])
        .execute();
      deletedRows.push(...rows);
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
