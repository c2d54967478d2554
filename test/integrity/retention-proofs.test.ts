import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/core/clock.js';
import { newId } from '../../src/core/ids.js';
import { fromHex } from '../../src/integrity/bytes.js';
import { consistencyProof, verifyConsistency } from '../../src/integrity/consistency-proof.js';
import { inclusionProof, verifyInclusion } from '../../src/integrity/inclusion-proof.js';
import { generateSignerKey, parseSignerKey } from '../../src/integrity/note-keys.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { storedSubtrees } from '../../src/store/stored-subtrees.js';
import { verifyOrganizationLog } from '../../src/features/integrity/verify-organization-log.js';
import { purgeExpiredEvents } from '../../src/retention/purge-scheduler.js';
import { runCli } from '../support/child-processes.js';
import { preparedEvent } from '../support/prepared-events.js';
import { storeMatrix } from '../support/store-matrix.js';
import { cutTreeLeavesFrom, storedTreeHashes } from '../support/stored-tiles.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';

// Retention purges expired events but keeps what later proofs need (PRODUCT.md §8): the tree's tiles, level 0
// (its copy of the leaf hashes) included, stay; proofs of the kept events still verify against checkpoints signed before the purge; and a
// verification of the store names the purged events and when they went, and still checks the rest.

