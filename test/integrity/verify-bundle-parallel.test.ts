import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundleZip } from '../../src/cli/bundle/bundle-zip-reader.js';
import { verifyBundleInParallel } from '../../src/cli/bundle/parallel-bundle-check.js';
import { recordLeafDigests, RecordNotUtf8Error, sameDigest } from '../../src/cli/bundle/record-leaf-digests.js';
import { RecordsThreadError } from '../../src/cli/bundle/records-csv-thread.js';
import { verifyBundleFile } from '../../src/cli/bundle/verify-bundle-file.js';
import { nodeMerkleHasher } from '../../src/core/node-merkle-hasher.js';
import { verifyBundle, type BundleReport } from '../../src/integrity/verify-bundle.js';
import { copyTexts, filesOf, writeBundleZip, type BundleTexts } from './support/bundle-texts.js';
import { buildPureBundle, type PureBundle } from './support/pure-bundle.js';

/**
 * `attest verify BUNDLE` of a large bundle, its checks split over two threads (`parallel-bundle-check.ts`):
 * an untouched bundle gets the report the sequential verifier gives, member for member; every kind of tampering
 * is caught by one thread or the other, and then named exactly as the sequential verifier names it; a records
 * thread that dies is an error, and one that ends without checking is no pass.
 */
// Several inflated pieces of records.jsonl and events.csv, so that batches end anywhere.
const SIZE = 2500;
let dir: string;
let all: PureBundle;
let filtered: PureBundle;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attest-verify-parallel-'));
  all = await buildPureBundle(SIZE);
  filtered = await buildPureBundle(
    SIZE,
    Array.from({ length: SIZE / 5 }, (_, i) => i * 5 + (i % 3)),
  );
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

let files = 0;
async function zipOf(texts: BundleTexts): Promise<string> {
  const file = join(dir, `bundle-${(files += 1)}.zip`);
  await writeBundleZip(file, texts);
  return file;
}

/** The parallel check alone: a report when both threads hold, `undefined` when one does not. */
async function inParallel(file: string, bundle: PureBundle = all, workerModule?: URL): Promise<BundleReport | undefined> {
  const zip = await openBundleZip(file);
  try {
    return await verifyBundleInParallel(file, zip, [bundle.verifier], nodeMerkleHasher, workerModule);
  } finally {
    zip.close();
  }
}

function sequential(texts: BundleTexts, bundle: PureBundle = all): Promise<BundleReport> {
  return verifyBundle(filesOf(texts, 97), [bundle.verifier], nodeMerkleHasher);
}

function tampered(texts: BundleTexts, change: (copy: BundleTexts) => void): BundleTexts {
  const copy = copyTexts(texts);
  change(copy);
  return copy;
}

describe('a bundle that verifies', () => {
  it('gets the sequential verifier’s report, member for member and in its order', async () => {
    for (const bundle of [all, filtered]) {
      const report = await inParallel(await zipOf(bundle.texts), bundle);
      const expected = await sequential(bundle.texts, bundle);
      expect(expected.ok).toBe(true);
      expect(JSON.stringify(report)).toBe(JSON.stringify(expected));
    }
  });

  it('is checked in parallel by verifyBundleFile from the size given', async () => {
    const file = await zipOf(all.texts);
    const report = await verifyBundleFile(file, all.verifier, { parallelFromBytes: 0 });
    expect(report).toMatchObject({ ok: true, recordsChecked: SIZE });
    // A records thread that fails shows that the parallel path was the one taken.
    const failing = await workerModule('throw new Error("not started");');
    await expect(verifyBundleFile(file, all.verifier, { parallelFromBytes: 0, recordsWorker: failing })).rejects.toThrow(
      RecordsThreadError,
    );
    await expect(verifyBundleFile(file, all.verifier, { recordsWorker: failing })).resolves.toMatchObject({ ok: true });
  });
});

const CHANGES: readonly [string, (b: BundleTexts) => void][] = [
  ['a record edited (the leaf side)', (b) => (b.records[1233] = b.records[1233]!.replace('"Did thing', '"Did other thing'))],
  ['a CSV cell edited (the records side)', (b) => (b.csvRows[2001]![5] = 'Something else')],
  [
    'a CSV time moved by an hour',
    (b) =>
      (b.csvRows[7]![1] = b.csvRows[7]![1]!.replace(/ (\d\d):/, (_, h: string) => ` ${String((Number(h) + 1) % 24).padStart(2, '0')}:`)),
  ],
  ['the CSV header', (b) => (b.csvRows[0]![3] = 'Kind')],
  ['a record line deleted', (b) => b.records.splice(600, 1)],
  ['the last record line deleted', (b) => b.records.pop()],
  ['a record line inserted', (b) => b.records.splice(40, 0, b.records[39]!)],
  [
    'two events swapped, records, leaf hashes and CSV rows together',
    (b) => {
      [b.records[10], b.records[11]] = [b.records[11]!, b.records[10]!];
      [b.leafHashes[10], b.leafHashes[11]] = [b.leafHashes[11]!, b.leafHashes[10]!];
      [b.csvRows[11], b.csvRows[12]] = [b.csvRows[12]!, b.csvRows[11]!];
    },
  ],
  [
    'an event deleted, record, leaf hash and CSV row together',
    (b) => {
      b.records.splice(1500, 1);
      b.leafHashes.splice(1500, 1);
      b.csvRows.splice(1501, 1);
    },
  ],
  ['a CSV row too many', (b) => b.csvRows.push([...b.csvRows.at(-1)!])],
  ['a CSV row missing', (b) => b.csvRows.pop()],
  ['a listed leaf too many', (b) => b.leafHashes.push(b.leafHashes.at(-1)!)],
  ['a line that is no JSON record', (b) => (b.records[3] = '{"seq":"3"}')],
  ['a proof hash where an export of everything needs none', (b) => b.proofHashes.push(b.leafHashes[0]!.split(' ')[1]!)],
  ['proof.json counting one event more', (b) => (b.proof = JSON.stringify({ ...(JSON.parse(b.proof) as object), count: SIZE + 1 }))],
];

