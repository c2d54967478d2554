import { findEventType } from '../../src/catalog/catalog-registry.js';
import { cataloguedEvent } from '../../src/catalog/catalogued-event.js';
import type { PreparedEvent } from '../../src/events/audit-event.js';

const DAY_MS = 86_400_000;

/** What a test may choose about a prepared event; everything else gets a plausible default. */
export interface PreparedEventOptions {
  type?: string;
  occurredAtMs?: number;
  /** Defaults to occurredAt + 90 days. */
  expiresAtMs?: number;
  actorEmail?: string | null;
  idempotencyKey?: string;
  logId?: string;
}

/**
 * A catalog-valid event ready for `store.appendEvents`, as `prepareIncomingEvents` would make it. Store tests
 * use it to exercise the store without the HTTP layer.
 *
 * @example
 * await store.appendEvents([preparedEvent(orgId, { occurredAtMs: Date.now() })]);
 */
export function preparedEvent(orgId: string, options: PreparedEventOptions = {}): PreparedEvent {
  const def = findEventType(options.type ?? 'user.standard.added');
  if (!def) throw new Error(`test used an uncatalogued type ${options.type}`);
  const occurredAtMs = options.occurredAtMs ?? Date.now();
  const email = options.actorEmail === undefined ? 'alice@example.com' : options.actorEmail;
  const event = cataloguedEvent(def, {
    orgId,
    occurredAtMs,
    retentionMs: (options.expiresAtMs ?? occurredAtMs + 90 * DAY_MS) - occurredAtMs,
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    actor: { id: email ?? 'service-1', name: email ? 'Alice' : null, email, type: email ? 'user' : 'service' },
    entity: { id: 'user-42', name: 'Bob' },
    description: `${def.activity} (test)`,
  });
  if (options.logId !== undefined) event.logId = options.logId;
  if (options.idempotencyKey !== undefined) event.idempotencyKey = options.idempotencyKey;
  return event;
}

/** `n` events of one organization, one per `stepMs` starting at `fromMs`. */
export function preparedEvents(
  orgId: string,
  n: number,
  fromMs: number,
  stepMs = 1000,
  options: Omit<PreparedEventOptions, 'occurredAtMs' | 'logId'> = {},
): PreparedEvent[] {
  return Array.from({ length: n }, (_, i) => preparedEvent(orgId, { ...options, occurredAtMs: fromMs + i * stepMs }));
}
