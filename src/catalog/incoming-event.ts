import type { ActorType, FieldChange, JsonValue } from '../events/audit-event.js';

/** An event as a producer sends it (PRODUCT.md §7); product, action, activity and security come from the catalog. */
export interface IncomingEvent {
  type: string;
  /** The type's version the event follows; the newest when absent. */
  version?: number;
  orgId: string;
  occurredAt?: string;
  actor: { id: string; name?: string; email?: string; type?: ActorType };
  entity: { id: string; name?: string; type?: string };
  description?: string;
  changes?: FieldChange[];
  metadata?: Record<string, JsonValue>;
  idempotencyKey?: string;
}

/** Limits of PRODUCT.md §4 and §7. */
export const INGEST_LIMITS = {
  maxEventsPerRequest: 1000,
  maxMetadataKeys: 32,
  maxMetadataBytes: 8 * 1024,
  maxFutureSkewMs: 5 * 60_000,
  maxIdLength: 200,
  maxTextLength: 1000,
} as const;
