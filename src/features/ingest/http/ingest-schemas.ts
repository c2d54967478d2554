import { Type } from '@sinclair/typebox';
import { INGEST_LIMITS } from '../../../catalog/incoming-event.js';
import { ActorType, Change, JsonAny } from '../../../http/schemas/event-schemas.js';

const Text = (maxLength: number = INGEST_LIMITS.maxTextLength) => Type.String({ maxLength });
const Id = Type.String({ minLength: 1, maxLength: INGEST_LIMITS.maxIdLength });

/** An event as a producer sends it (PRODUCT.md §7). */
export const IncomingEventSchema = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 200 }),
    version: Type.Optional(
      Type.Integer({ minimum: 1, description: "The version of the type's shape the event follows; default the type's newest." }),
    ),
    orgId: Type.String({ minLength: 1, maxLength: 100 }),
    occurredAt: Type.Optional(Type.String({ maxLength: 40 })),
    actor: Type.Object(
      {
        id: Id,
        name: Type.Optional(Text(300)),
        email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
        type: Type.Optional(ActorType),
      },
      { additionalProperties: false },
    ),
    entity: Type.Object(
      { id: Id, name: Type.Optional(Text(300)), type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
      { additionalProperties: false },
    ),
    description: Type.Optional(Text()),
    changes: Type.Optional(Type.Array(Change, { maxItems: 100 })),
    metadata: Type.Optional(Type.Record(Type.String(), JsonAny)),
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: INGEST_LIMITS.maxIdLength })),
  },
  { additionalProperties: false },
);

/** The body of `POST /api/v1/events`: one to 1000 events (PRODUCT.md §7). */
export const IngestBodySchema = Type.Object(
  { events: Type.Array(IncomingEventSchema, { minItems: 1, maxItems: INGEST_LIMITS.maxEventsPerRequest }) },
  { additionalProperties: false },
);

/** The answer to `POST /api/v1/events`: each event's Log ID and `seq` in the order sent, and the trace id. */
export const IngestResponseSchema = Type.Object({
  events: Type.Array(Type.Object({ logId: Type.String(), seq: Type.Integer(), duplicate: Type.Boolean() })),
  traceId: Type.String(),
});
