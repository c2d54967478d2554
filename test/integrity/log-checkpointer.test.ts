import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/integrity/bytes.js';
import { consistencyProof, verifyConsistency } from '../../src/integrity/consistency-proof.js';
import { inclusionProof, verifyInclusion } from '../../src/integrity/inclusion-proof.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey, type NoteSigner } from '../../src/integrity/note-keys.js';
import { openCheckpoint } from '../../src/integrity/signed-checkpoint.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { storedSubtrees } from '../../src/store/stored-subtrees.js';
import { newId } from '../../src/core/ids.js';
import { storeMatrix } from '../support/store-matrix.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';
import { preparedEvents } from '../support/prepared-events.js';
import { ReferenceTree } from './support/rfc9162-reference.js';

const bytes = (hex: string): Uint8Array => fromHex(hex)!;

for (const { kind, available } of await storeMatrix()) {
  describe.skipIf(!available)(`the log checkpointer (${kind})`, () => {
    let test: TestStore;
    let signer: NoteSigner;
    const orgId = newId();

    beforeEach(async () => {
      test = await createTestStore(kind);
      signer = await parseSignerKey(await generateSignerKey('attest.test'));
    });
    afterEach(async () => {
      await test.dispose();
    });

    async function storedLeafHashes(): Promise<Uint8Array[]> {
      return (await test.store.merkleTrees.leafHashes(orgId, 0, 1_000_000)).map((leaf) => bytes(leaf.leafHash));
    }

    it('grows the stored tree as events commit and signs checkpoints that prove every event and each other', async () => {
      const checkpointer = new LogCheckpointer(test.store, signer, 'attest.test', { pollIntervalMs: 60_000 });
      await checkpointer.start();
      await test.store.appendEvents(preparedEvents(orgId, 300, Date.now() - 600_000));
      await expect.poll(async () => (await test.store.merkleTrees.latestCheckpoint(orgId))?.treeSize).toBe(300);
      const first = (await test.store.merkleTrees.latestCheckpoint(orgId))!;

      await test.store.appendEvents(preparedEvents(orgId, 213, Date.now() - 300_000));
      await expect.poll(async () => (await test.store.merkleTrees.latestCheckpoint(orgId))?.treeSize).toBe(513);
      await checkpointer.close();
      const second = (await test.store.merkleTrees.latestCheckpoint(orgId))!;

      // The signed note opens with the published verifier key and states the root of the events' leaf hashes.
      const [published] = await test.store.merkleTrees.keys();
      expect(published).toMatchObject({ vkey: signer.verifierKey, validUntil: null });
      const verifier = await parseVerifierKey(published!.vkey);
      const { checkpoint } = await openCheckpoint(second.note, [verifier], `attest.test/${orgId}`);
      const leaves = await storedLeafHashes();
      expect(toHex(checkpoint.rootHash)).toBe(toHex(new ReferenceTree(leaves).root()));
      expect(second.rootHash).toBe(toHex(checkpoint.rootHash));

      // Proofs from the stored nodes: every event's inclusion, and the first checkpoint growing into the second.
      const source = storedSubtrees(test.store, orgId);
      for (const index of [0, 1, 255, 256, 299, 300, 511, 512]) {
        const proof = await inclusionProof(index, 513, source, nodeMerkleHasher);
        await verifyInclusion(nodeMerkleHasher, { index, size: 513, leafHash: leaves[index]!, proof, root: checkpoint.rootHash });
      }
      const proof = await consistencyProof(300, 513, source, nodeMerkleHasher);
      await verifyConsistency(nodeMerkleHasher, {
        oldSize: 300,
        newSize: 513,
        oldRoot: bytes(first.rootHash),
        newRoot: checkpoint.rootHash,
        proof,
      });
    });

    it('refuses to sign a tree that contradicts its latest checkpoint (the stored tree was altered)', async () => {
      const checkpointer = new LogCheckpointer(test.store, signer, 'attest.test');
      await test.store.appendEvents(preparedEvents(orgId, 8, Date.now() - 600_000));
      expect((await checkpointer.checkpointOrganization(orgId))?.treeSize).toBe(8);
      // Someone with the database rewrites the tree's edge (the hash over events 0–7 that the next leaves join),
      // then more events arrive: the tree grown from it would sign a history that never held events 0–7.
      await test.store.db
        .updateTable('merkle_tree_heads')
        .set({ edge: JSON.stringify(['ab'.repeat(32)]) })
        .where('org_id', '=', orgId)
        .execute();
      await test.store.appendEvents(preparedEvents(orgId, 4, Date.now() - 300_000));
      await expect(checkpointer.checkpointOrganization(orgId)).rejects.toMatchObject({ name: 'RootMismatchError' });
      expect((await test.store.merkleTrees.latestCheckpoint(orgId))?.treeSize).toBe(8);
    });

    it('stops at a missing event instead of growing the tree over the gap', async () => {
      const checkpointer = new LogCheckpointer(test.store, signer, 'attest.test');
      await test.store.appendEvents(preparedEvents(orgId, 10, Date.now() - 600_000));
      await test.store.db.deleteFrom('audit_events').where('org_id', '=', orgId).where('seq', '=', 4).execute();
      await expect(checkpointer.checkpointOrganization(orgId)).rejects.toThrow(`the log of ${orgId} has no event 4 (next is 5)`);
      expect(await test.store.merkleTrees.latestCheckpoint(orgId)).toBeUndefined();
    });

    it('publishes a new key beside the old one, which stays listed until the change', async () => {
      await new LogCheckpointer(test.store, signer, 'attest.test').close();
      await test.store.merkleTrees.publishKey(signer.verifierKey, 1000);
      const next = await parseSignerKey(await generateSignerKey('attest.test'));
      await test.store.merkleTrees.publishKey(next.verifierKey, 2000);
      await test.store.merkleTrees.publishKey(next.verifierKey, 3000);
      expect(await test.store.merkleTrees.keys()).toEqual([
        { vkey: next.verifierKey, validFrom: 2000, validUntil: null },
        { vkey: signer.verifierKey, validFrom: 1000, validUntil: 2000 },
      ]);
    });
  });
}
