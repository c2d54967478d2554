import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { fromHex } from '../../src/integrity/bytes.js';
import { checkpointOrigin } from '../../src/integrity/checkpoint.js';
import { generateSignerKey, parseSignerKey, type NoteSigner } from '../../src/integrity/note-keys.js';
import { signCheckpoint } from '../../src/integrity/signed-checkpoint.js';
import { createTenancy, seedVariedEvents, type TestTenancy } from '../support/audit-fixtures.js';
import { runCli } from '../support/child-processes.js';
import { storeMatrix } from '../support/store-matrix.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';
import { copyTexts, readBundleTexts, writeBundleZip } from './support/bundle-texts.js';

const LOG_NAME = 'attest.test';

/**
 * `attest export --format bundle` and `attest verify` as an operator and an auditor run them (child processes
 * over the built CLI): the bundle verifies offline with the key alone (exit 0), a tampered one is refused with
 * the event named (exit 1), bad usage exits 2; `--consistent-with` holds for a checkpoint saved earlier and
 * fails for a forged or forked one.
 */
for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`attest export --format bundle and attest verify (${kind})`, () => {
    let test: TestStore;
    let tenancy: TestTenancy;
    let signer: NoteSigner;
    let checkpointer: LogCheckpointer;
    let dir: string;
    let bundle: string;
    let savedCheckpoint: string;
    let env: Record<string, string>;

    beforeAll(async () => {
      test = await createTestStore(kind);
      tenancy = await createTenancy(test.store);
      env = { ATTEST_DATABASE_URL: test.databaseUrl, ATTEST_LOG_NAME: LOG_NAME, ...test.env };
      signer = await parseSignerKey(await generateSignerKey(LOG_NAME));
      await test.store.merkleTrees.publishKey(signer.verifierKey, Date.now());
      checkpointer = new LogCheckpointer(test.store, signer, LOG_NAME);
      await seedVariedEvents(test.store, tenancy.org.id, 50, Date.now(), { days: 3 });
      savedCheckpoint = (await checkpointer.checkpointOrganization(tenancy.org.id))!.note;
      await seedVariedEvents(test.store, tenancy.org.id, 25, Date.now(), { days: 1, seed: 3 });
      await checkpointer.checkpointOrganization(tenancy.org.id);
      dir = await mkdtemp(join(tmpdir(), 'attest-bundle-cli-'));
      bundle = join(dir, 'bundle.zip');
    }, 60_000);

    afterAll(async () => {
      await test?.dispose();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('attest export --format bundle writes a bundle that attest verify --key accepts offline', async () => {
      const exported = await runCli(['export', '--org', tenancy.org.id, '--format', 'bundle', '--out', bundle], env);
      expect(exported.stderr).toMatch(/exported 75 events to/);
      expect(exported.code).toBe(0);
      // Offline: no database named at all.
      const verified = await runCli(['verify', bundle, '--key', signer.verifierKey], {});
      expect(verified.stdout).toMatch(/^verified: 75 events, seq 0–74 without a gap/);
      expect(verified.code).toBe(0);
      const json = await runCli(['verify', bundle, '--key', signer.verifierKey, '--json'], {});
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, recordsChecked: 75, treeSize: 75 });
      const keyFile = join(dir, 'log.vkey');
      await writeFile(keyFile, `${signer.verifierKey}\n`);
      expect((await runCli(['verify', bundle, '--key', keyFile], {})).code).toBe(0);
    });

    it('exits 1 naming the event of an edited line, and for a file that is no bundle', async () => {
      const texts = copyTexts(await readBundleTexts(bundle));
      const edited = texts.records[17]!.replace('"description":"', '"description":"Not: ');
      expect(edited).not.toBe(texts.records[17]);
      texts.records[17] = edited;
      const tampered = join(dir, 'tampered.zip');
      await writeBundleZip(tampered, texts);
      const result = await runCli(['verify', tampered, '--key', signer.verifierKey, '--json'], {});
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, problem: { seq: 17, file: 'records.jsonl' } });
      expect(result.code).toBe(1);
      const text = await runCli(['verify', tampered, '--key', signer.verifierKey], {});
      expect(text.stdout).toMatch(/^NOT VERIFIED: event 17 \(records\.jsonl\): the record does not hash/);
      const notZip = join(dir, 'not.zip');
      await writeFile(notZip, 'hello');
      expect((await runCli(['verify', notZip, '--key', signer.verifierKey], {})).code).toBe(1);
    });

    it('exits 2 for bad usage: no key, a key that is none, a missing file, a bundle with --org', async () => {
      expect((await runCli(['verify', bundle], {})).code).toBe(2);
      expect((await runCli(['verify', bundle, '--key', 'not-a-key+1+2'], {})).code).toBe(2);
      expect((await runCli(['verify', join(dir, 'missing.zip'), '--key', signer.verifierKey], {})).code).toBe(2);
      expect((await runCli(['verify', bundle, '--key', signer.verifierKey, '--org', tenancy.org.id], {})).code).toBe(2);
      expect((await runCli(['verify', '--consistent-with', join(dir, 'missing'), '--org', tenancy.org.id], env)).code).toBe(2);
      expect(existsSync(bundle)).toBe(true);
    });

    it('--consistent-with holds for a checkpoint saved earlier: the log only grew', async () => {
      const saved = join(dir, 'saved-checkpoint');
      await writeFile(saved, savedCheckpoint);
      const result = await runCli(['verify', '--consistent-with', saved, '--org', tenancy.org.id, '--json'], env);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, savedSize: 50, latestSize: 75 });
      expect(result.code).toBe(0);
    });

    it('--consistent-with fails for a forged checkpoint (another key) and a forked one (the log key, another history)', async () => {
      const origin = checkpointOrigin(LOG_NAME, tenancy.org.id);
      const otherRoot = fromHex('ab'.repeat(32))!;
      const forger = await parseSignerKey(await generateSignerKey(LOG_NAME));
      const forged = join(dir, 'forged-checkpoint');
      await writeFile(forged, await signCheckpoint({ origin, size: 50, rootHash: otherRoot }, forger));
      const forgedResult = await runCli(['verify', '--consistent-with', forged, '--org', tenancy.org.id, '--json'], env);
      expect(JSON.parse(forgedResult.stdout)).toMatchObject({ ok: false, problem: expect.stringContaining('not one this log signed') });
      expect(forgedResult.code).toBe(1);

      const forked = join(dir, 'forked-checkpoint');
      await writeFile(forked, await signCheckpoint({ origin, size: 50, rootHash: otherRoot }, signer));
      const forkedResult = await runCli(['verify', '--consistent-with', forked, '--org', tenancy.org.id], env);
      expect(forkedResult.stdout).toMatch(/^NOT VERIFIED: the log of 75 events does not extend the saved checkpoint of 50/);
      expect(forkedResult.code).toBe(1);

      const ahead = join(dir, 'ahead-checkpoint');
      await writeFile(ahead, await signCheckpoint({ origin, size: 90, rootHash: otherRoot }, signer));
      const aheadResult = await runCli(['verify', '--consistent-with', ahead, '--org', tenancy.org.id], env);
      expect(aheadResult.stdout).toMatch(/rolled back/);
      expect(aheadResult.code).toBe(1);

      const otherOrg = join(dir, 'other-org-checkpoint');
      await writeFile(otherOrg, savedCheckpoint);
      expect((await runCli(['verify', '--consistent-with', otherOrg, '--org', tenancy.otherOrg.id], env)).code).toBe(1);
    });
  });
}
