import { newId } from '../core/ids.js';
import type { EventActor, FieldChange, JsonValue, PreparedEvent } from '../events/audit-event.js';
import { renderDescription } from './catalog-registry.js';
import type { EventTypeDefinition } from './event-catalog.js';

/** What the one who records an event decides; the catalog entry decides the rest. */
export interface CataloguedEventInput {
  orgId: string;
  occurredAtMs: number;
  /** How long the organization keeps events: the event expires this long after it occurred. */
  retentionMs: number;
  traceId: string;
  actor: EventActor;
  /** The entity acted on; its type defaults to the catalog entry's. */
  entity: { id: string; name: string | null; type?: string };
  /** Defaults to the catalog entry's template filled with the actor and the entity. */
  description?: string;
  changes?: FieldChange[];
  metadata?: Record<string, JsonValue>;
}

/**
 * An event of catalogued type `def`, ready to commit: product, action, activity, the security flag and the
 * entity's product come from the catalog, never from whoever records it, and the log id is a UUIDv7 of the
 * time it occurred. Ingest, User Management's commands, Attest's own `audit_log.*` events, the demo, the
 * benchmark's dataset and the tests all build their events here, so none can make one the catalog would not.
 *
 * @example
 * const event = cataloguedEvent(findEventType('user.standard.added')!, {
 *   orgId, occurredAtMs: Date.now(), retentionMs: 90 * DAY_MS, traceId,
 *   actor: { id: 'u1', name: 'Ann', email: 'ann@example.com', type: 'user' },
 *   entity: { id: 'u2', name: 'Bo' },
 * });
 */
export function cataloguedEvent(def: EventTypeDefinition, input: CataloguedEventInput): PreparedEvent {
  const { actor, entity } = input;
  const event: PreparedEvent = {
    logId: newId(input.occurredAtMs),
    orgId: input.orgId,
    product: def.product,
    type: def.type,
    action: def.action,
    activity: def.activity,
    description: input.description ?? renderDescription(def, actor.name || actor.email || actor.id, entity.name ?? entity.id),
    securityAction: def.securityAction,
    occurredAtMs: input.occurredAtMs,
    expiresAtMs: input.occurredAtMs + input.retentionMs,
    actor,
    entity: { id: entity.id, name: entity.name, type: entity.type ?? def.entityType, product: def.product },
    traceId: input.traceId,
  };
  if (input.changes !== undefined) event.changes = input.changes;
  if (input.metadata !== undefined) event.metadata = input.metadata;
  return event;
}
