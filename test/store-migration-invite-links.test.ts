import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { hashSecret, newId, newSecret } from '../src/core/ids.js';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/service/build-app.js';
import { servicesForStore } from '../src/service/create-services.js';
import { AttestStore } from '../src/store/attest-store.js';
import { migrationProvider } from '../src/store/migrations/migration-list.js';
import { openSqliteStoreDialect } from '../src/store/sqlite/sqlite-store-dialect.js';

// A store written before invite tokens were hashed (migration 0005) keeps its invite links working: the
// migration hashes each token on the way into `org_invite_links`, and the plain tokens are gone.
describe('upgrading a store with invite links to hashed tokens (migration 0005)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attest-upgrade-invites-'));
  const file = join(dir, 'attest.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the old link still joins; only its hash is stored', async () => {
    const orgId = newId();
    const token = newSecret('ati');
    const old = openSqliteStoreDialect(file);
    expect((await new Migrator({ db: old.db, provider: migrationProvider }).migrateTo('0004-organization-numbers')).error).toBeUndefined();
    await sql`insert into organizations (id, name, time_zone, created_at) values (${orgId}, 'Old Org', 'UTC', ${Date.now()})`.execute(
      old.db,
    );
    await sql`insert into invite_links (org_id, id, token, created_at) values (${orgId}, ${newId()}, ${token}, ${Date.now()})`.execute(
      old.db,
    );
    await old.close();

    const store = await AttestStore.open(openSqliteStoreDialect(file));
    const services = servicesForStore(store, loadConfig({}));
    const app = await buildApp(services);
    try {
      const rows = await store.db.selectFrom('org_invite_links').selectAll().execute();
      expect(rows).toEqual([expect.objectContaining({ org_id: orgId, token_hash: hashSecret(token) })]);
      expect(JSON.stringify(rows)).not.toContain(token);
      const { rows: tables } = await sql<{
        name: string;
      }>`select name from sqlite_schema where type = 'table' and name = 'invite_links'`.execute(store.db);
      expect(tables).toEqual([]);
      const joined = await app.inject({
        method: 'POST',
        url: `/api/v1/invites/${token}/join`,
        payload: { email: 'after.upgrade@example.com', name: 'After Upgrade', password: 'after-upgrade-password' },
      });
      expect(joined.statusCode).toBe(202);
      expect(joined.json()).toEqual({ orgId });
    } finally {
      await app.close();
      await services.committer.close();
      await store.close();
    }
  });
});
