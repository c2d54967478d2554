import { Type, type TObject, type TProperties } from '@sinclair/typebox';
import { ACTION_TYPES } from '../../../catalog/event-catalog.js';
import type { AuditEventRecord } from '../../../events/audit-event.js';

/**
 * Query-string and response schemas of the owner audit-log API. They are the OpenAPI document; values are
 * checked against the catalog by this feature's `query/audit-log-query.ts`, so the API, the export and the CLI
 * agree.
 */

/** A reference to the shared `AuditEvent` schema (registered once by `createHttpApp`). */
export const AuditEventRef = Type.Unsafe<AuditEventRecord>(Type.Ref('AuditEvent'));

const repeatable = (description: string, maxLength: number) =>
  Type.Optional(Type.Array(Type.String({ maxLength }), { maxItems: 50, description }));

/** The filters proper, shared by the list, the export and the live stream. */
export const FilterQueryProperties = {
  action: repeatable(`Action type, repeatable: ${ACTION_TYPES.join(', ')}`, 40),
  actor: Type.Optional(Type.String({ maxLength: 320, description: 'Email of the actor (case-insensitive, exact)' })),
  security: Type.Optional(Type.Boolean({ description: 'true: only security actions' })),
  type: repeatable('Event type (catalog key), repeatable', 200),
  product: repeatable('Product area, repeatable', 100),
  excludeType: repeatable(
    'Event type (catalog key) to leave out, repeatable; e.g. session.login.succeeded and audit_log.viewed hide routine sign-ins and views',
    200,
  ),
} satisfies TProperties;

/** `from`/`to`: the range [from, to), at most 30 days; without them the last 30 days. */
export const RangeQueryProperties = {
  from: Type.Optional(
    Type.String({ maxLength: 64, description: "Start, inclusive: ISO-8601 (without an offset: wall time in the organization's zone)" }),
  ),
  to: Type.Optional(Type.String({ maxLength: 64, description: 'End, exclusive: ISO-8601; default now' })),
} satisfies TProperties;

function query<P extends TProperties>(properties: P): TObject<P> {
  return Type.Object(properties, { additionalProperties: false });
}

/** `GET /audit-logs`: range, filters, and the keyset page (`cursor`, `limit` 1–200, default 50). */
export const ListQuerySchema = query({
  ...RangeQueryProperties,
  ...FilterQueryProperties,
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'nextCursor of the previous page, with the same filters' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

/** `GET /audit-logs/export`: the scope, then the list's range and filters (used only by `scope=filtered`). */
export const ExportQuerySchema = query({
  scope: Type.Union([Type.Literal('all'), Type.Literal('filtered')], {
    description: 'all: everything retained, whatever the filters; filtered: the filters and range (at least one filter)',
  }),
  format: Type.Optional(
    Type.Union([Type.Literal('csv'), Type.Literal('bundle')], {
      default: 'csv',
      description:
        'csv: the spreadsheet (default); bundle: a zip of events.csv, records.jsonl, the signed checkpoint, the proof and README.txt, which `attest verify BUNDLE --key VKEY` checks offline',
    }),
  ),
  ...RangeQueryProperties,
  ...FilterQueryProperties,
});

/** `GET /audit-logs/stream`: the filters (no range: the feed is live) and where to resume. */
export const StreamQuerySchema = query({
  ...FilterQueryProperties,
  lastEventId: Type.Optional(
    Type.Integer({ minimum: -1, description: 'Resume after this seq (same as the Last-Event-ID header, for a first connection)' }),
  ),
});

/** `GET /audit-logs/actors`: the text typed into the email search box. */
export const ActorsQuerySchema = query({ q: Type.String({ maxLength: 320, default: '' }) });

/** Something the caller should know although the request succeeded, e.g. `RANGE_CLAMPED`. */
export const WarningSchema = Type.Object({ code: Type.String(), message: Type.String() });

/** One page of the list, with the total of the whole range and the effective range. */
export const AuditLogPageSchema = Type.Object({
  data: Type.Array(AuditEventRef),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  total: Type.Integer({ minimum: 0 }),
  warnings: Type.Array(WarningSchema),
  range: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }),
  lastSeq: Type.Integer({
    minimum: -1,
    description:
      "The organization's highest committed seq when the page was read: pass it as the stream's lastEventId to follow the log from there",
  }),
});

/** Actor suggestions for the email search box. */
export const ActorsSchema = Type.Object({
  data: Type.Array(Type.Object({ email: Type.String(), name: Type.Union([Type.String(), Type.Null()]) })),
});

/** `/audit-logs/{logId}` path parameters. */
export const LogIdParamsSchema = Type.Object({ orgId: Type.String(), logId: Type.String({ maxLength: 100 }) });

/** A non-JSON 200 body, described for OpenAPI (the payload itself is a stream). */
export function streamedBody(mediaType: string, description: string) {
  return { description, content: { [mediaType]: { schema: Type.String() } } };
}
