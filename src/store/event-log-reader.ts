import {
  sql,
  type CompiledQuery,
  type Expression,
  type RawBuilder,
  type ExpressionBuilder,
  type Kysely,
  type SelectQueryBuilder,
} from 'kysely';
import { allEventTypes, eventTypesMeeting } from '../catalog/catalog-registry.js';
import type { AuditEventRecord } from '../events/audit-event.js';
import type { AttestDatabase } from './database-schema.js';
import { hourStart, rowToRecord, type RowFetch, type StoredEvent } from './event-rows.js';
import type { EventReadAhead } from './store-dialect.js';

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
  /** None of these event types. */
  excludedTypes?: readonly string[];
}

const STORED_EVENT_COLUMNS = ['record', 'leaf_hash', 'occurred_at', 'seq'] as const;

/** A page's place in the order: what an index walk finds before any row is read. */
interface PageKey {
  occurred_at: number;
  seq: number;
  row_id: number | null;
}

/** A position in the newest-first order: the last event a page showed. */
export interface EventPosition {
  occurredAtMs: number;
  seq: number;
}

/** How many events of a filter fell in one UTC hour, and how many of them were security actions. */
export interface HourCount {
  /** The hour's start, ms since the epoch (a multiple of an hour). */
  hourStartMs: number;
  events: number;
  securityEvents: number;
}

/** An actor seen in an organization's log. */
export interface KnownActor {
  email: string;
  name: string | null;
}

type EventsQuery = SelectQueryBuilder<AttestDatabase, 'audit_events', object>;
const HOUR_MS = 3_600_000;

/** The catalog types a filter leaves: undefined for every type, so no condition is needed at all. */
function typesOf(filter: EventFilter): string[] | undefined {
  const types = eventTypesMeeting(filter);
  return types?.length === allEventTypes().length ? undefined : types;
}

/**
 * The organization, the actor, and the catalog types the action, security, product and type filters leave
 * (those three belong to the type). Filtering on the type alone lets the time and actor indexes, which carry
 * it, decide each entry without reading its row (migration 0003). No type left matches nothing.
 */
function applyColumnFilters<Q extends EventsQuery>(query: Q, filter: EventFilter, types = typesOf(filter)): Q {
  let q = query.where('org_id', '=', filter.orgId) as Q;
  if (filter.actorEmail !== undefined) q = q.where('actor_email', '=', filter.actorEmail) as Q;
  if (types === undefined) return q;
  if (types.length === 0) return q.where(sql<boolean>`1 = 0`) as Q;
  // With an actor, the actor index is the walk to take: it carries the type, so a rare type costs the actor's
  // entries in the range and no rows. The type index would read a row for every event of the type to check
  // its actor, yet from statistics alone SQLite prefers it unless the actor is ten times narrower. `|| ''`
  // keeps the comparison while taking the type index out of the choice (SQLite's documented way, and valid
  // SQL for PostgreSQL as well).
  const type = filter.actorEmail === undefined ? sql.ref('type') : sql<string>`${sql.ref('type')} || ''`;
  return q.where(type, 'in', types) as Q;
}

/** How a page's reads are written for the database. */
interface ReadStyle {
  /**
   * As a row comparison, `(occurred_at, seq) < (t, s)` (PostgreSQL): the time index seeks it as one bound,
   * and the planner estimates the rows left from `occurred_at`'s histogram alone instead of combining guesses
   * for the two arms of the OR below. SQLite keeps the OR, whose plans its tests pin down.
   */
  rowValueKeyset: boolean;
  /**
   * The organization's head is read in the page's own statement, the page a lateral subquery (PostgreSQL,
   * reached over the network: one round trip instead of two). SQLite has no lateral joins and no round trips.
   */
  headWithPage: boolean;
  /**
   * The walks of several types as one lateral join over the list of types (PostgreSQL): the planner plans one
   * walk, run once per type, where a UNION ALL arm per type had it plan every type's walk of every weekly
   * partition in the range (26 types × 5 weeks: 20–40 ms of planning for a page that runs in 2 ms). SQLite has
   * no lateral joins and plans its UNION ALL in microseconds.
   */
  lateralTypeWalks: boolean;
}

