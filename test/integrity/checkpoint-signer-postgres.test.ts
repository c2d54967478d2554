import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import { fromHex } from '../../src/integrity/bytes.js';
import { consistencyProof, verifyConsistency } from '../../src/integrity/consistency-proof.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey, type NoteSigner } from '../../src/integrity/note-keys.js';
import { openCheckpoint } from '../../src/integrity/signed-checkpoint.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { storedSubtrees } from '../../src/store/stored-subtrees.js';
import { AttestStore } from '../../src/store/attest-store.js';
import { openPostgresStoreDialect } from '../../src/store/postgres/postgres-store-dialect.js';
import { runCli, startServer, type ServerProcess } from '../support/child-processes.js';
import { incomingEvent } from '../support/ingest-harness.js';
import { postEvents } from '../support/raw-http.js';
import { preparedEvents } from '../support/prepared-events.js';
import { openLocation, seedStore } from '../support/seed-store.js';
import {
  createTestStore,
  freshStoreLocation,
  postgresAvailable,
  TEST_POSTGRES_URL,
  type FreshStoreLocation,
  type TestStore,
} from '../support/test-stores.js';

// Several Attest processes on one PostgreSQL: exactly one signs an organization's checkpoint at a time
// (PRODUCT.md §8), so the log never holds two checkpoints that contradict each other, and no process signs a
// size another already signed.

const LOG_NAME = 'attest.test';
const available = await postgresAvailable();

/** A signer that counts its signatures and, while `gate` is set, waits for it before signing. */
function countingSigner(signer: NoteSigner): NoteSigner & { signatures: number; gate?: Promise<void> } {
  const counting: NoteSigner & { signatures: number; gate?: Promise<void> } = {
    name: signer.name,
    keyId: signer.keyId,
    verifierKey: signer.verifierKey,
    signatures: 0,
    async sign(message) {
      if (counting.gate) await counting.gate;
      counting.signatures += 1;
      return signer.sign(message);
    },
  };
  return counting;
}

/** Every stored checkpoint verifies with `vkey`, and each is consistent with the one before, proven from the stored tree. */
async function expectOneConsistentHistory(store: AttestStore, orgId: string, vkey: string): Promise<number> {
  const verifier = await parseVerifierKey(vkey);
  const checkpoints = await store.merkleTrees.checkpoints(orgId);
  for (const [i, checkpoint] of checkpoints.entries()) {
    const { checkpoint: opened } = await openCheckpoint(checkpoint.note, [verifier], `${LOG_NAME}/${orgId}`);
    expect(opened.size).toBe(checkpoint.treeSize);
    const previous = checkpoints[i - 1];
    if (!previous) continue;
    const proof = await consistencyProof(previous.treeSize, checkpoint.treeSize, storedSubtrees(store, orgId), nodeMerkleHasher);
    await verifyConsistency(nodeMerkleHasher, {
      oldSize: previous.treeSize,
      newSize: checkpoint.treeSize,
      oldRoot: fromHex(previous.rootHash)!,
      newRoot: opened.rootHash,
      proof,
    });
  }
  return checkpoints.length;
}

