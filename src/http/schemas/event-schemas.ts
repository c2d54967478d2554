import { Type } from '@sinclair/typebox';

/** Any JSON value (a change's before and after, a metadata value). */
export const JsonAny = Type.Unknown();
/** Who acted: a person, a service or the platform itself (PRODUCT.md §4). */
export const ActorType = Type.Union([Type.Literal('user'), Type.Literal('service'), Type.Literal('system')]);
/** One changed field with its value before and after (PRODUCT.md §4). */
export const Change = Type.Object(
  { field: Type.String({ minLength: 1, maxLength: 200 }), from: JsonAny, to: JsonAny },
  { additionalProperties: false },
);

/** An audit event record (PRODUCT.md §4). */
export const AuditEventSchema = Type.Object(
  {
    logId: Type.String(),
    orgId: Type.String(),
    seq: Type.Integer(),
    product: Type.String(),
    type: Type.String(),
    typeVersion: Type.Optional(
      Type.Integer({ minimum: 2, description: "The version of the type's shape the event was written with; absent for version 1." }),
    ),
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
    producer: Type.Optional(
      Type.Object(
        { id: Type.String(), name: Type.String() },
        { description: 'The producer key that sent the event; absent for events Attest records itself.' },
      ),
    ),
    traceId: Type.String(),
    expiresAt: Type.String({ format: 'date-time' }),
    leafHash: Type.String(),
  },
  { $id: 'AuditEvent' },
);