/** The range of a page: [from, to) on the first page, and strictly older than the position on the next ones. */
function applyPageRange<Q extends EventsQuery>(query: Q, filter: EventFilter, after: EventPosition | undefined, style: ReadStyle): Q {
  const q = query.where('occurred_at', '>=', filter.fromMs) as Q;
  if (!after) return q.where('occurred_at', '<', filter.toMs) as Q;
  if (style.rowValueKeyset) {
    // The plain bound on occurred_at stays beside the row comparison: partition pruning reads only plain
    // comparisons of the partition key.
    return q
      .where('occurred_at', '<=', Math.min(after.occurredAtMs, filter.toMs - 1))
      .where(sql<boolean>`(${sql.ref('occurred_at')}, ${sql.ref('seq')}) < (${after.occurredAtMs}, ${after.seq})`) as Q;
  }
  // One upper bound at the position, never two: given `< to` as well, SQLite starts the index range scan at
  // `to` and walks (and discards) every newer row again on each page, and PostgreSQL cannot take a bound
  // from the OR alone. The OR then breaks ties on seq within the position's millisecond.
  return q
    .where('occurred_at', '<=', Math.min(after.occurredAtMs, filter.toMs - 1))
    .where((eb: ExpressionBuilder<AttestDatabase, 'audit_events'>) =>
      eb.or([eb('occurred_at', '<', after.occurredAtMs), eb.and([eb('occurred_at', '=', after.occurredAtMs), eb('seq', '<', after.seq)])]),
    ) as Q;
}

/** One walk of an index for a page: its range, newest first (the index read backwards), at most `limit` rows. */
function pageWalk<Q extends EventsQuery>(
  query: Q,
  filter: EventFilter,
  after: EventPosition | undefined,
  style: ReadStyle,
  limit: number,
): Q {
  return applyPageRange(query, filter, after, style).orderBy('occurred_at', 'desc').orderBy('seq', 'desc').limit(limit) as Q;
}

/**
 * How sparse a filter's events may lie in the log for an export to read ahead: at most this many seqs per
 * event of its first page. Measured on the benchmark dataset, cold: "security only" (about one event in four)
 * exported in half the time with the read-ahead, one actor of two hundred took half as long again.
 */
export const READ_AHEAD_MAX_SPAN = 8;

/** How many seqs a page's events span, first to last (they come newest first, not always in seq order). */
function seqSpan(page: readonly AuditEventRecord[]): number {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const event of page) {
    low = Math.min(low, event.seq);
    high = Math.max(high, event.seq);
  }
  return high - low + 1;
}

/**
 * Reads an organization's events newest first. Pages are keyset pages on (occurred_at, seq): a page after a
 * position never repeats or skips an event, whatever is inserted meanwhile.
 */
export class EventLogReader {
  constructor(
    private readonly db: Kysely<AttestDatabase>,
    /** The store's read-ahead for long reads, when it has one ({@link StoreDialect.startReadAhead}). */
    private readonly startReadAhead?: (orgId: string, fromSeq: number) => EventReadAhead,
    /** The database gives each row an integer `rowid` its index entries carry ({@link StoreDialect.hasRowIds}). */
    private readonly hasRowIds = false,
    /** Reads a page's rows by row id several at a time, where the store can ({@link StoreDialect.fetchRowsByRowId}). */
    private readonly fetchRowsByRowId?: RowFetch,
    private readonly style: ReadStyle = { rowValueKeyset: false, headWithPage: false, lateralTypeWalks: false },
  ) {}

  /**
   * Every event of the filter, newest first, in pages of `pageSize` (an export). Each page is its own short
   * query, read only when the consumer asks for it: no connection is held across pages, and memory stays at
   * a page however slow the consumer.
   *
   * From the first page on, the store reads ahead of the pages, until they end or the consumer stops asking,
   * when the filter keeps most of the log it passes over: a first page whose events span more than
   * {@link READ_AHEAD_MAX_SPAN} times as many seqs as it holds (a rare actor, say) would have it read ahead
   * mostly events the export skips.
   */
  async *pages(filter: EventFilter, pageSize: number): AsyncGenerator<AuditEventRecord[]> {
    let readAhead: EventReadAhead | undefined;
    try {
      let after: EventPosition | undefined;
      for (;;) {
        const page = await this.findPage(filter, pageSize, after);
        const last = page[page.length - 1];
        if (!last) return;
        if (readAhead) readAhead.reached(last.seq);
        else if (after === undefined && page.length === pageSize && seqSpan(page) <= pageSize * READ_AHEAD_MAX_SPAN) {
          readAhead = this.startReadAhead?.(filter.orgId, last.seq);
        }
        yield page;
        if (page.length < pageSize) return;
        after = { occurredAtMs: Date.parse(last.occurredAt), seq: last.seq };
      }
    } finally {
      readAhead?.stop();
    }
  }

