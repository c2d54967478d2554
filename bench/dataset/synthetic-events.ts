import { allEventTypes, renderDescription } from '../../src/catalog/catalog-registry.js';
import { cataloguedEvent } from '../../src/catalog/catalogued-event.js';
import type { EventTypeDefinition } from '../../src/catalog/event-catalog.js';
import type { FieldChange, JsonValue, PreparedEvent } from '../../src/events/audit-event.js';
import type { IncomingEvent } from '../../src/catalog/incoming-event.js';

/** A person who performs actions in the synthetic organizations. */
export interface SyntheticActor {
  id: string;
  name: string;
  email: string;
}

/** `count` actors with distinct emails (`actor-007@bench.example`). */
export function syntheticActors(count: number): SyntheticActor[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(3, '0');
    return { id: `bench-user-${n}`, name: `Bench Person ${n}`, email: `actor-${n}@bench.example` };
  });
}

// How often each type occurs relative to the others: logins and permission edits dominate real audit logs,
// while every catalogued type still appears so every filter has matches.
const TYPE_WEIGHTS: Record<string, number> = {
  'session.login.succeeded': 30,
  'user.standard.access_updated': 10,
  'audit_log.viewed': 6,
  'permission_set.updated': 5,
  'user.standard.added': 5,
  'session.login.failed': 3,
  'user.standard.removed': 2,
  'permission_set.created': 2,
};

const PERMISSIONS = ['users.read', 'users.write', 'reports.read', 'loyalty.manage', 'engage.send', 'insights.view', 'billing.read'];
const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36',
];

/**
 * Makes realistic audit events: every catalogued type with a skewed frequency, actors from a fixed pool with
 * emails, entities, permission changes on updates, metadata on bulk operations and exports.
 *
 * @example
 * const source = new SyntheticEventSource(seededRandom(1), syntheticActors(200));
 * const event = source.prepared(orgId, Date.now() - 60_000, 90 * 86_400_000);
 */
export class SyntheticEventSource {
  private readonly cumulative: { def: EventTypeDefinition; upTo: number }[] = [];
  private readonly totalWeight: number;

  constructor(
    private readonly random: () => number,
    private readonly actors: readonly SyntheticActor[],
    types: readonly EventTypeDefinition[] = allEventTypes(),
  ) {
    let sum = 0;
    for (const def of types) {
      sum += TYPE_WEIGHTS[def.type] ?? 1;
      this.cumulative.push({ def, upTo: sum });
    }
    this.totalWeight = sum;
  }

  /** An event ready for `store.appendEvents`, as `prepareIncomingEvents` would have made it. */
  prepared(orgId: string, occurredAtMs: number, retentionMs: number, actorPool: readonly SyntheticActor[] = this.actors): PreparedEvent {
    const def = this.pickType();
    const actor = this.pick(actorPool);
    const entity = this.entityFor(def);
    const event = cataloguedEvent(def, {
      orgId,
      occurredAtMs,
      retentionMs,
      traceId: this.traceId(),
      actor: { id: actor.id, name: actor.name, email: actor.email, type: 'user' },
      entity: { id: entity.id, name: entity.name },
      description: renderDescription(def, actor.name, entity.name),
    });
    if (this.random() < 0.3) {
      event.actor.ip = `10.${this.int(256)}.${this.int(256)}.${this.int(256)}`;
      event.actor.userAgent = this.pick(USER_AGENTS);
    }
    const changes = this.changesFor(def);
    if (changes) event.changes = changes;
    const metadata = this.metadataFor(def);
    if (metadata) event.metadata = metadata;
    return event;
  }

  /** The same kind of event as a producer sends it to `POST /api/v1/events` (occurredAt left to the server). */
  incoming(orgId: string): IncomingEvent {
    const def = this.pickType();
    const actor = this.pick(this.actors);
    const entity = this.entityFor(def);
    const event: IncomingEvent = {
      type: def.type,
      orgId,
      actor: { id: actor.id, name: actor.name, email: actor.email },
      entity: { id: entity.id, name: entity.name },
    };
    const changes = this.changesFor(def);
    if (changes) event.changes = changes;
    const metadata = this.metadataFor(def);
    if (metadata) event.metadata = metadata;
    return event;
  }

  private pickType(): EventTypeDefinition {
    const r = this.random() * this.totalWeight;
    for (const entry of this.cumulative) if (r < entry.upTo) return entry.def;
    return (this.cumulative[this.cumulative.length - 1] as { def: EventTypeDefinition }).def;
  }

  private entityFor(def: EventTypeDefinition): { id: string; name: string } {
    const n = this.int(5000);
    if (def.entityType === 'user') return { id: `user-${n}`, name: `Member ${n}` };
    return { id: `${def.entityType}-${n % 300}`, name: `${def.entityType.replaceAll('_', ' ')} ${n % 300}` };
  }

  private changesFor(def: EventTypeDefinition): FieldChange[] | undefined {
    if (def.action !== 'Update') return undefined;
    if (def.type.startsWith('user.type.')) {
      const privileged = def.type === 'user.type.made_privileged';
      return [{ field: 'userType', from: privileged ? 'standard' : 'admin', to: privileged ? 'admin' : 'standard' }];
    }
    const from = PERMISSIONS.filter(() => this.random() < 0.4);
    const to = PERMISSIONS.filter(() => this.random() < 0.4);
    return [{ field: 'permissions', from, to }];
  }

  private metadataFor(def: EventTypeDefinition): Record<string, JsonValue> | undefined {
    if (def.type.startsWith('users.bulk'))
      return { fileName: `import-${this.int(1000)}.csv`, rows: 1 + this.int(5000), failedRows: this.int(10) };
    if (def.action === 'Export') return { rows: 1 + this.int(100_000), format: 'csv' };
    if (def.action === 'Login') return { method: this.random() < 0.8 ? 'password' : 'sso' };
    return undefined;
  }

  private traceId(): string {
    let hex = '';
    for (let i = 0; i < 4; i += 1)
      hex += Math.floor(this.random() * 4_294_967_296)
        .toString(16)
        .padStart(8, '0');
    return hex;
  }

  private int(below: number): number {
    return Math.floor(this.random() * below);
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}
