import { hashSecret, newId, newSecret } from '../core/ids.js';
import { insertAccountActivations, spendActivation } from '../store/queries/account-activation-queries.js';
import type { QueryExecutor } from '../store/queries/query-executor.js';

/** A welcome link lasts 7 days; after that the adder adds the person again. */
export const WELCOME_LINK_TTL_MS = 7 * 86_400_000;

/**
 * A one-time welcome link as its issuer gets it: for a new account, where its holder sets their own password
 * (activation); for an account that exists, where its holder, signed in, accepts the invitation. The two look
 * alike, so the adder's answer is the same either way. The token is shown once; only its SHA-256 is stored.
 */
export interface WelcomeLink {
  /** Safe to record in the audit log. */
  id: string;
  token: string;
  /** The web page `/welcome/{token}`. */
  url: string;
  expiresAt: number;
}

/** A new welcome link (not yet stored) and the hash to store. */
export function newWelcomeLink(nowMs: number): WelcomeLink & { tokenHash: string } {
  const token = newSecret('ata');
  return { id: newId(nowMs), token, url: `/welcome/${token}`, expiresAt: nowMs + WELCOME_LINK_TTL_MS, tokenHash: hashSecret(token) };
}

/**
 * Issues the activation link of a new account (one without a password). Only the SHA-256 of the 256-bit random
 * token is stored, so a copy of the database activates nobody.
 */
export async function issueActivation(db: QueryExecutor, userId: string, nowMs: number): Promise<WelcomeLink> {
  const { tokenHash, ...link } = newWelcomeLink(nowMs);
  await insertAccountActivations(db, [
    { token_hash: tokenHash, id: link.id, user_id: userId, created_at: nowMs, expires_at: link.expiresAt },
  ]);
  return link;
}

/**
 * Uses up an activation token: deletes every activation of its account (single use: the first one used ends
 * them all) and answers the account's id, or undefined when the token is unknown, used or expired. Run it in the
 * transaction that sets the password, so a token is spent exactly when a password is set.
 */
export async function consumeActivation(
  db: QueryExecutor,
  token: string,
  nowMs: number,
): Promise<{ userId: string; activationId: string } | undefined> {
  return spendActivation(db, hashSecret(token), nowMs);
}
