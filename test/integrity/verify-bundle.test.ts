import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { LogCheckpointer } from '../../src/features/integrity/log-checkpointer.js';
import { parseBundleProof } from '../../src/integrity/bundle-format.js';
import { leafHash } from '../../src/events/leaf-hash.js';
import { MerkleHasher } from '../../src/integrity/merkle-hasher.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey, type NoteSigner, type NoteVerifier } from '../../src/integrity/note-keys.js';
import { verifyBundle, type BundleReport } from '../../src/integrity/verify-bundle.js';
import { authHeaders, buildTestApp, createTenancy, seedVariedEvents, type TestTenancy } from '../support/audit-fixtures.js';
import { createTestStore, type TestStore } from '../support/test-stores.js';
import { copyTexts, filesOf, readBundleTexts, type BundleTexts } from './support/bundle-texts.js';

const LOG_NAME = 'attest.test';
const EVENTS = 64;

/**
 * Offline verification of a real export bundle, and of the same bundle tampered with as someone holding the
 * file could: every kind of change is found, and named by the seq of the event and the file.
 */
let testStore: TestStore;
let app: FastifyInstance;
let tenancy: TestTenancy;
let signer: NoteSigner;
let verifier: NoteVerifier;
let dir: string;
let all: BundleTexts;
let filtered: BundleTexts;

async function bundleOf(query: string): Promise<BundleTexts> {
  const response = await app.inject({
    url: `/api/v1/orgs/${tenancy.org.id}/audit-logs/export?${query}`,
    headers: authHeaders(tenancy.owner),
  });
  expect(response.statusCode).toBe(200);
  const file = join(dir, `${Math.random().toString(36).slice(2)}.zip`);
  await writeFile(file, response.rawPayload);
  return readBundleTexts(file);
}

beforeAll(async () => {
  testStore = await createTestStore('sqlite');
  tenancy = await createTenancy(testStore.store, 'America/New_York');
  ({ app } = await buildTestApp(testStore.store, { ATTEST_LOG_NAME: LOG_NAME }));
  signer = await parseSignerKey(await generateSignerKey(LOG_NAME));
  verifier = await parseVerifierKey(signer.verifierKey);
  await seedVariedEvents(testStore.store, tenancy.org.id, EVENTS, Date.now(), { days: 10 });
  await new LogCheckpointer(testStore.store, signer, LOG_NAME).checkpointOrganization(tenancy.org.id);
  dir = await mkdtemp(join(tmpdir(), 'attest-verify-bundle-'));
  all = await bundleOf('scope=all&format=bundle');
  filtered = await bundleOf('scope=filtered&format=bundle&actor=bob@example.com');
});

