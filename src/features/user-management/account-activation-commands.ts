import { consumeActivation } from '../../auth/account-activation.js';
import { hashPassword } from '../../auth/passwords.js';
import type { Clock } from '../../core/clock.js';
import { AttestError } from '../../core/errors.js';
import type { AttestStore } from '../../store/attest-store.js';
import { setFirstPassword, type UserAccount } from '../../store/queries/tenancy-queries.js';

/**
 * A new user sets their own password through their one-time activation link. The token is spent in the same
 * transaction that sets the password, and only for an account that has none yet; an unknown, used or expired
 * token is a 404 that says which, without saying whose it was.
 */
export async function activateAccount(
  ctx: { store: AttestStore; clock: Clock },
  input: { token: string; password: string },
): Promise<UserAccount> {
  const { store } = ctx;
  // Hash before the transaction: argon2 is deliberately slow and must not hold the write lock.
  const passwordHash = await hashPassword(input.password);
  return store.transaction(async (tx) => {
    const spent = await consumeActivation(tx, input.token, ctx.clock.now());
    const updated = spent ? await setFirstPassword(tx, spent.userId, passwordHash) : undefined;
    if (!updated)
      throw new AttestError(
        'NOT_FOUND',
        'This activation link is not valid: it was used already, has expired (links last 7 days) or never existed.',
        [{ field: 'token', reason: 'is unknown, used or expired' }],
      );
    return updated;
  });
}
