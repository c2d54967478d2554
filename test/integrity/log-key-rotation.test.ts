import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/integrity/bytes.js';
import { verifyConsistency } from '../../src/integrity/consistency-proof.js';
import { MerkleHasher } from '../../src/integrity/merkle-hasher.js';
import { parseVerifierKey } from '../../src/integrity/note-keys.js';
import { openCheckpoint } from '../../src/integrity/signed-checkpoint.js';
import { runCli, startServer, type ServerProcess } from '../support/child-processes.js';
import { incomingEvent } from '../support/ingest-harness.js';
import { postEvents, rawRequest } from '../support/raw-http.js';
import { seedStore } from '../support/seed-store.js';
import { storeMatrix } from '../support/store-matrix.js';
import { freshStoreLocation, type FreshStoreLocation } from '../support/test-stores.js';

// `attest log-key rotate` end to end (PRODUCT.md §8): a running server, the CLI beside it, and the public API.
// The rotation replaces the key file (mode 0600), the old verifier key stays published with validUntil, the
// running server signs its next checkpoint with the new key without a restart, and the checkpoints signed
// before still verify with the key that signed them.

const LOG_NAME = 'attest.rotation';
const OWNER_EMAIL = 'rotation-owner@example.com';

interface LogKeys {
  keys: Array<{ vkey: string; validFrom: string; validUntil: string | null }>;
}

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`attest log-key rotate (${kind})`, () => {
    let location: FreshStoreLocation | undefined;
    let server: ServerProcess | undefined;
    let keyDir: string | undefined;
    afterEach(async () => {
      await server?.stop();
      await location?.remove();
      if (keyDir) rmSync(keyDir, { recursive: true, force: true });
    });

    it('starts a new key that the running server signs with, and keeps the old one published for what it signed', async () => {
      location = freshStoreLocation(kind);
      keyDir = mkdtempSync(join(tmpdir(), 'attest-log-key-'));
      const keyFile = join(keyDir, 'log-key');
      const env = { ...location.env, ATTEST_LOG_KEY_FILE: keyFile, ATTEST_LOG_NAME: LOG_NAME };
      const { producerKey } = await seedStore(location);
      const created = await runCli(['org', 'create', '--name', 'Rotation', '--owner-email', OWNER_EMAIL], env);
      const orgId = created.stdout.split('\n')[0]!.trim();
      const token = (await runCli(['token', 'create', '--email', OWNER_EMAIL], env)).stdout.trim();
      server = await startServer(env);
      const port = server.port;
      const get = async (path: string) => rawRequest(port, { method: 'GET', path, headers: { authorization: `Bearer ${token}` } });
      const logKeys = async () => JSON.parse((await get('/api/v1/log-keys')).body) as LogKeys;
      /** The latest checkpoint once it covers `seq` (the log also holds the organization's own audit_log events). */
      const checkpointCovering = async (seq: number) => {
        await expect
          .poll(async () => Number((await get(`/api/v1/orgs/${orgId}/audit-logs/checkpoint`)).body.split('\n')[1]))
          .toBeGreaterThan(seq);
        const note = (await get(`/api/v1/orgs/${orgId}/audit-logs/checkpoint`)).body;
        return { note, size: Number(note.split('\n')[1]) };
      };
      const ingest = async (n: number) => {
        const response = await postEvents(
          port,
          producerKey,
          Array.from({ length: n }, () => incomingEvent(orgId)),
        );
        expect(response.status).toBe(201);
        return (JSON.parse(response.body) as { events: Array<{ logId: string; seq: number }> }).events;
      };

      const [firstEvent] = await ingest(5);
      const { note: firstNote, size: firstSize } = await checkpointCovering(firstEvent!.seq + 4);
      const before = await logKeys();
      expect(before.keys).toEqual([{ vkey: expect.stringMatching(`^${LOG_NAME}\\+`), validFrom: expect.any(String), validUntil: null }]);
      const oldVkey = before.keys[0]!.vkey;
      const oldKeyText = readFileSync(keyFile, 'utf8');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);

      const rotated = await runCli(['log-key', 'rotate'], env);
      expect(rotated.code).toBe(0);
      const newVkey = rotated.stdout.trim();
      expect(newVkey).toMatch(new RegExp(`^${LOG_NAME}\\+[0-9a-f]{8}\\+`));
      expect(newVkey).not.toBe(oldVkey);
      // The file holds the new private key only, still readable by its owner alone; nothing secret is printed.
      const newKeyText = readFileSync(keyFile, 'utf8');
      expect(newKeyText).not.toBe(oldKeyText);
      expect(newKeyText).toMatch(/^PRIVATE\+KEY\+attest\.rotation\+/);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(rotated.stdout + rotated.stderr).not.toContain('PRIVATE');

      const after = await logKeys();
      expect(after.keys).toEqual([
        { vkey: newVkey, validFrom: expect.any(String), validUntil: null },
        { vkey: oldVkey, validFrom: before.keys[0]!.validFrom, validUntil: after.keys[0]!.validFrom },
      ]);

      // The running server signs the next checkpoint with the new key, not the old one.
      const third = (await ingest(3))[2]!;
      const { note: secondNote, size: secondSize } = await checkpointCovering(third.seq);
      const oldVerifier = await parseVerifierKey(oldVkey);
      const newVerifier = await parseVerifierKey(newVkey);
      const origin = `${LOG_NAME}/${orgId}`;
      const second = await openCheckpoint(secondNote, [newVerifier], origin);
      await expect(openCheckpoint(secondNote, [oldVerifier], origin)).rejects.toThrow();
      // The checkpoint signed before the rotation still verifies with the old key, also as a proof serves it.
      const first = await openCheckpoint(firstNote, [oldVerifier], origin);
      const proof = JSON.parse((await get(`/api/v1/orgs/${orgId}/audit-logs/${firstEvent!.logId}/proof?treeSize=${firstSize}`)).body) as {
        checkpoint: string;
      };
      expect(proof.checkpoint).toBe(firstNote);
      // And the log only grew across the rotation.
      const consistency = JSON.parse(
        (await get(`/api/v1/orgs/${orgId}/audit-logs/consistency?from=${firstSize}&to=${secondSize}`)).body,
      ) as { hashes: string[] };
      await verifyConsistency(new MerkleHasher(), {
        oldSize: firstSize,
        newSize: secondSize,
        oldRoot: first.checkpoint.rootHash,
        newRoot: second.checkpoint.rootHash,
        proof: consistency.hashes.map((hash) => fromHex(hash)!),
      });

      // attest verify --org checks both checkpoints, each with the key that signed it.
      const verified = await runCli(['verify', '--org', orgId, '--json'], env);
      expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, eventsChecked: secondSize });
      expect(JSON.parse(verified.stdout).checkpointsChecked).toBeGreaterThanOrEqual(2);
      expect(verified.code).toBe(0);
    });
  });
}
