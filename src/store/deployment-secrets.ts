import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AttestDatabase } from './database-schema.js';

/** The deployment secrets Attest keeps in its store, by name. */
export type DeploymentSecretName = 'cursor-mac';

/**
 * A secret of the deployment: 32 random bytes generated on the first start and kept in the store
 * (`deployment_secrets`, migration 0007), so that every process on the same store uses the same one — a
 * cursor issued by one server is accepted by the next. Two processes starting together both try to insert;
 * the first insert wins and both read it back.
 */
export async function loadDeploymentSecret(db: Kysely<AttestDatabase>, name: DeploymentSecretName, nowMs: number): Promise<Buffer> {
  await db
    .insertInto('deployment_secrets')
    .values({ name, secret: randomBytes(32).toString('base64url'), created_at: nowMs })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('deployment_secrets').select('secret').where('name', '=', name).executeTakeFirstOrThrow();
  return Buffer.from(row.secret, 'base64url');
}
