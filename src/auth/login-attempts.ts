import type { FastifyRequest } from 'fastify';
import type { UserAccount } from '../tenancy/tenancy-queries.js';

/**
 * What happens around a login besides checking the password: rate limiting per account and per address,
 * and recording `session.login.succeeded` / `session.login.failed` (User Management implements it).
 */
export interface LoginAttemptHooks {
  /** Throws a RATE_LIMITED AttestError when this email or address has failed too often recently. */
  assertAllowed(request: FastifyRequest, email: string): Promise<void>;
  /** `user` is undefined when no account has that email; the caller answers the same either way. */
  recordFailure(request: FastifyRequest, email: string, user: UserAccount | undefined): Promise<void>;
  recordSuccess(request: FastifyRequest, user: UserAccount): Promise<void>;
  recordLogout(request: FastifyRequest, user: UserAccount): Promise<void>;
}