describe.skipIf(!available)('one checkpoint signer per organization on PostgreSQL', () => {
  let test: TestStore | undefined;
  const others: AttestStore[] = [];
  let location: FreshStoreLocation | undefined;
  const servers: ServerProcess[] = [];
  let keyDir: string | undefined;
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.stop();
    for (const store of others.splice(0)) await store.close();
    await test?.dispose();
    test = undefined;
    await location?.remove();
    location = undefined;
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  async function twoProcesses(): Promise<{ a: AttestStore; b: AttestStore }> {
    test = await createTestStore('postgres');
    const b = await AttestStore.open(
      openPostgresStoreDialect({ connectionString: TEST_POSTGRES_URL, schema: test.env.ATTEST_POSTGRES_SCHEMA ?? '', maxConnections: 3 }),
    );
    others.push(b);
    return { a: test.store, b };
  }

  it('a process finding another in its signing turn signs nothing and leaves the checkpoint to it', async () => {
    const { a, b } = await twoProcesses();
    const key = await parseSignerKey(await generateSignerKey(LOG_NAME));
    const signerA = countingSigner(key);
    const signerB = countingSigner(key);
    const checkpointerA = new LogCheckpointer(a, signerA, LOG_NAME);
    const checkpointerB = new LogCheckpointer(b, signerB, LOG_NAME);
    const orgId = newId();
    await a.appendEvents(preparedEvents(orgId, 10, Date.now() - 60_000));
    expect((await checkpointerA.checkpointOrganization(orgId))?.treeSize).toBe(10);

    await a.appendEvents(preparedEvents(orgId, 5, Date.now() - 30_000));
    let open!: () => void;
    signerA.gate = new Promise<void>((resolve) => (open = resolve));
    const signingA = checkpointerA.checkpointOrganization(orgId);
    // A has grown the tree to 15 and waits in its turn, about to sign: B finds the turn taken.
    await expect.poll(() => a.merkleTrees.head(orgId).then((head) => head.size)).toBe(15);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const fromB = await checkpointerB.checkpointOrganization(orgId);
    expect(fromB?.treeSize).toBe(10);
    expect(signerB.signatures).toBe(0);
    open();
    expect((await signingA)?.treeSize).toBe(15);
    expect([signerA.signatures, signerB.signatures]).toEqual([2, 0]);
    // B's next round finds the checkpoint signed and signs nothing either.
    expect((await checkpointerB.checkpointOrganization(orgId))?.treeSize).toBe(15);
    expect(signerB.signatures).toBe(0);
  });

  it('two processes checkpointing the same organization at once sign each size once, in one consistent history', async () => {
    const { a, b } = await twoProcesses();
    const key = await parseSignerKey(await generateSignerKey(LOG_NAME));
    const signerA = countingSigner(key);
    const signerB = countingSigner(key);
    const checkpointers = [new LogCheckpointer(a, signerA, LOG_NAME), new LogCheckpointer(b, signerB, LOG_NAME)];
    const orgId = newId();
    for (let round = 0; round < 15; round += 1) {
      await (round % 2 === 0 ? a : b).appendEvents(preparedEvents(orgId, 7, Date.now() - 60_000));
      await Promise.all(checkpointers.map((checkpointer) => checkpointer.checkpointOrganization(orgId)));
    }
    const checkpoints = await expectOneConsistentHistory(a, orgId, key.verifierKey);
    expect((await a.merkleTrees.latestCheckpoint(orgId))?.treeSize).toBe(105);
    // Every signature made is a stored checkpoint: no size was signed by both.
    expect(signerA.signatures + signerB.signatures).toBe(checkpoints);
  });

  it('two server processes ingesting into one organization keep one consistent signed history', async () => {
    location = freshStoreLocation('postgres');
    keyDir = mkdtempSync(join(tmpdir(), 'attest-log-key-'));
    const env = { ...location.env, ATTEST_LOG_KEY_FILE: join(keyDir, 'log-key'), ATTEST_LOG_NAME: LOG_NAME };
    const { orgId, producerKey } = await seedStore(location);
    servers.push(await startServer(env));
    servers.push(await startServer(env));

    let lastSeq = -1;
    await Promise.all(
      servers.map(async (server) => {
        for (let request = 0; request < 25; request += 1) {
          const response = await postEvents(
            server.port,
            producerKey,
            Array.from({ length: 8 }, () => incomingEvent(orgId)),
          );
          expect(response.status).toBe(201);
          const events = (JSON.parse(response.body) as { events: Array<{ seq: number }> }).events;
          lastSeq = Math.max(lastSeq, events[events.length - 1]!.seq);
        }
      }),
    );
    expect(lastSeq).toBe(399);

    const store = await openLocation(location);
    others.push(store);
    await expect.poll(async () => (await store.merkleTrees.latestCheckpoint(orgId))?.treeSize, { timeout: 20_000 }).toBe(400);
    const [published] = await store.merkleTrees.keys();
    const checkpoints = await expectOneConsistentHistory(store, orgId, published!.vkey);
    expect(checkpoints).toBeGreaterThan(1);
    const verified = await runCli(['verify', '--org', orgId, '--json'], env);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, eventsChecked: 400, checkpointsChecked: checkpoints });
    // Both servers ran their checkpointer the whole time, neither logged a failed round.
    for (const server of servers) expect(server.stdout()).not.toContain('the checkpointer failed');
  });
});