  /** Up to `limit` events of the filter strictly older than `after` (or the newest when absent). */
  async findPage(filter: EventFilter, limit: number, after?: EventPosition): Promise<AuditEventRecord[]> {
    return (await this.readPage(filter, limit, after, false)).map(rowToRecord);
  }

  /**
   * {@link findPage} as the rows are stored, unparsed, with each row's position: for an answer that hands the
   * stored JSON on as it is (`storedRecordJson`) rather than parse and serialize it again. A page someone is
   * waiting for (the API's): where the store can, its rows are read several at a time.
   */
  async findStoredPage(filter: EventFilter, limit: number, after?: EventPosition): Promise<StoredEvent[]> {
    return this.readPage(filter, limit, after, true);
  }

  /**
   * {@link findStoredPage} with the organization's highest committed seq (-1 before its first event), read no
   * later than the page: an event committed in between is then both on the page and after `lastSeq`, never on
   * neither (a live feed resumed after `lastSeq` misses nothing). On PostgreSQL both come from one statement,
   * one snapshot and one round trip instead of two in a row ({@link ReadStyle.headWithPage}); elsewhere the
   * seq is read first.
   */
  async findStoredPageWithHead(
    filter: EventFilter,
    limit: number,
    after?: EventPosition,
  ): Promise<{ rows: StoredEvent[]; lastSeq: number }> {
    if (!this.style.headWithPage) {
      const lastSeq = await this.lastSeq(filter.orgId);
      return { rows: await this.findStoredPage(filter, limit, after), lastSeq };
    }
    const types = typesOf(filter);
    if (types !== undefined && types.length > 1 && filter.actorEmail === undefined) {
      if (this.style.lateralTypeWalks) return this.withHead(filter.orgId, this.typeWalkRowsQuery(filter, types, limit, after));
      const keys = await this.withHead(filter.orgId, this.walkTypesQuery(filter, types, limit, after));
      return { rows: await this.rowsOf(filter.orgId, keys.rows, undefined), lastSeq: keys.lastSeq };
    }
    return this.withHead(filter.orgId, this.singleWalk(filter, types, limit, after));
  }

  /**
   * A page query's rows and the organization's head in one statement: the page as a lateral subquery of a
   * single row that carries the head, so an empty page still answers the head (its one row then has no event).
   */
  private async withHead<R extends { occurred_at: number; seq: number }>(
    orgId: string,
    page: Expression<R>,
  ): Promise<{ rows: R[]; lastSeq: number }> {
    const { rows } = await this.headedPage(orgId, page).execute(this.db);
    const headNextSeq = rows[0]?.head_next_seq;
    return {
      rows: rows.flatMap(({ head_next_seq: _, ...row }) => (row.seq === null ? [] : [row as unknown as R])),
      lastSeq: headNextSeq === null || headNextSeq === undefined ? -1 : Number(headNextSeq) - 1,
    };
  }

  /** The statement of {@link withHead}; every column of the page is null in the one row of an empty page. */
  private headedPage<R>(orgId: string, page: Expression<R>) {
    const head = this.db.selectFrom('org_log_heads').select('next_seq').where('org_id', '=', orgId);
    return sql<{ [K in keyof R]: R[K] | null } & { head_next_seq: number | null }>`
      select (${head}) as head_next_seq, page.*
        from (select 1) as one left join lateral (${page}) as page on true
       order by page.occurred_at desc, page.seq desc`;
  }

  /**
   * The statement {@link findStoredPageWithHead} runs on PostgreSQL for a filter of at most one type: the
   * page of {@link singleWalkQuery} with the head, here to be explained (tests of its plan).
   */
  pageWithHeadQuery(filter: EventFilter, limit: number, after?: EventPosition): CompiledQuery {
    return this.headedPage(filter.orgId, this.singleWalk(filter, typesOf(filter), limit, after)).compile(this.db);
  }

