import type { Kysely } from 'kysely';
import { hashSecret, newId, newSecret } from '../core/ids.js';
import type { AttestDatabase } from '../store/database-schema.js';
import type { UserAccount } from '../store/queries/tenancy-queries.js';

type Db = Kysely<AttestDatabase>;

/** Sessions last 12 hours; the cookie carries the secret, the store only its SHA-256. */
export const SESSION_TTL_MS = 12 * 3_600_000;

/** Secret prefixes make a leaked secret recognisable (secret scanners) and say what it is. */
const PREFIX = { session: 'ats', apiToken: 'att', producerKey: 'atp', operatorToken: 'ato' } as const;

/** Creates a session for a user; returns the secret for the cookie (shown once, never stored). */
export async function createSession(db: Db, userId: string, nowMs: number): Promise<string> {
  const secret = newSecret(PREFIX.session);
  await db
    .insertInto('sessions')
    .values({ id_hash: hashSecret(secret), user_id: userId, created_at: nowMs, expires_at: nowMs + SESSION_TTL_MS })
    .execute();
  return secret;
}

/** The user of a session secret that has not expired. */
export async function findSessionUser(db: Db, secret: string, nowMs: number): Promise<UserAccount | undefined> {
  // Every request of a signed-in user asks: one query with the user's row, not two.
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.email', 'users.name'])
    .where('sessions.id_hash', '=', hashSecret(secret))
    .where('sessions.expires_at', '>', nowMs)
    .executeTakeFirst();
}

export async function deleteSession(db: Db, secret: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', hashSecret(secret)).execute();
}

/** Creates an owner API token for a user; returns the secret, shown once. */
export async function createApiToken(db: Db, userId: string, name: string, nowMs: number): Promise<{ id: string; secret: string }> {
  const secret = newSecret(PREFIX.apiToken);
  const id = newId(nowMs);
  await db
    .insertInto('api_tokens')
    .values({ id, token_hash: hashSecret(secret), user_id: userId, name, created_at: nowMs })
    .execute();
  return { id, secret };
}

/** The user and token id behind an API token secret. */
export async function findApiTokenUser(db: Db, secret: string): Promise<{ tokenId: string; user: UserAccount } | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id as token_id', 'users.id', 'users.email', 'users.name'])
    .where('api_tokens.token_hash', '=', hashSecret(secret))
    .executeTakeFirst();
  return row ? { tokenId: row.token_id, user: { id: row.id, email: row.email, name: row.name } } : undefined;
}

/** A producer key as authentication sees it. */
export interface ProducerKey {
  id: string;
  name: string;
  products: string[];
  /** The organizations the key may append events for, or `'all'` for a platform-wide key. */
  orgIds: string[] | 'all';
}

/**
 * Creates a producer key scoped to product areas and, when `orgIds` is not `'all'`, bound to those
 * organizations; returns the secret, shown once.
 */
export async function createProducerKey(
  db: Db,
  name: string,
  products: string[],
  nowMs: number,
  orgIds: string[] | 'all' = 'all',
): Promise<{ id: string; secret: string }> {
  const secret = newSecret(PREFIX.producerKey);
  const id = newId(nowMs);
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('producer_keys')
      .values({ id, key_hash: hashSecret(secret), name, products: JSON.stringify(products), created_at: nowMs })
      .execute();
    if (orgIds !== 'all' && orgIds.length > 0) {
      await tx
        .insertInto('producer_key_orgs')
        .values([...new Set(orgIds)].map((org_id) => ({ key_id: id, org_id })))
        .execute();
    }
  });
  return { id, secret };
}

export async function findProducerKey(db: Db, secret: string): Promise<ProducerKey | undefined> {
  const row = await db
    .selectFrom('producer_keys')
    .select(['id', 'name', 'products'])
    .where('key_hash', '=', hashSecret(secret))
    .executeTakeFirst();
  if (!row) return undefined;
  const bound = await boundOrganizations(db, [row.id]);
  return { id: row.id, name: row.name, products: JSON.parse(row.products) as string[], orgIds: bound.get(row.id) ?? 'all' };
}

/** The organizations each of `keyIds` is bound to; platform-wide keys are absent from the map. */
async function boundOrganizations(db: Db, keyIds: readonly string[]): Promise<Map<string, string[]>> {
  const bound = new Map<string, string[]>();
  if (keyIds.length === 0) return bound;
  const rows = await db
    .selectFrom('producer_key_orgs')
    .select(['key_id', 'org_id'])
    .where('key_id', 'in', keyIds)
    .orderBy('org_id')
    .execute();
  for (const row of rows) bound.set(row.key_id, [...(bound.get(row.key_id) ?? []), row.org_id]);
  return bound;
}

