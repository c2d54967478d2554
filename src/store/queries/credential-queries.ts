import type { ApiTokensTable, OperatorTokensTable, ProducerKeysTable, SessionsTable } from '../database-schema.js';
import type { QueryExecutor } from './query-executor.js';
import { joinMembershipOfUser, joinedMembership, type MembershipInOrg, type MembershipProbe, type UserAccount } from './tenancy-queries.js';

// The named queries of credentials: sessions, owner API tokens, producer keys and operator tokens. Each is
// found by the SHA-256 of its secret (`auth/credentials.ts` makes the secrets and hashes them); no secret is
// ever stored or passed here.

/** A producer key as authentication sees it. */
export interface ProducerKey {
  id: string;
  name: string;
  products: string[];
  /** The organizations the key may append events for, or `'all'` for a platform-wide key. */
  orgIds: string[] | 'all';
}

/** A producer key as an operator lists it: never its secret, which is not stored. */
export interface ProducerKeyListing extends ProducerKey {
  createdAt: number;
}

/** An owner API token as an operator lists it, with whose it is. */
export interface ApiTokenListing {
  id: string;
  name: string;
  ownerEmail: string;
  createdAt: number;
}

/** An operator token as authentication and listings see it: never its secret, which is not stored. */
export interface OperatorToken {
  id: string;
  name: string;
}

export async function insertSession(db: QueryExecutor, session: SessionsTable): Promise<void> {
  await db.insertInto('sessions').values(session).execute();
}

/** The user of the session whose secret hashes to `idHash`, if it has not expired. */
export async function findUserOfSession(db: QueryExecutor, idHash: string, nowMs: number): Promise<UserAccount | undefined> {
  // Every request of a signed-in user asks: one query with the user's row, not two.
  return sessionUserQuery(db, idHash, nowMs).executeTakeFirst();
}

function sessionUserQuery(db: QueryExecutor, idHash: string, nowMs: number) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.email', 'users.name'])
    .where('sessions.id_hash', '=', idHash)
    .where('sessions.expires_at', '>', nowMs);
}

/**
 * {@link findUserOfSession} with the user's membership in force in one organization (undefined when none), in the
 * same query: a request inside an organization learns both in one round trip.
 */
export async function findUserOfSessionIn(
  db: QueryExecutor,
  idHash: string,
  probe: MembershipProbe,
): Promise<{ user: UserAccount; membership: MembershipInOrg | undefined } | undefined> {
  const row = await joinMembershipOfUser(sessionUserQuery(db, idHash, probe.nowMs), probe).executeTakeFirst();
  return row ? { user: { id: row.id, email: row.email, name: row.name }, membership: joinedMembership(row) } : undefined;
}

