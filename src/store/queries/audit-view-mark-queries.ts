import type { QueryExecutor } from './query-executor.js';

// The named queries of the audit-log view marks: when each reader last had `audit_log.viewed` recorded in an
// organization, so a view is recorded at most once per window (PRODUCT.md §3).

/** When `principal` last had a view recorded in the organization, or undefined. */
export async function lastViewMarkedAt(db: QueryExecutor, principal: string, orgId: string): Promise<number | undefined> {
  const mark = await db
    .selectFrom('audit_view_marks')
    .select('viewed_at')
    .where('principal', '=', principal)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return mark ? Number(mark.viewed_at) : undefined;
}

/**
 * Claims the view mark of `principal` in the organization at `nowMs` if it has none or its last one is at least
 * `windowMs` old; whether it did. One conditional upsert, so of two concurrent claims in one window only one wins.
 */
export async function claimViewMark(
  db: QueryExecutor,
  principal: string,
  orgId: string,
  nowMs: number,
  windowMs: number,
): Promise<boolean> {
  const claimed = await db
    .insertInto('audit_view_marks')
    .values({ principal, org_id: orgId, viewed_at: nowMs })
    .onConflict((oc) =>
      oc
        .columns(['principal', 'org_id'])
        .doUpdateSet({ viewed_at: nowMs })
        .where('audit_view_marks.viewed_at', '<=', nowMs - windowMs),
    )
    .returning('viewed_at')
    .executeTakeFirst();
  return claimed !== undefined;
}
