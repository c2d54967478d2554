import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/passwords.js';
import { newId } from '../core/ids.js';
import type { AttestStore } from '../store/attest-store.js';
import {
  insertMembership,
  insertOrganization,
  insertUser,
  listOrganizations,
  type Organization,
} from '../store/queries/tenancy-queries.js';

/** What the first start created, so the caller can print the generated password once. */
export interface BootstrapResult {
  organization: Organization;
  ownerEmail: string;
  /** Present only when Attest generated the password (ATTEST_BOOTSTRAP_PASSWORD unset). */
  generatedPassword?: string;
}

/**
 * On a store without organizations, creates the bootstrap organization and its owner (PRODUCT.md §7).
 * Runs in one transaction that re-checks emptiness, so two processes starting at once create one organization:
 * on SQLite the second waits for the write lock and then sees the first's organization; on PostgreSQL both may
 * see the store empty, and the second's insert of the same owner email fails and rolls back whole.
 */
export async function bootstrapIfEmpty(
  store: AttestStore,
  settings: { email: string; password: string | undefined; orgName: string; timeZone: string },
): Promise<BootstrapResult | undefined> {
  if ((await listOrganizations(store.db)).length > 0) return undefined;
  const password = settings.password ?? randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  const now = store.clock.now();
  const created = store.transaction(async (tx) => {
    if ((await listOrganizations(tx)).length > 0) return undefined;
    const organization: Organization = { id: newId(now), name: settings.orgName, timeZone: settings.timeZone };
    const userId = newId(now);
    await insertOrganization(tx, organization, now);
    await insertUser(tx, { id: userId, email: settings.email, name: 'Organization Owner', password_hash: passwordHash, created_at: now });
    await insertMembership(tx, {
      org_id: organization.id,
      user_id: userId,
      user_type: 'owner',
      proxy_from_org_id: null,
      expires_at: null,
      created_at: now,
    });
    const result: BootstrapResult = { organization, ownerEmail: settings.email.toLowerCase() };
    if (settings.password === undefined) result.generatedPassword = password;
    return result;
  });
  return created.catch((error: unknown) => {
    if (store.dialect.isUniqueViolation(error)) return undefined;
    throw error;
  });
}
