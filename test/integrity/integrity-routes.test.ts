import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/integrity/bytes.js';
import { verifyConsistency } from '../../src/integrity/consistency-proof.js';
import { verifyInclusion } from '../../src/integrity/inclusion-proof.js';
import { MerkleHasher } from '../../src/integrity/merkle-hasher.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey } from '../../src/integrity/note-keys.js';
import { openCheckpoint } from '../../src/integrity/signed-checkpoint.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { authHeaders, buildTestApp, createTenancy, seedVariedEvents, type TestTenancy } from '../support/audit-fixtures.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';

let testStore: TestStore;
let app: FastifyInstance;
let tenancy: TestTenancy;
let checkpointer: LogCheckpointer;
const hasher = new MerkleHasher();
const bytes = (hex: string): Uint8Array => fromHex(hex)!;

beforeAll(async () => {
  testStore = await createTestStore('sqlite');
  tenancy = await createTenancy(testStore.store);
  ({ app } = await buildTestApp(testStore.store, { ATTEST_LOG_NAME: 'attest.test' }));
  checkpointer = new LogCheckpointer(testStore.store, await parseSignerKey(await generateSignerKey('attest.test')), 'attest.test', {
    pollIntervalMs: 60_000,
  });
  await checkpointer.start();
});

afterAll(async () => {
  await checkpointer?.close();
  await app?.close();
  await testStore?.dispose();
});

const get = (path: string) => app.inject({ url: `/api/v1/orgs/${tenancy.org.id}${path}`, headers: authHeaders(tenancy.owner) });

describe('the proof API', () => {
  it('answers 404 for the checkpoint of a log with no events yet', async () => {
    const response = await get('/audit-logs/checkpoint');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'CHECKPOINT_NOT_FOUND' });
  });

  it('proves an event in the latest checkpoint and in an earlier one, and the earlier checkpoint consistent with the latest, with the published key only', async () => {
    await seedVariedEvents(testStore.store, tenancy.org.id, 40, Date.now(), { days: 2 });
    await expect.poll(async () => (await testStore.store.merkleTrees.latestCheckpoint(tenancy.org.id))?.treeSize).toBe(40);
    await seedVariedEvents(testStore.store, tenancy.org.id, 25, Date.now(), { days: 2, seed: 7 });
    // The owner's first read of the log is itself recorded (audit_log.viewed): the log then holds 66 events.
    const page = (await get('/audit-logs?limit=200')).json() as { data: Array<{ logId: string; seq: number; leafHash: string }> };
    await expect.poll(async () => (await testStore.store.merkleTrees.latestCheckpoint(tenancy.org.id))?.treeSize).toBe(66);

    // What an auditor holds: the verifier keys, fetched without authentication.
    const keys = (await app.inject({ url: '/api/v1/log-keys' })).json() as {
      keys: Array<{ vkey: string; validFrom: string; validUntil: string | null }>;
    };
    expect(keys.keys).toHaveLength(1);
    expect(keys.keys[0]).toMatchObject({ vkey: expect.stringMatching(/^attest\.test\+[0-9a-f]{8}\+/), validUntil: null });
    const verifiers = await Promise.all(keys.keys.map((key) => parseVerifierKey(key.vkey)));
    const origin = `attest.test/${tenancy.org.id}`;

    const latest = await get('/audit-logs/checkpoint');
    expect(latest.statusCode).toBe(200);
    expect(latest.headers['content-type']).toBe('text/plain; charset=utf-8');
    const { checkpoint } = await openCheckpoint(latest.body, verifiers, origin);
    expect(checkpoint.size).toBe(66);

    for (const event of page.data) {
      const proof = (await get(`/audit-logs/${event.logId}/proof`)).json() as {
        seq: number;
        leafHash: string;
        treeSize: number;
        hashes: string[];
        checkpoint: string;
      };
      expect(proof).toMatchObject({ seq: event.seq, leafHash: event.leafHash, treeSize: 66, checkpoint: latest.body });
      await verifyInclusion(hasher, {
        index: proof.seq,
        size: proof.treeSize,
        leafHash: bytes(event.leafHash),
        proof: proof.hashes.map(bytes),
        root: checkpoint.rootHash,
      });
    }
    const early = page.data.find((event) => event.seq === 3)!;
    const atForty = (await get(`/audit-logs/${early.logId}/proof?treeSize=40`)).json() as {
      treeSize: number;
      hashes: string[];
      checkpoint: string;
    };
    const old = await openCheckpoint(atForty.checkpoint, verifiers, origin);
    await verifyInclusion(hasher, {
      index: 3,
      size: 40,
      leafHash: bytes(early.leafHash),
      proof: atForty.hashes.map(bytes),
      root: old.checkpoint.rootHash,
    });

    const consistency = (await get('/audit-logs/consistency?from=40&to=66')).json() as { from: number; to: number; hashes: string[] };
    expect(consistency).toMatchObject({ from: 40, to: 66 });
    await verifyConsistency(hasher, {
      oldSize: 40,
      newSize: 66,
      oldRoot: old.checkpoint.rootHash,
      newRoot: checkpoint.rootHash,
      proof: consistency.hashes.map(bytes),
    });
  });

  it.each([
    ['an unknown event', () => `/audit-logs/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}/proof`, 404, 'EVENT_NOT_FOUND', undefined],
    ['a log ID that is no UUID', () => '/audit-logs/not-an-id/proof', 404, 'EVENT_NOT_FOUND', undefined],
    ['a tree size with no checkpoint', () => '/audit-logs/consistency?from=41&to=65', 404, 'CHECKPOINT_NOT_FOUND', 'from'],
    ['sizes out of order', () => '/audit-logs/consistency?from=65&to=40', 400, 'INVALID_TREE_SIZE', 'from'],
    ['a size of zero', () => '/audit-logs/consistency?from=0&to=40', 400, 'VALIDATION_FAILED', undefined],
    ['a size that is not a number', () => '/audit-logs/consistency?from=forty&to=65', 400, 'VALIDATION_FAILED', undefined],
    ['a missing size', () => '/audit-logs/consistency?from=40', 400, 'VALIDATION_FAILED', undefined],
  ])('answers %s with a specific problem', async (_what, path, status, code, field) => {
    const response = await get(path());
    expect(response.statusCode, response.body).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code });
    if (field) expect((response.json() as { errors: Array<{ field: string }> }).errors[0]?.field).toBe(field);
  });

  it('refuses a proof at a tree size that does not hold the event, naming the field', async () => {
    const page = (await get('/audit-logs?limit=200')).json() as { data: Array<{ logId: string; seq: number }> };
    const late = page.data.find((event) => event.seq === 50)!;
    const response = await get(`/audit-logs/${late.logId}/proof?treeSize=40`);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'INVALID_TREE_SIZE', errors: [{ field: 'treeSize' }] });
    expect((await get(`/audit-logs/${late.logId}/proof?treeSize=0`)).statusCode).toBe(400);
    expect((await get(`/audit-logs/${late.logId}/proof?treeSize=52`)).json()).toMatchObject({ code: 'CHECKPOINT_NOT_FOUND' });
  });
});
