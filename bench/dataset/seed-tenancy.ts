import { createApiToken, createProducerKey } from '../../src/auth/credentials.js';
import { newId } from '../../src/core/ids.js';
import type { AttestStore } from '../../src/store/attest-store.js';
import { findUserByEmail, insertMembership, insertOrganization, insertUser } from '../../src/store/queries/tenancy-queries.js';

/** The owner every benchmark organization shares, so one API token reads them all. */
export const BENCH_OWNER_EMAIL = 'bench-owner@bench.example';

/**
 * Creates `count` organizations owned by the bench owner (created on first use, without a password: the
 * benchmark reads with an API token). Returns the organization ids in creation order.
 */
export async function createBenchOrganizations(store: AttestStore, count: number, namePrefix: string): Promise<string[]> {
  const now = store.clock.now();
  return store.transaction(async (tx) => {
    let owner = await findUserByEmail(tx, BENCH_OWNER_EMAIL);
    if (!owner) {
      const id = newId(now);
      await insertUser(tx, { id, email: BENCH_OWNER_EMAIL, name: 'Bench Owner', password_hash: null, created_at: now });
      owner = { id, email: BENCH_OWNER_EMAIL, name: 'Bench Owner', passwordHash: null };
    }
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const orgId = newId(now);
      await insertOrganization(tx, { id: orgId, name: `${namePrefix} ${String(i).padStart(3, '0')}`, timeZone: 'UTC' }, now);
      await insertMembership(tx, {
        org_id: orgId,
        user_id: owner.id,
        user_type: 'owner',
        proxy_from_org_id: null,
        expires_at: null,
        created_at: now,
      });
      ids.push(orgId);
    }
    return ids;
  });
}

/** A fresh owner API token for the bench owner (the secret is only printed into nothing; it lives for the run). */
export async function createBenchOwnerToken(store: AttestStore): Promise<string> {
  const owner = await findUserByEmail(store.db, BENCH_OWNER_EMAIL);
  if (!owner) throw new Error('the bench owner does not exist; create the bench organizations first');
  return (await createApiToken(store.db, owner.id, `bench ${new Date().toISOString()}`, store.clock.now())).secret;
}

/** A producer key for the product areas the load generator writes. */
export async function createBenchProducerKey(store: AttestStore, products: string[]): Promise<string> {
  return (await createProducerKey(store.db, 'bench load generator', products, store.clock.now())).secret;
}
