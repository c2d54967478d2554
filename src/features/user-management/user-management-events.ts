import { findEventType, renderDescription } from '../../catalog/catalog-registry.js';
import { newId } from '../../core/ids.js';
import type { FieldChange, JsonValue, PreparedEvent } from '../../events/audit-event.js';
import type { CommandContext } from './command-context.js';

/** What a command says about the event it records; the catalog supplies the rest. */
export interface EventSpec {
  /** A catalogued User Management event type, e.g. `user.standard.added`. */
  type: string;
  orgId: string;
  entity: { id: string; name: string; type?: string };
  changes?: FieldChange[];
  metadata?: Record<string, JsonValue>;
}

/** "Jane Doe (jane@example.com)": how a user is named in an event description. */
export function userLabel(user: { name: string; email: string }): string {
  return `${user.name} (${user.email})`;
}

/** Only the fields whose value differs: an update records what changed, nothing else. */
export function changedFields(pairs: readonly FieldChange[]): FieldChange[] {
  return pairs.filter((c) => JSON.stringify(c.from) !== JSON.stringify(c.to));
}

/**
 * Builds the audit event of a User Management action from the catalog: product, action, activity and the
 * security flag come from the catalog entry; the description is its template filled with actor and entity.
 * The event is dated by the command's clock, so the demo can place actions in the past.
 */
export function prepareUserManagementEvent(ctx: CommandContext, spec: EventSpec): PreparedEvent {
  const def = findEventType(spec.type);
  if (!def) throw new Error(`event type ${spec.type} is not catalogued`);
  const occurredAtMs = ctx.clock.now();
  const actor = ctx.actor;
  const event: PreparedEvent = {
    logId: newId(occurredAtMs),
    orgId: spec.orgId,
    product: def.product,
    type: def.type,
    action: def.action,
    activity: def.activity,
    description: renderDescription(def, actor.name || actor.email, spec.entity.name),
    securityAction: def.securityAction,
    occurredAtMs,
    expiresAtMs: occurredAtMs + ctx.retentionMs,
    actor: {
      id: actor.userId,
      name: actor.name,
      email: actor.email ? actor.email.toLowerCase() : null,
      type: actor.kind ?? 'user',
      ...(actor.ip !== undefined ? { ip: actor.ip } : {}),
      ...(actor.userAgent !== undefined ? { userAgent: actor.userAgent } : {}),
    },
    entity: { id: spec.entity.id, name: spec.entity.name, type: spec.entity.type ?? def.entityType, product: def.product },
    traceId: ctx.traceId,
  };
  if (spec.changes !== undefined && spec.changes.length > 0) event.changes = spec.changes;
  if (spec.metadata !== undefined) event.metadata = spec.metadata;
  return event;
}
