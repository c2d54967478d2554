import type { FastifyRequest } from 'fastify';
import type { LoginAttemptHooks } from '../../auth/login-attempts.js';
import { LoginThrottle } from '../../auth/login-throttle.js';
import type { Clock } from '../../core/clock.js';
import { newTraceId, traceIdFromTraceparent } from '../../core/trace-context.js';
import type { AttestStore } from '../../store/attest-store.js';
import { listMemberships, type UserAccount } from '../../store/queries/tenancy-queries.js';
import type { CommandContext } from './command-context.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent, userLabel } from './user-management-events.js';

/** What the recorder needs: the store, its clock and event retention. */
export interface LoginAttemptRecorderOptions {
  store: AttestStore;
  clock: Clock;
  retentionMs: number;
}

/** The two login events of the catalog. */
export type LoginOutcome = 'session.login.succeeded' | 'session.login.failed';

/**
 * Records a login (or a failed one) in every organization the user belongs to, in one transaction. The user is
 * the actor (for a failure, the account that was tried) and the entity. Only accepted memberships count: a
 * pending one (`membership_invitations`) is not in `listMemberships`, so an organization that invited an email
 * holds nothing of that account's logins, or of guesses at its password, until its holder accepts.
 */
export async function recordLoginOutcome(
  base: Omit<CommandContext, 'actor'>,
  origin: { ip?: string; userAgent?: string },
  type: LoginOutcome,
  user: UserAccount,
): Promise<void> {
  const memberships = await listMemberships(base.store.db, user.id, base.clock.now());
  if (memberships.length === 0) return;
  const ctx: CommandContext = { ...base, actor: { userId: user.id, name: user.name, email: user.email, ...origin } };
  const events = memberships.map((m) =>
    prepareUserManagementEvent(ctx, { type, orgId: m.orgId, entity: { id: user.id, name: userLabel(user) } }),
  );
  await recordedTransaction(ctx, async () => ({ result: undefined, events }));
}

/**
 * Throttles logins and records them. Each password check is reserved in the store before the password is hashed
 * (`auth/login-throttle.ts`), per account at the client address and per address, with growing delays, so the
 * limits hold across processes and restarts and against guesses sent in parallel. Events go to every
 * organization the user belongs to: `session.login.succeeded`, or `session.login.failed` (security) when the
 * email exists. For an unknown email there is no organization to record in, so only the throttle counts — and
 * the caller answers the same 401 either way, so the response never reveals whether an email exists.
 */
export function createLoginAttemptRecorder(options: LoginAttemptRecorderOptions): LoginAttemptHooks {
  const { store, clock } = options;
  const throttle = new LoginThrottle(store);

  async function recordLoginEvent(request: FastifyRequest, type: LoginOutcome, user: UserAccount): Promise<void> {
    const userAgent = request.headers['user-agent'];
    await recordLoginOutcome(
      {
        store,
        clock,
        retentionMs: options.retentionMs,
        traceId: traceIdFromTraceparent(request.headers.traceparent as string | undefined) ?? newTraceId(),
      },
      { ip: request.ip, ...(userAgent ? { userAgent } : {}) },
      type,
      user,
    );
  }

  return {
    async reserve(request, email) {
      const reservation = await throttle.reserve(email, request.ip);
      return {
        async failed(user) {
          if (user) await recordLoginEvent(request, 'session.login.failed', user);
        },
        async succeeded(user) {
          await reservation.passwordAccepted();
          await recordLoginEvent(request, 'session.login.succeeded', user);
        },
      };
    },
    async recordLogout() {
      // The catalog (PRODUCT.md §3) has no logout event type, so a logout ends the session without a record.
    },
  };
}
