import { createProducerKey } from '../../src/auth/credentials.js';
import { newId } from '../../src/core/ids.js';
import type { AttestStore } from '../../src/store/attest-store.js';
import { openStore } from '../../src/store/open-store.js';
import { insertOrganization } from '../../src/store/queries/tenancy-queries.js';
import type { FreshStoreLocation } from './test-stores.js';

/** Opens the store at a test location (creating and migrating it when new). */
export function openLocation(location: Pick<FreshStoreLocation, 'databaseUrl' | 'schema'>): Promise<AttestStore> {
  return openStore(location.databaseUrl, undefined, { postgresSchema: location.schema });
}

/**
 * Creates the store at a location with one organization and a producer key for every product area, and closes
 * it again, so a server or CLI child process finds it ready (and does not bootstrap).
 */
export async function seedStore(
  location: Pick<FreshStoreLocation, 'databaseUrl' | 'schema'>,
): Promise<{ orgId: string; producerKey: string }> {
  const store = await openLocation(location);
  try {
    const orgId = newId();
    await insertOrganization(store.db, { id: orgId, name: 'Seeded', timeZone: 'UTC' }, Date.now());
    const { secret } = await createProducerKey(store.db, 'seeded', ['UserManagement', 'AuditLogs'], Date.now());
    return { orgId, producerKey: secret };
  } finally {
    await store.close();
  }
}

/** Seq and log id of every event of an organization, ascending by seq. */
export async function readOrgLog(
  store: AttestStore,
  orgId: string,
): Promise<Array<{ seq: number; logId: string; idempotencyKey: string | null }>> {
  const rows = await store.db
    .selectFrom('audit_events')
    .select(['seq', 'log_id', 'idempotency_key'])
    .where('org_id', '=', orgId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), logId: r.log_id, idempotencyKey: r.idempotency_key }));
}