const LOG_NAME = 'attest.test';
const NOW = Date.UTC(2026, 5, 1, 12);
const bytes = (hex: string): Uint8Array => fromHex(hex)!;

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`retention keeps proofs valid (${kind})`, () => {
    let test: TestStore;
    let checkpointer: LogCheckpointer;
    const clock = new FixedClock(NOW);
    const orgId = newId();

    /** Events 0–9 and 15 expire at NOW + 1 s (15 arrived late with an old occurredAt); the others in 90 days. */
    const expiresAt = (seq: number): number => (seq < 10 || seq === 15 ? NOW + 1000 : NOW + 90 * 86_400_000);

    beforeEach(async () => {
      clock.set(NOW);
      test = await createTestStore(kind, clock);
      const signer = await parseSignerKey(await generateSignerKey(LOG_NAME));
      await test.store.merkleTrees.publishKey(signer.verifierKey, NOW);
      checkpointer = new LogCheckpointer(test.store, signer, LOG_NAME);
      for (const size of [20, 25]) {
        const from = (await test.store.merkleTrees.head(orgId)).size;
        const events = Array.from({ length: size - from }, (_, i) =>
          preparedEvent(orgId, { occurredAtMs: NOW - 60_000, expiresAtMs: expiresAt(from + i) }),
        );
        await test.store.appendEvents(events);
        await checkpointer.checkpointOrganization(orgId);
      }
    });
    afterEach(async () => {
      await test.dispose();
    });

    async function purgeAt(instant: number): Promise<number> {
      clock.set(instant);
      return purgeExpiredEvents(test.store);
    }

    const nodeCount = async () => storedTreeHashes(test.store, orgId);

    it('purges the expired events, keeps every hash of the tree, and proofs of the kept events still verify', async () => {
      const nodesBefore = await nodeCount();
      expect(await purgeAt(NOW + 2000)).toBe(11);
      const kept = (await test.store.merkleTrees.storedRecords(orgId, 0, 100)).map((row) => row.seq);
      expect(kept).toEqual([10, 11, 12, 13, 14, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
      expect(await nodeCount()).toBe(nodesBefore);

      const source = storedSubtrees(test.store, orgId);
      const [first, latest] = await test.store.merkleTrees.checkpoints(orgId);
      expect([first!.treeSize, latest!.treeSize]).toEqual([20, 25]);
      for (const row of await test.store.merkleTrees.storedRecords(orgId, 0, 100)) {
        for (const checkpoint of [first!, latest!].filter((c) => row.seq < c.treeSize)) {
          const proof = await inclusionProof(row.seq, checkpoint.treeSize, source, nodeMerkleHasher);
          await verifyInclusion(nodeMerkleHasher, {
            index: row.seq,
            size: checkpoint.treeSize,
            leafHash: bytes(row.leafHash),
            proof,
            root: bytes(checkpoint.rootHash),
          });
        }
      }
      const proof = await consistencyProof(20, 25, source, nodeMerkleHasher);
      await verifyConsistency(nodeMerkleHasher, {
        oldSize: 20,
        newSize: 25,
        oldRoot: bytes(first!.rootHash),
        newRoot: bytes(latest!.rootHash),
        proof,
      });
      // A proof of a purged event's leaf hash still comes from the tree: a bundle exported before the purge stays checkable.
      await expect(inclusionProof(3, 25, source, nodeMerkleHasher)).resolves.toHaveLength(5);

      // The log grows on after the purge, and its next checkpoint is consistent with the old ones.
      await test.store.appendEvents([preparedEvent(orgId, { occurredAtMs: NOW })]);
      expect((await checkpointer.checkpointOrganization(orgId))?.treeSize).toBe(26);
    });

    it('verification names the purged prefix and when, stands in the tree for purged events, and checks the rest', async () => {
      await purgeAt(NOW + 2000);
      const result = await verifyOrganizationLog(test.store, orgId, LOG_NAME);
      expect(result).toMatchObject({
        ok: true,
        eventsChecked: 14,
        checkpointsChecked: 2,
        prunedBefore: 10,
        eventsPruned: 11,
        pruned: [
          { firstSeq: 0, lastSeq: 9, firstPrunedAt: new Date(NOW + 2000).toISOString(), lastPrunedAt: new Date(NOW + 2000).toISOString() },
          { firstSeq: 15, lastSeq: 15 },
        ],
      });
      // The purged events still count for the checkpoints: a rewritten kept record is found as before.
      await test.store.db.deleteFrom('audit_events').where('org_id', '=', orgId).where('seq', '=', 17).execute();
      expect((await verifyOrganizationLog(test.store, orgId, LOG_NAME)).problem).toEqual({
        seq: 17,
        reason: 'the event is missing (the log goes on at 18): a row was deleted',
      });
    });

    it('a purged event whose leaf hash was also removed from the tree is named', async () => {
      await purgeAt(NOW + 2000);
      await cutTreeLeavesFrom(test.store, orgId, 4);
      const result = await verifyOrganizationLog(test.store, orgId, LOG_NAME);
      expect(result.problem).toEqual({ seq: 4, reason: expect.stringContaining('purged by retention on') });
    });

    it('records consecutive purges as one run from its first purge to its last', async () => {
      // Events 5–9 now expire later: two purges, the second continuing the run of the first.
      await test.store.db
        .updateTable('audit_events')
        .set({ expires_at: NOW + 5000 })
        .where('org_id', '=', orgId)
        .where('seq', '>=', 5)
        .where('seq', '<', 10)
        .execute();
      await purgeAt(NOW + 2000);
      await purgeAt(NOW + 6000);
      expect(await test.store.merkleTrees.prunedRanges(orgId)).toEqual([
        { firstSeq: 0, lastSeq: 9, firstPrunedAt: NOW + 2000, lastPrunedAt: NOW + 6000 },
        { firstSeq: 15, lastSeq: 15, firstPrunedAt: NOW + 2000, lastPrunedAt: NOW + 2000 },
      ]);
    });

    it('leaves an expired event the tree does not hold yet until it does, so its leaf hash is never lost', async () => {
      await test.store.appendEvents([preparedEvent(orgId, { occurredAtMs: NOW - 60_000, expiresAtMs: NOW + 1000 })]);
      expect(await purgeAt(NOW + 2000)).toBe(11);
      expect((await test.store.merkleTrees.storedRecords(orgId, 25, 10)).map((row) => row.seq)).toEqual([25]);
      await checkpointer.checkpointOrganization(orgId);
      expect(await purgeAt(NOW + 3000)).toBe(1);
      expect((await verifyOrganizationLog(test.store, orgId, LOG_NAME)).ok).toBe(true);
    });

    it('attest verify --org says which prefix was purged and when', async () => {
      await purgeAt(NOW + 2000);
      const env = { ATTEST_DATABASE_URL: test.databaseUrl, ATTEST_LOG_NAME: LOG_NAME, ...test.env };
      const text = await runCli(['verify', '--org', orgId], env);
      expect(text.stdout).toBe(
        `verified: 14 events of ${orgId} match their records, their tree and 2 signed checkpoints; events 0–9 were purged by retention on ${new Date(NOW + 2000).toISOString()}; 1 later event was purged by retention too (their leaf hashes, kept in the tree, stood in)\n`,
      );
      expect(text.code).toBe(0);
    });
  });
}