  /**
   * One page. One index range scan that reads each row as it meets it, unless the page is better read in two
   * steps: the index walk first, reading index entries only, then the rows it found. Two steps for several
   * types (see {@link walkTypesQuery}), and, on a store that reads rows by row id several at a time, for a page
   * someone waits for: read one after another from a cold page cache, a filtered page's scattered rows cost
   * a disk round trip each. An export's pages are read one after another by the export, with its read-ahead.
   */
  private async readPage(filter: EventFilter, limit: number, after: EventPosition | undefined, waitedFor: boolean): Promise<StoredEvent[]> {
    const types = typesOf(filter);
    const severalTypes = types !== undefined && types.length > 1 && filter.actorEmail === undefined;
    const fetchRows = waitedFor && this.hasRowIds ? this.fetchRowsByRowId : undefined;
    if (severalTypes && this.style.lateralTypeWalks)
      return (await this.typeWalkRowsQuery(filter, types, limit, after).execute(this.db)).rows;
    if (severalTypes) return this.rowsOf(filter.orgId, await this.unionTypeWalksQuery(filter, types, limit, after).execute(), fetchRows);
    if (fetchRows) return this.rowsOf(filter.orgId, await this.walkIndex(filter, types, limit, after), fetchRows);
    return this.singleWalk(filter, types, limit, after).execute();
  }

  /**
   * The query of a page read in one index walk (no type set of several types): what {@link findPage} runs for
   * such a filter on a store without row ids, here to be compiled and explained (tests of its plan).
   */
  singleWalkQuery(filter: EventFilter, limit: number, after?: EventPosition): CompiledQuery {
    return this.singleWalk(filter, typesOf(filter), limit, after).compile();
  }

  private singleWalk(filter: EventFilter, types: string[] | undefined, limit: number, after: EventPosition | undefined) {
    return pageWalk(
      applyColumnFilters(this.db.selectFrom('audit_events').select(STORED_EVENT_COLUMNS), filter, types),
      filter,
      after,
      this.style,
      limit,
    );
  }

  /**
   * The statement that finds the keys of a page of a filter of several types ({@link walkTypesQuery}), here to be
   * compiled and explained (tests of its plan).
   */
  typeWalksQuery(filter: EventFilter, limit: number, after?: EventPosition): CompiledQuery {
    const types = typesOf(filter);
    if (types === undefined || types.length < 2) throw new Error('typeWalksQuery: the filter must leave several types');
    return sql`${this.walkTypesQuery(filter, types, limit, after)}`.compile(this.db);
  }

  /** The keys of a page in the index that fits the filter, reading index entries only (each carries its row id). */
  private walkIndex(filter: EventFilter, types: string[] | undefined, limit: number, after: EventPosition | undefined): Promise<PageKey[]> {
    return pageWalk(
      applyColumnFilters(this.db.selectFrom('audit_events').select(['occurred_at', 'seq', this.rowIdColumn()]), filter, types),
      filter,
      after,
      this.style,
      limit,
    ).execute();
  }

  /**
   * The keys of a page of several types (an action type, "security only", a product area): each type's newest
   * events are walked in order in the type index and the walks merged, reading index entries only. A page
   * costs the same whether the types are common or absent from the range; one walk of the time index would
   * read a month of entries to fill a page of rare types, and one sorted IN lookup would sort every match of
   * the month. As one lateral walk over the list of types ({@link lateralTypeWalksQuery}) where the store
   * plans that well, else as a UNION ALL of a walk per type ({@link unionTypeWalksQuery}).
   */
  private walkTypesQuery(
    filter: EventFilter,
    types: readonly string[],
    limit: number,
    after: EventPosition | undefined,
  ): Expression<PageKey> {
    return this.style.lateralTypeWalks
      ? this.lateralTypeWalksQuery(filter, types, limit, after)
      : this.unionTypeWalksQuery(filter, types, limit, after);
  }

  /** {@link walkTypesQuery} as a UNION ALL of one walk per type. */
  private unionTypeWalksQuery(filter: EventFilter, types: readonly string[], limit: number, after: EventPosition | undefined) {
    // Each walk carries its own ORDER BY and LIMIT, as a subquery (SQLite accepts no parenthesized arms): then
    // PostgreSQL, too, reads at most `limit` entries per type backwards in the index, where a bare UNION ALL
    // let it fetch and sort every match of the range (27 ms at 150,000 events, growing with the log).
    const walks = types.map((type, i) =>
      this.db
        .selectFrom(
          pageWalk(
            this.db
              .selectFrom('audit_events')
              .select(['occurred_at', 'seq', this.rowIdColumn()])
              .where('org_id', '=', filter.orgId)
              .where('type', '=', type),
            filter,
            after,
            this.style,
            limit,
          ).as(`walk_${i}`),
        )
        .select(['occurred_at', 'seq', 'row_id']),
    );
    const [first, ...rest] = walks as [(typeof walks)[number], ...(typeof walks)[number][]];
    const merged = rest.reduce((union, walk) => union.unionAll(walk), first);
    return merged.orderBy('occurred_at', 'desc').orderBy('seq', 'desc').limit(limit);
  }

