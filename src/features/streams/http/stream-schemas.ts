import { Type } from '@sinclair/typebox';
import { ACTION_TYPES } from '../../../catalog/event-catalog.js';

/** Schemas of the streams API (PRODUCT.md §9); they are its OpenAPI document. */

export const StreamKindSchema = Type.Union([Type.Literal('webhook'), Type.Literal('splunk-hec'), Type.Literal('syslog')]);

export const StreamFilterSchema = Type.Object(
  {
    types: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 200 })),
    actions: Type.Optional(Type.Array(Type.String({ enum: [...ACTION_TYPES] }), { minItems: 1, maxItems: ACTION_TYPES.length })),
    security: Type.Optional(Type.Literal(true, { description: 'Only security actions' })),
  },
  {
    additionalProperties: false,
    description: 'Which events the destination receives; criteria combine with AND, an empty filter passes every event',
  },
);

const Url = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'https://… (webhook, splunk-hec), tcp://host:port or tls://host:port (syslog)',
});
const Secret = Type.String({
  minLength: 1,
  maxLength: 500,
  description: 'Webhook signing secret; generated and returned once when absent',
});
const Token = Type.String({ minLength: 1, maxLength: 500, description: 'Splunk HEC token' });
const CaBundle = Type.String({
  minLength: 1,
  maxLength: 200_000,
  description: 'PEM certificates the destination must chain to, instead of the system CAs',
});

export const NewStreamBody = Type.Object(
  {
    kind: StreamKindSchema,
    url: Url,
    secret: Type.Optional(Secret),
    token: Type.Optional(Token),
    filter: Type.Optional(StreamFilterSchema),
    enabled: Type.Optional(Type.Boolean()),
    caBundle: Type.Optional(CaBundle),
  },
  { additionalProperties: false },
);

export const StreamChangeBody = Type.Object(
  {
    url: Type.Optional(Url),
    filter: Type.Optional(StreamFilterSchema),
    enabled: Type.Optional(Type.Boolean({ description: 'false pauses delivery; true resumes it from where it stopped' })),
    secret: Type.Optional(Secret),
    token: Type.Optional(Token),
    rotateSecret: Type.Optional(Type.Literal(true, { description: 'Make a new webhook secret, returned once' })),
    caBundle: Type.Optional(Type.Union([CaBundle, Type.Null()])),
  },
  { additionalProperties: false },
);

export const StreamParams = Type.Object({ orgId: Type.String(), streamId: Type.String({ minLength: 1, maxLength: 100 }) });
export const OrgParams = Type.Object({ orgId: Type.String() });

const IsoOrNull = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const StreamSchema = Type.Object({
  id: Type.String(),
  kind: StreamKindSchema,
  url: Type.String(),
  filter: StreamFilterSchema,
  enabled: Type.Boolean(),
  state: Type.Union([Type.Literal('ok'), Type.Literal('retrying'), Type.Literal('failing'), Type.Literal('paused')]),
  lastDeliveredSeq: Type.Integer({ description: 'The last seq the destination accepted (or its filter skipped); -1 before any' }),
  lagEvents: Type.Integer({ description: 'Events committed after lastDeliveredSeq' }),
  lagSeconds: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
    description: 'Seconds since the oldest event after lastDeliveredSeq was committed (its recordedAt); null when caught up',
  }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastDeliveredAt: IsoOrNull,
  failingSince: IsoOrNull,
  nextAttemptAt: IsoOrNull,
  hasCaBundle: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  secret: Type.Optional(Type.String({ description: 'The webhook secret, only in the answer that made it' })),
});

export const TestDeliverySchema = Type.Object({
  delivered: Type.Boolean(),
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
});