afterAll(async () => {
  await app?.close();
  await testStore?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function verify(
  texts: BundleTexts,
  verifiers: NoteVerifier[] = [verifier],
  hasher: MerkleHasher = nodeMerkleHasher,
): Promise<BundleReport> {
  return verifyBundle(filesOf(texts), verifiers, hasher);
}

/** The bundle with `change` applied to a copy. */
function tampered(texts: BundleTexts, change: (copy: BundleTexts) => void): BundleTexts {
  const copy = copyTexts(texts);
  change(copy);
  return copy;
}

const seqOfLine = (line: string) => (JSON.parse(line) as { seq: number }).seq;

describe('an untouched bundle', () => {
  it('verifies: every record, its leaf, its place, the CSV', async () => {
    expect(await verify(all)).toMatchObject({
      ok: true,
      recordsChecked: EVENTS,
      treeSize: EVENTS,
      firstSeq: 0,
      lastSeq: EVENTS - 1,
      contiguous: true,
      verifiedBy: [`${LOG_NAME}+${signer.verifierKey.split('+')[1]}`],
    });
  });

  it('verifies with WebCrypto alone, as a browser would', async () => {
    expect((await verify(all, [verifier], new MerkleHasher())).ok).toBe(true);
  });

  it('a filtered bundle verifies, its events picked here and there in the tree', async () => {
    const report = await verify(filtered);
    expect(report.ok, JSON.stringify(report.problem)).toBe(true);
    const proof = parseBundleProof(filtered.proof);
    expect(proof.contiguous).toBe(false);
    expect(report.recordsChecked).toBe(proof.count);
    expect(filtered.records.every((line) => line.includes('"bob@example.com"'))).toBe(true);
  });

  it('the CSV in the bundle neutralizes formula cells, and they still agree with the records', () => {
    expect(all.csvRows.some((row) => row.some((cell) => cell.startsWith("'=") || cell.startsWith("'-")))).toBe(true);
  });
});

describe('a tampered bundle is refused, naming the event', () => {
  it('an edited record line', async () => {
    const report = await verify(tampered(all, (b) => (b.records[10] = b.records[10]!.replace('Did ', 'Didn’t '))));
    expect(report.ok).toBe(false);
    expect(report.problem).toEqual({ seq: 10, file: 'records.jsonl', reason: expect.stringContaining('the record was edited') });
  });

  it('a record and its listed leaf hash edited together: the root no longer matches the signed one', async () => {
    const report = await verify(
      tampered(all, (b) => {
        b.records[10] = b.records[10]!.replace('Did ', 'Didn’t ');
        b.leafHashes[10] = `10 ${leafHash(b.records[10])}`;
        b.csvRows[11]![5] = b.csvRows[11]![5]!.replace('Did ', 'Didn’t ');
      }),
    );
    expect(report.problem).toMatchObject({ seq: null, reason: expect.stringContaining("the checkpoint's is") });
  });

  it('a deleted record line', async () => {
    const report = await verify(tampered(all, (b) => b.records.splice(20, 1)));
    expect(report.problem).toMatchObject({ seq: 20, file: 'records.jsonl' });
  });

  it('a deleted event (its record, leaf hash and CSV row)', async () => {
    const report = await verify(
      tampered(all, (b) => {
        b.records.splice(20, 1);
        b.leafHashes.splice(20, 1);
        b.csvRows.splice(21, 1);
      }),
    );
    expect(report.problem).toEqual({ seq: 20, file: 'leaf-hashes.txt', reason: expect.stringContaining('event 20 is missing') });
  });

  it('an inserted line: a forged event placed before event 30', async () => {
    const report = await verify(
      tampered(all, (b) => {
        const forged = b.records[29]!.replace('"seq":29', '"seq":30').replace('Did ', 'Forged ');
        b.records.splice(30, 0, forged);
      }),
    );
    expect(report.problem).toEqual({ seq: 30, file: 'records.jsonl', reason: expect.stringContaining('the record was edited') });
  });

  it('an inserted line: a copy of event 30 after it', async () => {
    const report = await verify(tampered(all, (b) => b.records.splice(31, 0, b.records[30]!)));
    expect(report.problem).toMatchObject({
      seq: 31,
      file: 'records.jsonl',
      reason: expect.stringContaining('holds event 30 where event 31 belongs'),
    });
  });

  it('two swapped lines', async () => {
    const report = await verify(
      tampered(all, (b) => {
        [b.records[40], b.records[41]] = [b.records[41]!, b.records[40]!];
      }),
    );
    expect(report.problem).toMatchObject({
      seq: 40,
      file: 'records.jsonl',
      reason: expect.stringContaining('holds event 41 where event 40 belongs'),
    });
  });

  it('two swapped events (records, leaf hashes and CSV rows together)', async () => {
    const report = await verify(
      tampered(all, (b) => {
        [b.records[40], b.records[41]] = [b.records[41]!, b.records[40]!];
        [b.leafHashes[40], b.leafHashes[41]] = [b.leafHashes[41]!, b.leafHashes[40]!];
        [b.csvRows[41], b.csvRows[42]] = [b.csvRows[42]!, b.csvRows[41]!];
      }),
    );
    expect(report.problem).toMatchObject({ seq: 40, file: 'leaf-hashes.txt' });
  });

  it('the last events cut off an export of everything, proof.json adjusted to match', async () => {
    const report = await verify(
      tampered(all, (b) => {
        b.records.pop();
        b.leafHashes.pop();
        b.csvRows.pop();
        b.proof = JSON.stringify({ ...JSON.parse(b.proof), count: EVENTS - 1, lastSeq: EVENTS - 2 });
      }),
    );
    expect(report.problem).toMatchObject({ seq: EVENTS - 1, file: 'proof.json', reason: expect.stringContaining('cut off its end') });
  });

  it('a last line deleted from records.jsonl', async () => {
    const report = await verify(tampered(all, (b) => b.records.pop()));
    expect(report.problem).toMatchObject({
      seq: EVENTS - 1,
      file: 'records.jsonl',
      reason: expect.stringContaining('missing from records.jsonl'),
    });
  });

  it('a deleted line of a filtered bundle', async () => {
    const seq = seqOfLine(filtered.records[3]!);
    const report = await verify(tampered(filtered, (b) => b.records.splice(3, 1)));
    expect(report.problem).toMatchObject({ seq, file: 'records.jsonl' });
  });

  it('a CSV cell that no longer says what the record says', async () => {
    const report = await verify(tampered(all, (b) => (b.csvRows[6]![5] = 'Nothing happened here')));
    expect(report.problem).toEqual({
      seq: 5,
      file: 'events.csv',
      reason: expect.stringContaining('its Description is "Nothing happened here"'),
    });
  });

  it('a CSV time moved by an hour', async () => {
    const report = await verify(
      tampered(all, (b) => (b.csvRows[3]![1] = b.csvRows[3]![1]!.replace(/ -0(\d):00$/, (_, h: string) => ` -0${Number(h) + 1}:00`))),
    );
    expect(report.problem).toMatchObject({ seq: 2, file: 'events.csv', reason: expect.stringContaining('date and time') });
  });
});

describe('a bundle whose proof or checkpoint does not hold is refused', () => {
  it('a tampered checkpoint signature', async () => {
    const report = await verify(
      tampered(all, (b) => {
        const lines = b.checkpoint.split('\n');
        const sig = lines[4]!;
        const flipped = sig.slice(0, -6) + (sig.at(-6) === 'A' ? 'B' : 'A') + sig.slice(-5);
        lines[4] = flipped;
        b.checkpoint = lines.join('\n');
      }),
    );
    expect(report.problem).toMatchObject({ seq: null, file: 'checkpoint', reason: expect.stringContaining('does not verify') });
  });

  it('a checkpoint with another root, keeping the old signature', async () => {
    const report = await verify(
      tampered(all, (b) => (b.checkpoint = b.checkpoint.replace(/\n(\d+)\n/, (_, n: string) => `\n${Number(n) + 1}\n`))),
    );
    expect(report.problem).toMatchObject({ file: 'checkpoint' });
  });

  it('the wrong key', async () => {
    const other = await parseVerifierKey((await parseSignerKey(await generateSignerKey(LOG_NAME))).verifierKey);
    const report = await verify(all, [other]);
    expect(report.problem).toMatchObject({ seq: null, file: 'checkpoint', reason: expect.stringContaining('no trusted key signed') });
  });

  it('a truncated proof', async () => {
    expect(filtered.proofHashes.length).toBeGreaterThan(1);
    const report = await verify(tampered(filtered, (b) => b.proofHashes.pop()));
    expect(report.problem).toMatchObject({ seq: null, file: 'proof-hashes.txt', reason: expect.stringContaining('cut short') });
  });

  it('a proof with a hash too many', async () => {
    const report = await verify(tampered(filtered, (b) => b.proofHashes.push(b.proofHashes[0]!)));
    expect(report.problem).toMatchObject({ file: 'proof-hashes.txt' });
  });

  it('a proof hash changed', async () => {
    const report = await verify(
      tampered(filtered, (b) => (b.proofHashes[1] = b.proofHashes[1]!.replace(/^./, (c) => (c === '0' ? '1' : '0')))),
    );
    expect(report.problem).toMatchObject({ seq: null, reason: expect.stringContaining("the checkpoint's is") });
  });

  it('proof.json of another tree size', async () => {
    const report = await verify(tampered(all, (b) => (b.proof = JSON.stringify({ ...JSON.parse(b.proof), treeSize: EVENTS + 1 }))));
    expect(report.problem).toMatchObject({ file: 'proof.json' });
  });

  it('a record of another organization', async () => {
    const report = await verify(tampered(all, (b) => (b.records[0] = b.records[0]!.replace(tenancy.org.id, tenancy.otherOrg.id))));
    expect(report.problem).toMatchObject({ seq: 0, reason: expect.stringContaining('organization') });
  });
});
