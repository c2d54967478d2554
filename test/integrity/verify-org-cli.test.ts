import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { leafHash } from '../../src/events/leaf-hash.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { generateSignerKey, parseSignerKey } from '../../src/integrity/note-keys.js';
import { runCli } from '../support/child-processes.js';
import { preparedEvents } from '../support/prepared-events.js';
import { storeMatrix } from '../support/store-matrix.js';
import { rewriteTreeLeaf } from '../support/stored-tiles.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';

const LOG_NAME = 'attest.test';

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`attest verify --org finds tampering in the ${kind} store`, () => {
    let test: TestStore;
    const orgId = newId();

    beforeEach(async () => {
      test = await createTestStore(kind);
      const signer = await parseSignerKey(await generateSignerKey(LOG_NAME));
      await test.store.merkleTrees.publishKey(signer.verifierKey, Date.now());
      const checkpointer = new LogCheckpointer(test.store, signer, LOG_NAME);
      // Three commits, three signed checkpoints: of 10, 20 and 30 events.
      for (const batch of [0, 1, 2]) {
        await test.store.appendEvents(preparedEvents(orgId, 10, Date.now() - (3 - batch) * 60_000));
        await checkpointer.checkpointOrganization(orgId);
      }
    });
    afterEach(async () => {
      await test.dispose();
    });

    async function verify(): Promise<{
      code: number | null;
      report: { ok: boolean; eventsChecked: number; checkpointsChecked: number; problem?: { seq: number; reason: string } };
    }> {
      const result = await runCli(['verify', '--org', orgId, '--json'], {
        ATTEST_DATABASE_URL: test.databaseUrl,
        ATTEST_LOG_NAME: LOG_NAME,
        ...test.env,
      });
      return { code: result.code, report: JSON.parse(result.stdout) as never };
    }

    async function row(seq: number): Promise<{ record: string; leaf_hash: string }> {
      return test.store.db
        .selectFrom('audit_events')
        .select(['record', 'leaf_hash'])
        .where('org_id', '=', orgId)
        .where('seq', '=', seq)
        .executeTakeFirstOrThrow();
    }

    async function rewrite(seq: number, values: { record: string; leaf_hash: string }): Promise<void> {
      await test.store.db.updateTable('audit_events').set(values).where('org_id', '=', orgId).where('seq', '=', seq).execute();
    }

    it('exits 0 for an untouched log, every event and checkpoint checked', async () => {
      const { code, report } = await verify();
      expect(report).toMatchObject({ ok: true, eventsChecked: 30, checkpointsChecked: 3 });
      expect(code).toBe(0);
    });

    it('names an edited record', async () => {
      const { record, leaf_hash } = await row(12);
      await rewrite(12, { record: record.replace('(test)', '(edited)'), leaf_hash });
      const { code, report } = await verify();
      expect(report.problem).toEqual({ seq: 12, reason: expect.stringContaining('the record was edited') });
      expect(code).toBe(1);
    });

    it('names a record edited together with its leaf hash', async () => {
      const edited = (await row(12)).record.replace('(test)', '(edited)');
      await rewrite(12, { record: edited, leaf_hash: leafHash(edited) });
      const { code, report } = await verify();
      expect(report.problem).toEqual({ seq: 12, reason: expect.stringContaining('both were rewritten') });
      expect(code).toBe(1);
    });

    it('names the first event of a checkpoint that no longer holds when the tree was rewritten too', async () => {
      const edited = (await row(12)).record.replace('(test)', '(edited)');
      await rewrite(12, { record: edited, leaf_hash: leafHash(edited) });
      await rewriteTreeLeaf(test.store, orgId, 12, leafHash(edited));
      const { code, report } = await verify();
      // The checkpoint of 10 events still holds; the one of 20 does not: the change lies in events 10–19.
      expect(report.problem).toEqual({ seq: 10, reason: expect.stringContaining('one of events 10–19 was changed') });
      expect(code).toBe(1);
    });

    it('names a deleted row', async () => {
      await test.store.db.deleteFrom('audit_events').where('org_id', '=', orgId).where('seq', '=', 7).execute();
      const { code, report } = await verify();
      expect(report.problem).toEqual({ seq: 7, reason: expect.stringContaining('a row was deleted') });
      expect(code).toBe(1);
    });

    it('names the first of two swapped rows', async () => {
      const [third, ninth] = [await row(3), await row(9)];
      await rewrite(3, ninth);
      await rewrite(9, third);
      const { code, report } = await verify();
      expect(report.problem).toEqual({ seq: 3, reason: expect.stringContaining('rows were swapped') });
      expect(code).toBe(1);
    });

    it('names the end of the log when its last events were deleted', async () => {
      await test.store.db.deleteFrom('audit_events').where('org_id', '=', orgId).where('seq', '>=', 25).execute();
      const { code, report } = await verify();
      expect(report.problem).toEqual({ seq: 25, reason: expect.stringContaining('events were deleted from its end') });
      expect(code).toBe(1);
    });
  });
}

describe('attest verify usage', () => {
  it('exits 2 without --org', async () => {
    const result = await runCli(['verify']);
    expect(result.stderr).toContain('--org ORG_ID');
    expect(result.code).toBe(2);
  });
});