  /**
   * {@link walkTypesQuery} as one walk joined laterally to the list of types: `limit` entries of each type
   * backwards in the type index, the newest `limit` of them kept. The list is one array parameter, so the
   * statement is the same whatever the number of types, and one walk is planned, not one per type.
   */
  private lateralTypeWalksQuery(
    filter: EventFilter,
    types: readonly string[],
    limit: number,
    after: EventPosition | undefined,
  ): RawBuilder<PageKey> {
    const walk = pageWalk(
      this.db
        .selectFrom('audit_events')
        .select(['occurred_at', 'seq'])
        .where('org_id', '=', filter.orgId)
        .where('type', '=', sql.ref<string>('walked.type')),
      filter,
      after,
      this.style,
      limit,
    );
    return sql<PageKey>`
      select page.occurred_at, page.seq, null::bigint as row_id
        from unnest(${[...types]}::text[]) as walked(type) cross join lateral (${walk}) as page
       order by page.occurred_at desc, page.seq desc
       limit ${limit}`;
  }

  /**
   * A page of several types in one statement (with {@link ReadStyle.lateralTypeWalks}): the keys of
   * {@link lateralTypeWalksQuery}, then the row of each key by the primary key, instead of a second statement
   * with the keys as parameters (another round trip, and another plan). The range's bounds leave the weeks
   * outside it out of the plan; each key's `occurred_at` leaves out the rest as the join runs.
   */
  private typeWalkRowsQuery(
    filter: EventFilter,
    types: readonly string[],
    limit: number,
    after: EventPosition | undefined,
  ): RawBuilder<StoredEvent> {
    return sql<StoredEvent>`
      select row.record, row.leaf_hash, row.occurred_at, row.seq
        from (${this.lateralTypeWalksQuery(filter, types, limit, after)}) as page
        join audit_events as row on row.org_id = ${filter.orgId} and row.seq = page.seq and row.occurred_at = page.occurred_at
       where row.occurred_at >= ${filter.fromMs} and row.occurred_at < ${filter.toMs}
       order by page.occurred_at desc, page.seq desc`;
  }

  /**
   * The rows of a page's keys, in the keys' order: by row id where the database has them (through `fetchRows`
   * when given), by seq otherwise.
   */
  private async rowsOf(orgId: string, keys: readonly PageKey[], fetchRows: RowFetch | undefined): Promise<StoredEvent[]> {
    if (keys.length === 0) return [];
    const bySeq = new Map<number, StoredEvent>();
    if (this.hasRowIds) {
      // Straight to each row by the row id its index entry carried: read by seq, every row would cost a walk
      // of the primary key index first, whose pages a cold page of scattered events reads from the disk too.
      const rowIds = keys.flatMap((key) => (key.row_id === null ? [] : [key.row_id]));
      // The organization is checked with the row id: a renumbered id may point at another organization's row.
      const rows = fetchRows
        ? await fetchRows(orgId, rowIds).catch(() => this.rowsByRowId(orgId, rowIds))
        : await this.rowsByRowId(orgId, rowIds);
      for (const row of rows) bySeq.set(Number(row.seq), row);
    }
    // By seq: every row on a database without row ids, and any row whose id changed in between (a VACUUM may
    // number rows anew).
    const missingKeys = keys.filter((key) => !bySeq.has(Number(key.seq)));
    if (missingKeys.length > 0) {
      // The keys' own time span bounds the read as well: on PostgreSQL, where the log is split into weekly
      // partitions, `seq in (…)` alone would probe every week's index; with the span only the page's weeks.
      const times = missingKeys.map((key) => Number(key.occurred_at));
      const rows = await this.db
        .selectFrom('audit_events')
        .select(STORED_EVENT_COLUMNS)
        .where('org_id', '=', orgId)
        .where('occurred_at', '>=', Math.min(...times))
        .where('occurred_at', '<=', Math.max(...times))
        .where(
          'seq',
          'in',
          missingKeys.map((key) => key.seq),
        )
        .execute();
      for (const row of rows) bySeq.set(Number(row.seq), row);
    }
    return keys.flatMap((key) => {
      const row = bySeq.get(Number(key.seq));
      return row ? [row] : [];
    });
  }

