import type { EventTypeMap } from './generated/event-types.js';
import type { JsonValue } from './json.js';

/** Every event type the catalog knows (generated from the catalog files). */
export type EventType = keyof EventTypeMap;

/** The product area an event type belongs to. */
export type ProductOf<T extends EventType> = EventTypeMap[T]['product'];

/** The metadata of an event type, from its newest version's JSON Schema. */
export type MetadataOf<T extends EventType> = EventTypeMap[T]['metadata'];

/** A field's change, as the event's `changes` list carries it. */
export interface FieldChange {
  field: string;
  from: JsonValue;
  to: JsonValue;
}

/** The fields every event carries whatever its type (PRODUCT.md §7). Product, action and activity come from the catalog. */
export interface EventFieldsBase {
  orgId: string;
  /** ISO 8601 time it happened; the server's receipt time when absent. */
  occurredAt?: string;
  actor: { id: string; name?: string; email?: string; type?: 'user' | 'service' | 'system' };
  entity: { id: string; name?: string; type?: string };
  description?: string;
  changes?: FieldChange[];
  /** Makes a resend return the original event instead of a duplicate; the client generates one when absent. */
  idempotencyKey?: string;
  /** The type version the event follows; the newest (the one the types describe) when absent. */
  version?: number;
}

/** The fields of an event of type T: metadata is required when the type's schema requires any property. */
export type EventFields<T extends EventType> = EventFieldsBase &
  (EventTypeMap[T]['metadataRequired'] extends true ? { metadata: MetadataOf<T> } : { metadata?: MetadataOf<T> });

/** An event as sent: a discriminated union over every type, so `type` picks the metadata shape. */
export type AttestEvent = { [T in EventType]: { type: T } & EventFields<T> }[EventType];

/** What the server answered for one event. */
export interface SentEvent {
  logId: string;
  seq: number;
  /** True when the server had this idempotency key already and returned the original event. */
  duplicate: boolean;
  /** The trace id the server recorded the event with. */
  traceId: string;
}
