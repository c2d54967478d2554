import type { FastifyRequest } from 'fastify';
import type { UserAccount } from '../store/queries/tenancy-queries.js';

/**
 * What happens around a login besides checking the password: throttling per account at an address and per
 * address (`login-throttle.ts`), and recording `session.login.succeeded` / `session.login.failed` (User
 * Management implements it).
 */
export interface LoginAttemptHooks {
  /**
   * Reserves one password check of `email` from the request's client address, before the password is hashed:
   * call it first, then settle the attempt it returns. Throws a RATE_LIMITED AttestError (with the seconds to
   * wait) when the account at this address, or the address, has failed too often.
   */
  reserve(request: FastifyRequest, email: string): Promise<LoginAttempt>;
  recordLogout(request: FastifyRequest, user: UserAccount): Promise<void>;
}

/** A reserved password check; exactly one of its methods is called once the check is done. */
export interface LoginAttempt {
  /**
   * The password was wrong, or no account has the email (`user` undefined; the caller answers the same either
   * way): the check stays counted, and `session.login.failed` is recorded in the account's organizations.
   */
  failed(user: UserAccount | undefined): Promise<void>;
  /** The password was right and a session starts: the account's count at this address starts over. */
  succeeded(user: UserAccount): Promise<void>;
}