/** A producer key as an operator lists it: never its secret, which is not stored. */
export interface ProducerKeyListing extends ProducerKey {
  createdAt: number;
}

/** Every producer key, oldest first. */
export async function listProducerKeys(db: Db): Promise<ProducerKeyListing[]> {
  const rows = await db
    .selectFrom('producer_keys')
    .select(['id', 'name', 'products', 'created_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const bound = await boundOrganizations(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((row) => toProducerKeyListing(row, bound.get(row.id) ?? 'all'));
}

/**
 * Revokes a producer key: its row (and its organization bindings) are deleted, so the next request with its
 * secret is refused (a server in another process included: every request looks its key up). The key that was
 * revoked, or undefined.
 */
export async function revokeProducerKey(db: Db, id: string): Promise<ProducerKeyListing | undefined> {
  return db.transaction().execute(async (tx) => {
    const bound = await boundOrganizations(tx, [id]);
    await tx.deleteFrom('producer_key_orgs').where('key_id', '=', id).execute();
    const row = await tx
      .deleteFrom('producer_keys')
      .where('id', '=', id)
      .returning(['id', 'name', 'products', 'created_at'])
      .executeTakeFirst();
    return row ? toProducerKeyListing(row, bound.get(id) ?? 'all') : undefined;
  });
}

function toProducerKeyListing(
  row: { id: string; name: string; products: string; created_at: number },
  orgIds: string[] | 'all',
): ProducerKeyListing {
  return { id: row.id, name: row.name, products: JSON.parse(row.products) as string[], orgIds, createdAt: Number(row.created_at) };
}

/** An owner API token as an operator lists it, with whose it is. */
export interface ApiTokenListing {
  id: string;
  name: string;
  ownerEmail: string;
  createdAt: number;
}

/** Every owner API token, or those of one user (by email, any case), oldest first. */
export async function listApiTokens(db: Db, email?: string): Promise<ApiTokenListing[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.name', 'users.email', 'api_tokens.created_at'])
    .$if(email !== undefined, (qb) => qb.where('users.email', '=', (email as string).toLowerCase()))
    .orderBy('api_tokens.created_at')
    .orderBy('api_tokens.id')
    .execute();
  return rows.map((row) => ({ id: row.id, name: row.name, ownerEmail: row.email, createdAt: Number(row.created_at) }));
}

/** Revokes an owner API token (deletes its row); the token that was revoked, or undefined. */
export async function revokeApiToken(db: Db, id: string): Promise<{ id: string; name: string } | undefined> {
  return db.deleteFrom('api_tokens').where('id', '=', id).returning(['id', 'name']).executeTakeFirst();
}

/** An operator token as authentication and listings see it: never its secret, which is not stored. */
export interface OperatorToken {
  id: string;
  name: string;
}

/**
 * Creates an operator token, the credential of the platform that creates organizations (`POST /api/v1/orgs`);
 * returns the secret, shown once. It reads no organization's data and appends no event.
 */
export async function createOperatorToken(db: Db, name: string, nowMs: number): Promise<{ id: string; secret: string }> {
  const secret = newSecret(PREFIX.operatorToken);
  const id = newId(nowMs);
  await db
    .insertInto('operator_tokens')
    .values({ id, token_hash: hashSecret(secret), name, created_at: nowMs })
    .execute();
  return { id, secret };
}

export async function findOperatorToken(db: Db, secret: string): Promise<OperatorToken | undefined> {
  return db.selectFrom('operator_tokens').select(['id', 'name']).where('token_hash', '=', hashSecret(secret)).executeTakeFirst();
}

/** Every operator token, oldest first. */
export async function listOperatorTokens(db: Db): Promise<(OperatorToken & { createdAt: number })[]> {
  const rows = await db.selectFrom('operator_tokens').select(['id', 'name', 'created_at']).orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, name: row.name, createdAt: Number(row.created_at) }));
}

/** Revokes an operator token (deletes its row); the token that was revoked, or undefined. */
export async function revokeOperatorToken(db: Db, id: string): Promise<OperatorToken | undefined> {
  return db.deleteFrom('operator_tokens').where('id', '=', id).returning(['id', 'name']).executeTakeFirst();
}

/** Which kind of bearer secret a string is, from its prefix. */
export function bearerKind(secret: string): 'apiToken' | 'producerKey' | 'operatorToken' | undefined {
  if (secret.startsWith(`${PREFIX.apiToken}_`)) return 'apiToken';
  if (secret.startsWith(`${PREFIX.producerKey}_`)) return 'producerKey';
  if (secret.startsWith(`${PREFIX.operatorToken}_`)) return 'operatorToken';
  return undefined;
}