  private rowsByRowId(orgId: string, rowIds: readonly number[]): Promise<StoredEvent[]> {
    return this.db
      .selectFrom('audit_events')
      .select(STORED_EVENT_COLUMNS)
      .where(sql.ref('rowid'), 'in', rowIds)
      .where('org_id', '=', orgId)
      .execute();
  }

  /** The row id of each row where the database has them; a constant otherwise, so the walks keep one shape. */
  private rowIdColumn() {
    return (this.hasRowIds ? sql<number | null>`rowid` : sql<number | null>`null`).as('row_id');
  }

  /**
   * How many events match. Whole UTC hours inside the range are summed from the hourly counts; the partial
   * hours at either edge (and any actor filter, which the counts do not carry) are counted row by row.
   */
  async count(filter: EventFilter): Promise<number> {
    // The catalog types the filter leaves are worked out once for every part of the count.
    const types = typesOf(filter);
    if (types?.length === 0) return 0;
    if (filter.actorEmail !== undefined) return this.countRows(filter.fromMs, filter.toMs, filter, types);
    const firstWholeHour = hourStart(filter.fromMs + HOUR_MS - 1);
    const endOfWholeHours = hourStart(filter.toMs);
    if (firstWholeHour >= endOfWholeHours) return this.countRows(filter.fromMs, filter.toMs, filter, types);
    const [head, middle, tail] = await Promise.all([
      this.countRows(filter.fromMs, firstWholeHour, filter, types),
      this.sumHourlyCounts(firstWholeHour, endOfWholeHours, filter.orgId, types),
      this.countRows(endOfWholeHours, filter.toMs, filter, types),
    ]);
    return head + middle + tail;
  }

