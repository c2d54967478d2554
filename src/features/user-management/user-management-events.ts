import { findEventType } from '../../catalog/catalog-registry.js';
import { cataloguedEvent } from '../../catalog/catalogued-event.js';
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
  const actor = ctx.actor;
  return cataloguedEvent(def, {
    orgId: spec.orgId,
    occurredAtMs: ctx.clock.now(),
    retentionMs: ctx.retentionMs,
    traceId: ctx.traceId,
    actor: {
      id: actor.userId,
      name: actor.name,
      email: actor.email.toLowerCase(),
      type: 'user',
      ...(actor.ip !== undefined ? { ip: actor.ip } : {}),
      ...(actor.userAgent !== undefined ? { userAgent: actor.userAgent } : {}),
    },
    entity: spec.entity,
    ...(spec.changes !== undefined && spec.changes.length > 0 ? { changes: spec.changes } : {}),
    ...(spec.metadata !== undefined ? { metadata: spec.metadata } : {}),
  });
}