export async function deleteSessionByHash(db: QueryExecutor, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function insertApiToken(db: QueryExecutor, token: ApiTokensTable): Promise<void> {
  await db.insertInto('api_tokens').values(token).execute();
}

/** The user and token id behind the API token whose secret hashes to `tokenHash`. */
export async function findUserOfApiToken(
  db: QueryExecutor,
  tokenHash: string,
): Promise<{ tokenId: string; user: UserAccount } | undefined> {
  const row = await apiTokenUserQuery(db, tokenHash).executeTakeFirst();
  return row ? { tokenId: row.token_id, user: { id: row.id, email: row.email, name: row.name } } : undefined;
}

function apiTokenUserQuery(db: QueryExecutor, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id as token_id', 'users.id', 'users.email', 'users.name'])
    .where('api_tokens.token_hash', '=', tokenHash);
}

/**
 * {@link findUserOfApiToken} with the user's membership in force in one organization (undefined when none), in
 * the same query: a request inside an organization learns both in one round trip.
 */
export async function findUserOfApiTokenIn(
  db: QueryExecutor,
  tokenHash: string,
  probe: MembershipProbe,
): Promise<{ tokenId: string; user: UserAccount; membership: MembershipInOrg | undefined } | undefined> {
  const row = await joinMembershipOfUser(apiTokenUserQuery(db, tokenHash), probe).executeTakeFirst();
  return row
    ? { tokenId: row.token_id, user: { id: row.id, email: row.email, name: row.name }, membership: joinedMembership(row) }
    : undefined;
}

/** Every owner API token, or those of one user (by email, any case), oldest first. */
export async function listApiTokens(db: QueryExecutor, email?: string): Promise<ApiTokenListing[]> {
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

/** Deletes an owner API token; the token that was deleted, or undefined. */
export async function deleteApiToken(db: QueryExecutor, id: string): Promise<{ id: string; name: string } | undefined> {
  return db.deleteFrom('api_tokens').where('id', '=', id).returning(['id', 'name']).executeTakeFirst();
}

/** Adds a producer key and, unless it is platform-wide, binds it to `orgIds`; run it in a transaction. */
export async function insertProducerKey(db: QueryExecutor, key: ProducerKeysTable, orgIds: readonly string[] | 'all'): Promise<void> {
  await db.insertInto('producer_keys').values(key).execute();
  if (orgIds !== 'all' && orgIds.length > 0) {
    await db
      .insertInto('producer_key_orgs')
      .values([...new Set(orgIds)].map((org_id) => ({ key_id: key.id, org_id })))
      .execute();
  }
}

/** The producer key whose secret hashes to `keyHash`, with the organizations it is bound to. */
export async function findProducerKeyByHash(db: QueryExecutor, keyHash: string): Promise<ProducerKey | undefined> {
  const row = await db.selectFrom('producer_keys').select(['id', 'name', 'products']).where('key_hash', '=', keyHash).executeTakeFirst();
  if (!row) return undefined;
  const bound = await boundOrganizations(db, [row.id]);
  return { id: row.id, name: row.name, products: JSON.parse(row.products) as string[], orgIds: bound.get(row.id) ?? 'all' };
}

/** The organizations each of `keyIds` is bound to; platform-wide keys are absent from the map. */
async function boundOrganizations(db: QueryExecutor, keyIds: readonly string[]): Promise<Map<string, string[]>> {
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

/** Every producer key, oldest first. */
export async function listProducerKeys(db: QueryExecutor): Promise<ProducerKeyListing[]> {
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

/** Deletes a producer key and its organization bindings; the key that was deleted, or undefined. Run it in a transaction. */
export async function deleteProducerKey(db: QueryExecutor, id: string): Promise<ProducerKeyListing | undefined> {
  const bound = await boundOrganizations(db, [id]);
  await db.deleteFrom('producer_key_orgs').where('key_id', '=', id).execute();
  const row = await db
    .deleteFrom('producer_keys')
    .where('id', '=', id)
    .returning(['id', 'name', 'products', 'created_at'])
    .executeTakeFirst();
  return row ? toProducerKeyListing(row, bound.get(id) ?? 'all') : undefined;
}

function toProducerKeyListing(
  row: { id: string; name: string; products: string; created_at: number },
  orgIds: string[] | 'all',
): ProducerKeyListing {
  return { id: row.id, name: row.name, products: JSON.parse(row.products) as string[], orgIds, createdAt: Number(row.created_at) };
}

export async function insertOperatorToken(db: QueryExecutor, token: OperatorTokensTable): Promise<void> {
  await db.insertInto('operator_tokens').values(token).execute();
}

/** The operator token whose secret hashes to `tokenHash`. */
export async function findOperatorTokenByHash(db: QueryExecutor, tokenHash: string): Promise<OperatorToken | undefined> {
  return db.selectFrom('operator_tokens').select(['id', 'name']).where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Every operator token, oldest first. */
export async function listOperatorTokens(db: QueryExecutor): Promise<(OperatorToken & { createdAt: number })[]> {
  const rows = await db.selectFrom('operator_tokens').select(['id', 'name', 'created_at']).orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, name: row.name, createdAt: Number(row.created_at) }));
}

/** Deletes an operator token; the token that was deleted, or undefined. */
export async function deleteOperatorToken(db: QueryExecutor, id: string): Promise<OperatorToken | undefined> {
  return db.deleteFrom('operator_tokens').where('id', '=', id).returning(['id', 'name']).executeTakeFirst();
}