describe('a tampered bundle', () => {
  for (const [what, change] of CHANGES)
    it(`${what}: does not hold in parallel, and is named as the sequential verifier names it`, async () => {
      const texts = tampered(all.texts, change);
      const expected = await sequential(texts);
      expect(expected.ok).toBe(false);
      const file = await zipOf(texts);
      expect(await inParallel(file)).toBeUndefined();
      expect(await verifyBundleFile(file, all.verifier, { parallelFromBytes: 0 })).toEqual(expected);
    });

  const SELECTION_CHANGES: readonly [string, (b: BundleTexts) => void][] = [
    [
      'an event missing from a selection, with its leaf hash and CSV row',
      (b) => {
        b.records.splice(100, 1);
        b.leafHashes.splice(100, 1);
        b.csvRows.splice(101, 1);
      },
    ],
    ['a proof hash of a selection changed', (b) => (b.proofHashes[3] = b.proofHashes[3]!.replace(/^./, (c) => (c === '0' ? '1' : '0')))],
    ['a proof hash of a selection missing', (b) => b.proofHashes.pop()],
  ];
  for (const [what, change] of SELECTION_CHANGES)
    it(`${what}: does not hold in parallel, and is named as the sequential verifier names it`, async () => {
      const texts = tampered(filtered.texts, change);
      const expected = await sequential(texts, filtered);
      expect(expected.ok).toBe(false);
      const file = await zipOf(texts);
      expect(await inParallel(file, filtered)).toBeUndefined();
      expect(await verifyBundleFile(file, filtered.verifier, { parallelFromBytes: 0 })).toEqual(expected);
    });
});

async function workerModule(source: string): Promise<URL> {
  const file = join(dir, `worker-${(files += 1)}.mjs`);
  await writeFile(file, `import { parentPort } from 'node:worker_threads';\n${source}\n`);
  return pathToFileURL(file);
}

describe('a records.jsonl that does not read', () => {
  it('is thrown as the sequential verifier throws it, after the records thread was told', async () => {
    const file = await zipOf(all.texts);
    const bytes = await readFile(file);
    // The central directory's uncompressed size of records.jsonl, one byte short.
    const name = Buffer.from('records.jsonl');
    const at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), bytes.lastIndexOf(name) - 46);
    bytes.writeUInt32LE(bytes.readUInt32LE(at + 24) - 1, at + 24);
    const short = join(dir, 'short.zip');
    await writeFile(short, bytes);
    expect(await inParallel(short)).toBeUndefined();
    await expect(verifyBundleFile(short, all.verifier, { parallelFromBytes: 0 })).rejects.toThrow(
      /records\.jsonl holds more than the \d+ bytes the zip states/,
    );
  });
});

describe('the records thread', () => {
  it('dying is an error, never a pass', async () => {
    const file = await zipOf(all.texts);
    await expect(inParallel(file, all, await workerModule('throw new Error("out of order");'))).rejects.toThrow(
      /the records thread failed: out of order/,
    );
    await expect(inParallel(file, all, await workerModule('process.exit(3);'))).rejects.toThrow(
      /the records thread exited \(code 3\) before its check ended/,
    );
    await expect(inParallel(file, all, await workerModule('// ends without a word'))).rejects.toThrow(
      /the records thread exited \(code 0\) before its check ended/,
    );
  });

  it('saying all holds without handing over the records’ seqs is no pass', async () => {
    const texts = tampered(all.texts, (b) => (b.csvRows[9]![4] = 'Not this activity'));
    const file = await zipOf(texts);
    const liar = await workerModule(`parentPort.postMessage({ kind: 'end', holds: true, records: ${SIZE} });`);
    expect(await inParallel(file, all, liar)).toBeUndefined();
  });
});

describe('recordLeafDigests', () => {
  const lines = ['{"a":"é"}', '{"b":"日本"}', '', '{"c":"😀"}'];
  const text = `${lines.join('\n')}\n{"last":"no newline"}`;
  async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }

  it('hashes each line as the leaf hash of its text, wherever the pieces cut it', async () => {
    const expected = await nodeMerkleHasher.hashLeafTexts([...lines, '{"last":"no newline"}']);
    for (const size of [1, 2, 3, 5, 64]) {
      const digests: string[] = [];
      for await (const batch of recordLeafDigests(pieces(Buffer.from(text), size))) digests.push(...batch);
      expect(digests.length).toBe(expected.length);
      digests.forEach((digest, i) => expect(sameDigest(digest, expected[i]!)).toBe(true));
      expect(sameDigest(digests[0]!, expected[1]!)).toBe(false);
    }
  });

  it('refuses bytes that are not UTF-8, in a line or in the last one', async () => {
    const bad = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    await expect(recordLeafDigests(pieces(bad, 64)).next()).rejects.toThrow(RecordNotUtf8Error);
    const last = Buffer.concat([Buffer.from('{}\n{"a":"'), Buffer.from([0xff])]);
    const iterator = recordLeafDigests(pieces(last, 64));
    expect((await iterator.next()).value).toHaveLength(1);
    await expect(iterator.next()).rejects.toThrow(RecordNotUtf8Error);
  });
});
