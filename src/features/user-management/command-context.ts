import type { Clock } from '../../core/clock.js';
import type { AttestStore } from '../../store/attest-store.js';
import type { UserType } from '../../store/database-schema.js';

/** The person performing a User Management action, as the audit event's actor shows them. */
export interface ActingPrincipal {
  /** The user's id; for a service or the system, the id of the credential or tool that acts. */
  userId: string;
  name: string;
  /** Empty for a service or the system, which have no email. */
  email: string;
  /** `user` unless set: an operator token acts as a `service`, the CLI as the `system`. */
  kind?: 'user' | 'service' | 'system';
  ip?: string;
  userAgent?: string;
}

/**
 * What every User Management command runs with: the store, the clock that dates its change and its event
 * (the demo passes a clock in the past), who acts, the retention of the events it records and the request's
 * trace id. (The store itself wakes live-feed subscribers after each commit.)
 *
 * @example
 * const ctx: CommandContext = { store, clock: systemClock, actor, retentionMs: 90 * DAY_MS, traceId: newTraceId() };
 */
export interface CommandContext {
  store: AttestStore;
  clock: Clock;
  actor: ActingPrincipal;
  retentionMs: number;
  traceId: string;
}

/** A command acting inside one organization, with the type the actor holds there (a proxy user's granted type). */
export interface OrgCommandContext extends CommandContext {
  org: { id: string; name: string };
  actorType: UserType;
}
