import { afterEach, describe, expect, it } from 'vitest';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { newId } from '../../src/core/ids.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { fromHex } from '../../src/integrity/bytes.js';
import { consistencyProof, verifyConsistency } from '../../src/integrity/consistency-proof.js';
import { generateSignerKey, parseSignerKey, type NoteSigner } from '../../src/integrity/note-keys.js';
import { AttestStore } from '../../src/store/attest-store.js';
import { openSqliteStoreDialect } from '../../src/store/sqlite/sqlite-store-dialect.js';
import { storedSubtrees } from '../../src/store/stored-subtrees.js';
import { preparedEvents } from '../support/prepared-events.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';

// On SQLite a signing turn proves and signs before its short write transaction (the write lock held across
// the signature stalled ingest), and stores its checkpoint only if the latest checkpoint is still the one it
// proved against: two processes on one file still keep one consistent history.

const LOG_NAME = 'attest.test';

/** A signer that waits for `gate`, while set, before signing. */
function gatedSigner(signer: NoteSigner): NoteSigner & { gate?: Promise<void> } {
  const gated: NoteSigner & { gate?: Promise<void> } = {
    name: signer.name,
    keyId: signer.keyId,
    verifierKey: signer.verifierKey,
    async sign(message) {
      if (gated.gate) await gated.gate;
      return signer.sign(message);
    },
  };
  return gated;
}

describe('signing checkpoints on SQLite', () => {
  let test: TestStore | undefined;
  let other: AttestStore | undefined;
  afterEach(async () => {
    await other?.close();
    await test?.dispose();
  });

  it('stores a checkpoint signed outside the write lock only if no other process signed meanwhile', async () => {
    test = await createTestStore('sqlite');
    const a = test.store;
    other = await AttestStore.open(openSqliteStoreDialect(test.databaseUrl.slice('sqlite:'.length)));
    const b = other;
    const key = await parseSignerKey(await generateSignerKey(LOG_NAME));
    const signerA = gatedSigner(key);
    const orgId = newId();
    await a.appendEvents(preparedEvents(orgId, 10, Date.now() - 60_000));
    expect((await new LogCheckpointer(a, signerA, LOG_NAME).checkpointOrganization(orgId))?.treeSize).toBe(10);

    await a.appendEvents(preparedEvents(orgId, 5, Date.now() - 30_000));
    let open!: () => void;
    signerA.gate = new Promise<void>((resolve) => (open = resolve));
    const signingA = new LogCheckpointer(a, signerA, LOG_NAME).checkpointOrganization(orgId);
    // A has grown the tree to 15 and waits for its signature, holding no lock: B grows nothing and signs 15.
    await expect.poll(() => a.merkleTrees.head(orgId).then((head) => head.size)).toBe(15);
    await b.appendEvents(preparedEvents(orgId, 3, Date.now() - 20_000));
    const fromB = await new LogCheckpointer(b, key, LOG_NAME).checkpointOrganization(orgId);
    expect(fromB?.treeSize).toBe(18);
    open();
    // A's signature of 15 was proven against the checkpoint of 10, no longer the latest: it is not stored.
    expect((await signingA)?.treeSize).toBe(18);
    const checkpoints = await a.merkleTrees.checkpoints(orgId);
    expect(checkpoints.map((checkpoint) => checkpoint.treeSize)).toEqual([10, 18]);
    const proof = await consistencyProof(10, 18, storedSubtrees(a, orgId), nodeMerkleHasher);
    await verifyConsistency(nodeMerkleHasher, {
      oldSize: 10,
      newSize: 18,
      oldRoot: fromHex(checkpoints[0]!.rootHash)!,
      newRoot: fromHex(checkpoints[1]!.rootHash)!,
      proof,
    });
  });
});