  private async countRows(fromMs: number, toMs: number, filter: EventFilter, types: string[] | undefined): Promise<number> {
    if (fromMs >= toMs) return 0;
    const row = await applyColumnFilters(this.db.selectFrom('audit_events'), filter, types)
      .where('occurred_at', '>=', fromMs)
      .where('occurred_at', '<', toMs)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The hourly counts rows of an organization's whole hours in [fromHour, toHour), of `types` when given. */
  private hourlyCountRows(fromHour: number, toHour: number, orgId: string, types: string[] | undefined) {
    const query = this.db
      .selectFrom('audit_event_counts')
      .where('org_id', '=', orgId)
      .where('hour_start', '>=', fromHour)
      .where('hour_start', '<', toHour);
    return types === undefined ? query : query.where('type', 'in', types);
  }

  private async sumHourlyCounts(fromHour: number, toHour: number, orgId: string, types: string[] | undefined): Promise<number> {
    const row = await this.hourlyCountRows(fromHour, toHour, orgId, types)
      .select(sql<number>`coalesce(sum(event_count), 0)`.as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * The filter's events per UTC hour (hours without events are left out), oldest first: the chart above the
   * table. Like {@link count}, whole hours come from the hourly counts and the partial hours at either edge
   * (or every hour, with an actor filter, which the counts do not carry) from the rows.
   */
  async countByHour(filter: EventFilter): Promise<HourCount[]> {
    const types = typesOf(filter);
    if (types?.length === 0) return [];
    const parts: HourCount[][] = [];
    if (filter.actorEmail !== undefined) {
      parts.push(await this.countRowsByHour(filter.fromMs, filter.toMs, filter, types));
    } else {
      const firstWholeHour = hourStart(filter.fromMs + HOUR_MS - 1);
      const endOfWholeHours = hourStart(filter.toMs);
      if (firstWholeHour >= endOfWholeHours) {
        parts.push(await this.countRowsByHour(filter.fromMs, filter.toMs, filter, types));
      } else {
        parts.push(
          ...(await Promise.all([
            this.countRowsByHour(filter.fromMs, firstWholeHour, filter, types),
            this.hourlyCountsBetween(firstWholeHour, endOfWholeHours, filter.orgId, types),
            this.countRowsByHour(endOfWholeHours, filter.toMs, filter, types),
          ])),
        );
      }
    }
    // The edge parts may share an hour with each other (a range within one hour) but never with the middle.
    const byHour = new Map<number, HourCount>();
    for (const count of parts.flat()) {
      const seen = byHour.get(count.hourStartMs);
      if (seen) {
        seen.events += count.events;
        seen.securityEvents += count.securityEvents;
      } else byHour.set(count.hourStartMs, { ...count });
    }
    return [...byHour.values()].sort((a, b) => a.hourStartMs - b.hourStartMs);
  }

  private async countRowsByHour(fromMs: number, toMs: number, filter: EventFilter, types: string[] | undefined): Promise<HourCount[]> {
    if (fromMs >= toMs) return [];
    // Integer division on both databases (occurred_at is an integer column; the divisor an integer literal).
    const hour = sql<number>`occurred_at / ${sql.lit(HOUR_MS)}`;
    const rows = await applyColumnFilters(this.db.selectFrom('audit_events'), filter, types)
      .where('occurred_at', '>=', fromMs)
      .where('occurred_at', '<', toMs)
      .select([hour.as('hour'), sql<number>`count(*)`.as('events'), sql<number>`sum(security)`.as('security_events')])
      .groupBy(hour)
      .execute();
    return rows.map((r) => ({
      hourStartMs: Number(r.hour) * HOUR_MS,
      events: Number(r.events),
      securityEvents: Number(r.security_events),
    }));
  }

  private async hourlyCountsBetween(fromHour: number, toHour: number, orgId: string, types: string[] | undefined): Promise<HourCount[]> {
    const rows = await this.hourlyCountRows(fromHour, toHour, orgId, types)
      .select([
        'hour_start',
        sql<number>`sum(event_count)`.as('events'),
        sql<number>`sum(case when security = 1 then event_count else 0 end)`.as('security_events'),
      ])
      .groupBy('hour_start')
      .execute();
    return rows.map((r) => ({ hourStartMs: Number(r.hour_start), events: Number(r.events), securityEvents: Number(r.security_events) }));
  }

  /** One event by its log id, only within its organization. */
  async findByLogId(orgId: string, logId: string): Promise<AuditEventRecord | undefined> {
    const row = await this.findStoredByLogId(orgId, logId);
    return row ? rowToRecord(row) : undefined;
  }

  /** {@link findByLogId} as the row is stored, unparsed (see {@link findStoredPage}). */
  findStoredByLogId(orgId: string, logId: string): Promise<StoredEvent | undefined> {
    return this.db
      .selectFrom('audit_events')
      .select(STORED_EVENT_COLUMNS)
      .where('log_id', '=', logId)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
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

  /**
   * The stored events with seq in [fromSeq, toSeq) that the filter keeps (its range and columns; without a
   * filter every one of `orgId`), in seq order, in pages each read only when asked: a verifiable export lists
   * its events in the order of their leaves. With `withRecord` false only seq and leaf hash are read.
   */
  async *pagesBySeq(
    orgId: string,
    range: { fromSeq: number; toSeq: number },
    pageSize: number,
    options: { filter?: EventFilter; withRecord: boolean },
  ): AsyncGenerator<Array<{ seq: number; leaf_hash: string; record: string }>> {
    const { filter } = options;
    for (let fromSeq = range.fromSeq; fromSeq < range.toSeq;) {
      let query = this.db
        .selectFrom('audit_events')
        .select(['seq', 'leaf_hash', options.withRecord ? sql<string>`record`.as('record') : sql<string>`''`.as('record')])
        .where('org_id', '=', orgId)
        .where('seq', '>=', fromSeq)
        .where('seq', '<', range.toSeq);
      if (filter)
        query = applyColumnFilters(query, filter).where('occurred_at', '>=', filter.fromMs).where('occurred_at', '<', filter.toMs);
      const rows = await query.orderBy('seq').limit(pageSize).execute();
      if (rows.length === 0) return;
      const page = rows.map((row) => ({ seq: Number(row.seq), leaf_hash: row.leaf_hash, record: row.record }));
      yield page;
      fromSeq = page[page.length - 1]!.seq + 1;
    }
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
        eb.or([eb(sql`actor_email`, 'like', sql`${pattern} escape '\\'`), eb(sql`lower(actor_name)`, 'like', sql`${pattern} escape '\\'`)]),
      )
      .orderBy('actor_email')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ email: r.actor_email, name: r.actor_name }));
  }
}
