import { hashSecret, newId, newSecret } from '../core/ids.js';
import {
  deleteProducerKey,
  deleteSessionByHash,
  findOperatorTokenByHash,
  findProducerKeyByHash,
  findUserOfApiToken,
  findUserOfApiTokenIn,
  findUserOfSession,
  findUserOfSessionIn,
  insertApiToken,
  insertOperatorToken,
  insertProducerKey,
  insertSession,
  type OperatorToken,
  type ProducerKey,
  type ProducerKeyListing,
} from '../store/queries/credential-queries.js';
import type { QueryExecutor } from '../store/queries/query-executor.js';
import type { MembershipInOrg, MembershipProbe, UserAccount } from '../store/queries/tenancy-queries.js';

// The credentials' secrets: each is made here, shown once, and only its SHA-256 is handed to the store
// (`store/queries/credential-queries.ts`), so a copy of the database authenticates nobody.

/** Sessions last 12 hours; the cookie carries the secret, the store only its SHA-256. */
export const SESSION_TTL_MS = 12 * 3_600_000;

/** Secret prefixes make a leaked secret recognisable (secret scanners) and say what it is. */
const PREFIX = { session: 'ats', apiToken: 'att', producerKey: 'atp', operatorToken: 'ato' } as const;

/** Creates a session for a user; returns the secret for the cookie (shown once, never stored). */
export async function createSession(db: QueryExecutor, userId: string, nowMs: number): Promise<string> {
  const secret = newSecret(PREFIX.session);
  await insertSession(db, { id_hash: hashSecret(secret), user_id: userId, created_at: nowMs, expires_at: nowMs + SESSION_TTL_MS });
  return secret;
}

/** The user of a session secret that has not expired. */
export async function findSessionUser(db: QueryExecutor, secret: string, nowMs: number): Promise<UserAccount | undefined> {
  return findUserOfSession(db, hashSecret(secret), nowMs);
}

/** {@link findSessionUser} with the user's membership in force in the probe's organization, in one query. */
export async function findSessionUserIn(
  db: QueryExecutor,
  secret: string,
  probe: MembershipProbe,
): Promise<{ user: UserAccount; membership: MembershipInOrg | undefined } | undefined> {
  return findUserOfSessionIn(db, hashSecret(secret), probe);
}

export async function deleteSession(db: QueryExecutor, secret: string): Promise<void> {
  await deleteSessionByHash(db, hashSecret(secret));
}

/** Creates an owner API token for a user; returns the secret, shown once. */
export async function createApiToken(
  db: QueryExecutor,
  userId: string,
  name: string,
  nowMs: number,
): Promise<{ id: string; secret: string }> {
  const secret = newSecret(PREFIX.apiToken);
  const id = newId(nowMs);
  await insertApiToken(db, { id, token_hash: hashSecret(secret), user_id: userId, name, created_at: nowMs });
  return { id, secret };
}

/** The user and token id behind an API token secret. */
export async function findApiTokenUser(db: QueryExecutor, secret: string): Promise<{ tokenId: string; user: UserAccount } | undefined> {
  return findUserOfApiToken(db, hashSecret(secret));
}

/** {@link findApiTokenUser} with the user's membership in force in the probe's organization, in one query. */
export async function findApiTokenUserIn(
  db: QueryExecutor,
  secret: string,
  probe: MembershipProbe,
): Promise<{ tokenId: string; user: UserAccount; membership: MembershipInOrg | undefined } | undefined> {
  return findUserOfApiTokenIn(db, hashSecret(secret), probe);
}

/**
 * Creates a producer key scoped to product areas and, when `orgIds` is not `'all'`, bound to those
 * organizations; returns the secret, shown once.
 */
export async function createProducerKey(
  db: QueryExecutor,
  name: string,
  products: string[],
  nowMs: number,
  orgIds: string[] | 'all' = 'all',
): Promise<{ id: string; secret: string }> {
  const secret = newSecret(PREFIX.producerKey);
  const id = newId(nowMs);
  // The key and its bindings together: a key seen without its bindings would be platform-wide.
  await db
    .transaction()
    .execute((tx) =>
      insertProducerKey(tx, { id, key_hash: hashSecret(secret), name, products: JSON.stringify(products), created_at: nowMs }, orgIds),
    );
  return { id, secret };
}

export async function findProducerKey(db: QueryExecutor, secret: string): Promise<ProducerKey | undefined> {
  return findProducerKeyByHash(db, hashSecret(secret));
}

/**
 * Revokes a producer key: its row (and its organization bindings) are deleted, so the next request with its
 * secret is refused (a server in another process included: every request looks its key up). The key that was
 * revoked, or undefined.
 */
export async function revokeProducerKey(db: QueryExecutor, id: string): Promise<ProducerKeyListing | undefined> {
  return db.transaction().execute((tx) => deleteProducerKey(tx, id));
}

/**
 * Creates an operator token, the credential of the platform that creates organizations (`POST /api/v1/orgs`);
 * returns the secret, shown once. It reads no organization's data and appends no event.
 */
export async function createOperatorToken(db: QueryExecutor, name: string, nowMs: number): Promise<{ id: string; secret: string }> {
  const secret = newSecret(PREFIX.operatorToken);
  const id = newId(nowMs);
  await insertOperatorToken(db, { id, token_hash: hashSecret(secret), name, created_at: nowMs });
  return { id, secret };
}

export async function findOperatorToken(db: QueryExecutor, secret: string): Promise<OperatorToken | undefined> {
  return findOperatorTokenByHash(db, hashSecret(secret));
}

/** Which kind of bearer secret a string is, from its prefix. */
export function bearerKind(secret: string): 'apiToken' | 'producerKey' | 'operatorToken' | undefined {
  if (secret.startsWith(`${PREFIX.apiToken}_`)) return 'apiToken';
  if (secret.startsWith(`${PREFIX.producerKey}_`)) return 'producerKey';
  if (secret.startsWith(`${PREFIX.operatorToken}_`)) return 'operatorToken';
  return undefined;
}
