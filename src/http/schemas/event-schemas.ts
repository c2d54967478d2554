import { Type } from '@sinclair/typebox';
import { INGEST_LIMITS } from '../../catalog/incoming-event.js';

const JsonAny = Type.Unknown();
const Text = (maxLength: number = INGEST_LIMITS.maxTextLength) => Type.String({ maxLength });
const Id = Type.String({ minLength: 1, maxLength: INGEST_LIMITS.maxIdLength });
const ActorType = Type.Union([Type.Literal('user'), Type.Literal('service'), Type.Literal('system')]);
const Change = Type.Object({ field: Type.String({ minLength: 1, maxLength: 200 }), from: JsonAny, to: JsonAny }, { additionalProperties: false });

/** An event as a producer sends it (PRODUCT.md §7). */
export const IncomingEventSchema = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 200 }),
    orgId: Type.String({ minLength: 1, maxLength: 100 }),
    occurredAt: Type.Optional(Type.String({ maxLength: 40 })),
    actor: Type.Object(
      { id: Id, name: Type.Optional(Text(300)), email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })), type: Type.Optional(ActorType) },
      { additionalProperties: false },
    ),
    entity: Type.Object({ id: Id, name: Type.Optional(Text(300)), type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false }),
    description: Type.Optional(Text()),
    changes: Type.Optional(Type.Array(Change, { maxItems: 100 })),
    metadata: Type.Optional(Type.Record(Type.String(), JsonAny)),
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: INGEST_LIMITS.maxIdLength })),
  },
  { additionalProperties: false },
);

export const IngestBodySchema = Type.Object(
  { events: Type.Array(IncomingEventSchema, { minItems: 1, maxItems: INGEST_LIMITS.maxEventsPerRequest }) },
  { additionalProperties: false },
);

export const IngestResponseSchema = Type.Object({
  events: Type.Array(Type.Object({ logId: Type.String(), seq: Type.Integer(), duplicate: Type.Boolean() })),
  traceId: Type.String(),
});

/** An audit event record (PRODUCT.md §4). */
export const AuditEventSchema = Type.Object(
  {
    logId: Type.String(),
    orgId: Type.String(),
    seq: Type.Integer(),
    product: Type.String(),
    type: Type.String(),
    action: Type.String(),
    activity: Type.String(),
    description: Type.String(),
    securityAction: Type.Boolean(),
    occurredAt: Type.String({ format: 'date-time' }),
    recordedAt: Type.String({ format: 'date-time' }),
    actor: Type.Object({
      id: Type.String(),
      name: Type.Union([Type.String(), Type.Null()]),
      email: Type.Union([Type.String(), Type.Null()]),
      type: ActorType,
      ip: Type.Optional(Type.String()),
      userAgent: Type.Optional(Type.String()),
    }),
    entity: Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]), type: Type.String(), product: Type.String() }),
    changes: Type.Optional(Type.Array(Change)),
    metadata: Type.Optional(Type.Record(Type.String(), JsonAny)),
    traceId: Type.String(),
    expiresAt: Type.String({ format: 'date-time' }),
    leafHash: Type.String(),
  },
  { $id: 'AuditEvent' },
);
