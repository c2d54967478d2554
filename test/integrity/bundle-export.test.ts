import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundleZip } from '../../src/cli/bundle/bundle-zip-reader.js';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { parseBundleProof } from '../../src/integrity/bundle-format.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey, type NoteVerifier } from '../../src/integrity/note-keys.js';
import { verifyBundle, type BundleReport } from '../../src/integrity/verify-bundle.js';
import { authHeaders, buildTestApp, createTenancy, seedVariedEvents, type TestTenancy } from '../support/audit-fixtures.js';
import { storeMatrix } from '../support/store-matrix.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';

const LOG_NAME = 'attest.test';

/**
 * `GET /audit-logs/export?format=bundle` against a real store: the zip it streams opens with the CLI's reader
 * and verifies offline with the log's public key alone, for everything and for a filtered export; the export
 * is recorded with its format; a bad format is a 400 naming `format`.
 */
for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`the verifiable export bundle (${kind})`, () => {
    let testStore: TestStore;
    let app: FastifyInstance;
    let tenancy: TestTenancy;
    let verifier: NoteVerifier;
    let dir: string;

    beforeAll(async () => {
      testStore = await createTestStore(kind);
      tenancy = await createTenancy(testStore.store, 'Europe/Paris');
      ({ app } = await buildTestApp(testStore.store, { ATTEST_LOG_NAME: LOG_NAME }));
      const signer = await parseSignerKey(await generateSignerKey(LOG_NAME));
      verifier = await parseVerifierKey(signer.verifierKey);
      await seedVariedEvents(testStore.store, tenancy.org.id, 300, Date.now(), { days: 20 });
      await seedVariedEvents(testStore.store, tenancy.otherOrg.id, 20, Date.now(), { days: 5 });
      const checkpointer = new LogCheckpointer(testStore.store, signer, LOG_NAME);
      await checkpointer.checkpointOrganization(tenancy.org.id);
      // Events after the checkpoint are not in the bundle: it holds what the signed tree proves.
      await seedVariedEvents(testStore.store, tenancy.org.id, 7, Date.now(), { days: 1, seed: 7 });
      dir = await mkdtemp(join(tmpdir(), 'attest-bundle-'));
    });

    afterAll(async () => {
      await app?.close();
      await testStore?.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function download(query: string): Promise<{ status: number; type: string; disposition: string; file: string }> {
      const response = await app.inject({
        url: `/api/v1/orgs/${tenancy.org.id}/audit-logs/export?${query}`,
        headers: authHeaders(tenancy.owner),
      });
      const file = join(dir, `${Math.random().toString(36).slice(2)}.zip`);
      await writeFile(file, response.rawPayload);
      return {
        status: response.statusCode,
        type: String(response.headers['content-type']),
        disposition: String(response.headers['content-disposition']),
        file,
      };
    }

    async function verifyFile(file: string): Promise<{ report: BundleReport; proof: ReturnType<typeof parseBundleProof> }> {
      const bundle = await openBundleZip(file);
      try {
        return { report: await verifyBundle(bundle.files, [verifier], nodeMerkleHasher), proof: parseBundleProof(bundle.files.proof) };
      } finally {
        bundle.close();
      }
    }

    it('scope=all: a zip of every event below the checkpoint that verifies offline', async () => {
      const { status, type, disposition, file } = await download('scope=all&format=bundle');
      expect(status).toBe(200);
      expect(type).toBe('application/zip');
      expect(disposition).toMatch(/^attachment; filename="audit-logs-acme-corp-all-.*\.zip"$/);
      const { report, proof } = await verifyFile(file);
      expect(report).toMatchObject({ ok: true, recordsChecked: 300, treeSize: 300, firstSeq: 0, lastSeq: 299, contiguous: true });
      expect(report.origin).toBe(`${LOG_NAME}/${tenancy.org.id}`);
      expect(proof).toMatchObject({ scope: 'all', count: 300, treeSize: 300 });
    });

    it('scope=filtered: only the events the filters keep, proven by one multi-leaf proof', async () => {
      const { status, file } = await download('scope=filtered&format=bundle&actor=ann@example.com');
      expect(status).toBe(200);
      const { report, proof } = await verifyFile(file);
      expect(report.ok, JSON.stringify(report.problem)).toBe(true);
      expect(proof.scope).toBe('filtered');
      expect(proof.count).toBeGreaterThan(10);
      expect(proof.count).toBeLessThan(300);
      expect(proof.contiguous).toBe(false);
      expect(report.recordsChecked).toBe(proof.count);
    });

    it('a filter that keeps nothing still proves the (empty) selection against the checkpoint', async () => {
      const { status, file } = await download('scope=filtered&format=bundle&actor=nobody@example.com');
      expect(status).toBe(200);
      const { report, proof } = await verifyFile(file);
      expect(report).toMatchObject({ ok: true, recordsChecked: 0 });
      expect(proof).toMatchObject({ count: 0, firstSeq: null, lastSeq: null });
    });

    it('records the export as audit_log.exported with its format', async () => {
      await download('scope=all&format=bundle');
      const row = await testStore.store.db
        .selectFrom('audit_events')
        .select('record')
        .where('org_id', '=', tenancy.org.id)
        .where('type', '=', 'audit_log.exported')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      expect(JSON.parse(row.record)).toMatchObject({
        metadata: { format: 'bundle', scope: 'all', rowCount: 300, treeSize: 300, completed: true },
      });
    });

    it('format=csv stays the default, and a bad format is a 400 naming format', async () => {
      const csv = await app.inject({
        url: `/api/v1/orgs/${tenancy.org.id}/audit-logs/export?scope=all`,
        headers: authHeaders(tenancy.owner),
      });
      expect(csv.headers['content-type']).toContain('text/csv');
      const bad = await app.inject({
        url: `/api/v1/orgs/${tenancy.org.id}/audit-logs/export?scope=all&format=pdf`,
        headers: authHeaders(tenancy.owner),
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(bad.json())).toContain('format');
    });

    it('a log without a signed checkpoint has no bundle yet: a problem, not a half-written zip', async () => {
      const response = await app.inject({
        url: `/api/v1/orgs/${tenancy.otherOrg.id}/audit-logs/export?scope=all&format=bundle`,
        headers: authHeaders(tenancy.otherOwner),
      });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'CHECKPOINT_NOT_FOUND' });
    });
  });
}
