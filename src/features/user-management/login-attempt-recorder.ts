import type { FastifyRequest } from 'fastify';
import type { LoginAttemptHooks } from '../../auth/login-attempts.js';
import type { Clock } from '../../core/clock.js';
import { AttestError } from '../../core/errors.js';
import { newTraceId, traceIdFromTraceparent } from '../../core/trace-context.js';
import type { AttestStore } from '../../store/attest-store.js';
import { listMemberships, type UserAccount } from '../../tenancy/tenancy-queries.js';
import type { CommandContext } from './command-context.js';
import { recordedTransaction } from './recorded-transaction.js';
import { prepareUserManagementEvent, userLabel } from './user-management-events.js';

/** Failed logins allowed per window: per account (guessing one password) and per address (spraying many). */
export const LOGIN_LIMITS = { windowMs: 15 * 60_000, perEmail: 5, perAddress: 20 } as const;

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
  const events = memberships.map((m) => prepareUserManagementEvent(ctx, { type, orgId: m.orgId, entity: { id: user.id, name: userLabel(user) } }));
  await recordedTransaction(ctx, async () => ({ result: undefined, events }));
}

const emailKey = (email: string) => `email:${email.trim().toLowerCase()}`;
const addressKey = (ip: string) => `ip:${ip}`;

/**
 * Rate limits logins and records them (issue 3). Failures are counted in the store (table `login_failures`),
 * so the limit holds across processes and restarts; a success clears the account's count. Events go to every
 * organization the user belongs to: `session.login.succeeded`, or `session.login.failed` (security) when the
 * email exists. For an unknown email there is no organization to record in, so only the counters grow — and
 * the caller answers the same 401 either way, so the response never reveals whether an email exists.
 */
export function createLoginAttemptRecorder(options: LoginAttemptRecorderOptions): LoginAttemptHooks {
  const { store, clock } = options;

  async function failuresSince(key: string, sinceMs: number): Promise<number> {
    const row = await store.db.selectFrom('login_failures').where('scope_key', '=', key).where('failed_at', '>', sinceMs).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

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
    async assertAllowed(request, email) {
      const since = clock.now() - LOGIN_LIMITS.windowMs;
      const [byEmail, byAddress] = await Promise.all([failuresSince(emailKey(email), since), failuresSince(addressKey(request.ip), since)]);
      if (byEmail >= LOGIN_LIMITS.perEmail || byAddress >= LOGIN_LIMITS.perAddress) {
        throw new AttestError('RATE_LIMITED', 'Too many failed logins; try again in 15 minutes.', [], LOGIN_LIMITS.windowMs / 1000);
      }
    },
    async recordFailure(request, email, user) {
      const now = clock.now();
      await store.transaction(async (tx) => {
        // Old failures are swept here, so the table holds at most one window of attempts.
        await tx.deleteFrom('login_failures').where('failed_at', '<=', now - LOGIN_LIMITS.windowMs).execute();
        await tx.insertInto('login_failures').values([{ scope_key: emailKey(email), failed_at: now }, { scope_key: addressKey(request.ip), failed_at: now }]).execute();
      });
      if (user) await recordLoginEvent(request, 'session.login.failed', user);
    },
    async recordSuccess(request, user) {
      await store.db.deleteFrom('login_failures').where('scope_key', '=', emailKey(user.email)).execute();
      await recordLoginEvent(request, 'session.login.succeeded', user);
    },
    async recordLogout() {
      // The catalog (PRODUCT.md §3) has no logout event type, so a logout ends the session without a record.
    },
  };
}
