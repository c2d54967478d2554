import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { AuditEventRecord } from '../events/audit-event.js';
import type { AttestDatabase } from './database-schema.js';
import { hourStart, rowToRecord } from './event-log-writer.js';

/** Which events of one organization a query covers. The range is [fromMs, toMs). */
export interface EventFilter {
  orgId: string;
  fromMs: number;
  toMs: number;
  /** Any of these action types. */
  actions?: readonly string[];
  /** Lowercased actor email, exact. */
  actorEmail?: string;
  securityOnly?: boolean;
  /** Any of these event types. */
  types?: readonly string[];
  /** Any of these product areas. */
  products?: readonly string[];
}

/** A position in the newest-first order: the last event a page showed. */
export interface EventPosition {
  occurredAtMs: number;
  seq: number;
}

/** An actor seen in an organization's log. */
export interface KnownActor {
  email: string;
  name: string | null;
}

type EventsQuery = SelectQueryBuilder<AttestDatabase, 'audit_events', object>;
const HOUR_MS = 3_600_000;

function applyColumnFilters<Q extends EventsQuery>(query: Q, filter: EventFilter): Q {
  let q = query.where('org_id', '=', filter.orgId) as Q;
  if (filter.actions?.length) q = q.where('action', 'in', filter.actions) as Q;
  if (filter.actorEmail !== undefined) q = q.where('actor_email', '=', filter.actorEmail) as Q;
  if (filter.securityOnly) q = q.where('security', '=', 1) as Q;
  if (filter.types?.length) q = q.where('type', 'in', filter.types) as Q;
  if (filter.products?.length) q = q.where('product', 'in', filter.products) as Q;
  return q;
}

/**
 * Reads an organization's events newest first. Pages are keyset pages on (occurred_at, seq): a page after a
 * position never repeats or skips an event, whatever is inserted meanwhile.
 */
export class EventLogReader {
  constructor(private readonly db: Kysely<AttestDatabase>) {}

  /** Up to `limit` events of the filter strictly older than `after` (or the newest when absent). */
  async findPage(filter: EventFilter, limit: number, after?: EventPosition): Promise<AuditEventRecord[]> {
    let query = applyColumnFilters(this.db.selectFrom('audit_events').select(['record', 'leaf_hash']), filter).where('occurred_at', '>=', filter.fromMs);
    if (!after) {
      query = query.where('occurred_at', '<', filter.toMs);
    } else {
      // One upper bound at the position, never two: given `< to` as well, SQLite starts the index range scan at
      // `to` and walks (and discards) every newer row again on each page, and PostgreSQL cannot take a bound
      // from the OR alone. The OR then breaks ties on seq within the position's millisecond.
      query = query.where('occurred_at', '<=', Math.min(after.occurredAtMs, filter.toMs - 1)).where((eb: ExpressionBuilder<AttestDatabase, 'audit_events'>) =>
        eb.or([
          eb('occurred_at', '<', after.occurredAtMs),
          eb.and([eb('occurred_at', '=', after.occurredAtMs), eb('seq', '<', after.seq)]),
        ]),
      );
    }
    const rows = await query.orderBy('occurred_at', 'desc').orderBy('seq', 'desc').limit(limit).execute();
    return rows.map(rowToRecord);
  }

  /**
   * How many events match. Whole UTC hours inside the range are summed from the hourly counts; the partial
   * hours at either edge (and any actor filter, which the counts do not carry) are counted row by row.
   */
  async count(filter: EventFilter): Promise<number> {
    if (filter.actorEmail !== undefined) return this.countRows(filter.fromMs, filter.toMs, filter);
    const firstWholeHour = hourStart(filter.fromMs + HOUR_MS - 1);
    const endOfWholeHours = hourStart(filter.toMs);
    if (firstWholeHour >= endOfWholeHours) return this.countRows(filter.fromMs, filter.toMs, filter);
    const [head, middle, tail] = await Promise.all([
      this.countRows(filter.fromMs, firstWholeHour, filter),
      this.sumHourlyCounts(firstWholeHour, endOfWholeHours, filter),
      this.countRows(endOfWholeHours, filter.toMs, filter),
    ]);
    return head + middle + tail;
  }

  private async countRows(fromMs: number, toMs: number, filter: EventFilter): Promise<number> {
    if (fromMs >= toMs) return 0;
    const row = await applyColumnFilters(this.db.selectFrom('audit_events'), filter)
      .where('occurred_at', '>=', fromMs)
      .where('occurred_at', '<', toMs)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async sumHourlyCounts(fromHour: number, toHour: number, filter: EventFilter): Promise<number> {
    let query = this.db
      .selectFrom('audit_event_counts')
      .where('org_id', '=', filter.orgId)
      .where('hour_start', '>=', fromHour)
      .where('hour_start', '<', toHour);
    if (filter.actions?.length) query = query.where('action', 'in', filter.actions);
    if (filter.securityOnly) query = query.where('security', '=', 1);
    if (filter.types?.length) query = query.where('type', 'in', filter.types);
    if (filter.products?.length) query = query.where('product', 'in', filter.products);
    const row = await query
      .select(sql<number>`coalesce(sum(event_count), 0)`.as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** One event by its log id, only within its organization. */
  async findByLogId(orgId: string, logId: string): Promise<AuditEventRecord | undefined> {
    const row = await this.db
      .selectFrom('audit_events')
      .select(['record', 'leaf_hash'])
      .where('log_id', '=', logId)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return row ? rowToRecord(row) : undefined;
  }

  /** Events of an organization committed after `afterSeq`, oldest first (the live feed and its resumption). */
  async findAfterSeq(orgId: string, afterSeq: number, limit: number): Promise<AuditEventRecord[]> {
    const rows = await this.db
      .selectFrom('audit_events')
      .select(['record', 'leaf_hash'])
      .where('org_id', '=', orgId)
      .where('seq', '>', afterSeq)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map(rowToRecord);
  }

  /** The highest committed seq of an organization, or -1 when its log is empty. */
  async lastSeq(orgId: string): Promise<number> {
    const row = await this.db.selectFrom('org_log_heads').select('next_seq').where('org_id', '=', orgId).executeTakeFirst();
    return row ? Number(row.next_seq) - 1 : -1;
  }

  /** Actors of the organization whose email or name contains the text, for the email search box. */
  async findActors(orgId: string, text: string, limit: number): Promise<KnownActor[]> {
    const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.db
      .selectFrom('audit_actors')
      .select(['actor_email', 'actor_name'])
      .where('org_id', '=', orgId)
      .where((eb) =>
        eb.or([
          eb(sql`actor_email`, 'like', sql`${pattern} escape '\\'`),
          eb(sql`lower(actor_name)`, 'like', sql`${pattern} escape '\\'`),
        ]),
      )
      .orderBy('actor_email')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ email: r.actor_email, name: r.actor_name }));
  }
}
