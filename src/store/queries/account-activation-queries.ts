import type { AccountActivationsTable } from '../database-schema.js';
import { forEachChunk, type QueryExecutor } from './query-executor.js';

// The named queries of account activation: the one-time links with which a new account's holder sets their own
// password. Only the SHA-256 of a link's token is stored (`auth/account-activation.ts` makes the tokens).

/** Stores activation links (any number: a bulk addition issues one per new account). */
export async function insertAccountActivations(db: QueryExecutor, activations: readonly AccountActivationsTable[]): Promise<void> {
  await forEachChunk(activations, (chunk) => db.insertInto('account_activations').values(chunk).execute());
}

/**
 * Spends the activation whose token hashes to `tokenHash`: deletes every activation of its account (single use:
 * the first one used ends them all) and answers the account's id, or undefined when the token is unknown, used
 * or expired. Run it in the transaction that sets the password, so a token is spent exactly when a password is set.
 */
export async function spendActivation(
  db: QueryExecutor,
  tokenHash: string,
  nowMs: number,
): Promise<{ userId: string; activationId: string } | undefined> {
  const row = await db
    .selectFrom('account_activations')
    .select(['id', 'user_id', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const deleted = await db.deleteFrom('account_activations').where('token_hash', '=', tokenHash).executeTakeFirst();
  // A concurrent use of the same token deleted it first: only one of them sets the password.
  if (Number(deleted.numDeletedRows) === 0 || Number(row.expires_at) <= nowMs) return undefined;
  await db.deleteFrom('account_activations').where('user_id', '=', row.user_id).execute();
  return { userId: row.user_id, activationId: row.id };
}
