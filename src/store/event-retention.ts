import type { Kysely } from 'kysely';
import type { AttestDatabase } from './database-schema.js';
import { hourStart } from './event-log-writer.js';

/**
 * Deletes at most `batchSize` events whose `expiresAt` has passed, with their hourly counts, in one short
 * transaction. This is the only code path that deletes an audit event (PRODUCT.md §2). Small batches keep
 * each write lock brief, so ingest and queries are never held up for long.
 *
 * @returns how many events were deleted; 0 means nothing expired is left.
 */
export async function purgeExpiredBatch(db: Kysely<AttestDatabase>, nowMs: number, batchSize: number): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const expired = await tx
      .selectFrom('audit_events')
      .select(['org_id', 'seq', 'occurred_at', 'type', 'action', 'product', 'security'])
      .where('expires_at', '<=', nowMs)
      .orderBy('expires_at')
      .limit(batchSize)
      .execute();
    if (expired.length === 0) return 0;

    const seqsByOrg = new Map<string, number[]>();
    const countDecrements = new Map<string, { org_id: string; hour_start: number; type: string; action: string; product: string; security: number; n: number }>();
    for (const row of expired) {
      seqsByOrg.set(row.org_id, [...(seqsByOrg.get(row.org_id) ?? []), Number(row.seq)]);
      const hour = hourStart(Number(row.occurred_at));
      const key = [row.org_id, hour, row.type, row.action, row.product, row.security].join('\u0000');
      const entry = countDecrements.get(key);
      if (entry) entry.n += 1;
      else countDecrements.set(key, { org_id: row.org_id, hour_start: hour, type: row.type, action: row.action, product: row.product, security: Number(row.security), n: 1 });
    }
    for (const [orgId, seqs] of seqsByOrg) {
      await tx.deleteFrom('audit_events').where('org_id', '=', orgId).where('seq', 'in', seqs).execute();
    }
    for (const d of countDecrements.values()) {
      const bucketKey = { org_id: d.org_id, hour_start: d.hour_start, type: d.type, action: d.action, product: d.product, security: d.security };
      await tx
        .updateTable('audit_event_counts')
        .set((eb) => ({ event_count: eb('event_count', '-', d.n) }))
        .where((eb) => eb.and(bucketKey))
        .execute();
      await tx
        .deleteFrom('audit_event_counts')
        .where((eb) => eb.and(bucketKey))
        .where('event_count', '<=', 0)
        .execute();
    }
    return expired.length;
  });
}
