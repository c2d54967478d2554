import { hash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatLeafHashLine } from '../../src/integrity/bundle-format.js';
import { toHex } from '../../src/integrity/bytes.js';
import { FormatError } from '../../src/integrity/integrity-errors.js';
import { MerkleHasher } from '../../src/integrity/merkle-hasher.js';
import { formatKeyId, generateSignerKey, parseSignerKey, parseVerifierKey, type NoteVerifier } from '../../src/integrity/note-keys.js';
import { signCheckpoint } from '../../src/integrity/signed-checkpoint.js';
import { verifyBundle, type BundleReport } from '../../src/integrity/verify-bundle.js';
import { copyTexts, filesOf, type BundleTexts } from './support/bundle-files.js';
import { nodeHasher } from './support/node-hasher.js';
import { buildPureBundle, PURE_LOG_NAME, PURE_ORG_ID, type PureBundle } from './support/pure-bundle.js';

/**
 * The bundle verifier on bundles built in memory by the integrity library itself (no store, no server, no
 * zip): every check it makes, each refused with the event, the file and the reason it names, in batches of
 * several sizes so that batch edges fall anywhere.
 */
const SIZE = 23;
let all: PureBundle;
let filtered: PureBundle;
const PICKED = [1, 2, 5, 9, 10, 11, 17, 22];

beforeAll(async () => {
  all = await buildPureBundle(SIZE);
  filtered = await buildPureBundle(SIZE, PICKED);
});

function verify(
  texts: BundleTexts,
  options: { batch?: number; verifiers?: NoteVerifier[]; hasher?: MerkleHasher } = {},
): Promise<BundleReport> {
  return verifyBundle(filesOf(texts, options.batch ?? 4), options.verifiers ?? [all.verifier], options.hasher ?? nodeHasher);
}

function tampered(texts: BundleTexts, change: (copy: BundleTexts) => void): BundleTexts {
  const copy = copyTexts(texts);
  change(copy);
  return copy;
}

const withProof = (texts: BundleTexts, change: Record<string, unknown>) =>
  tampered(texts, (b) => (b.proof = JSON.stringify({ ...(JSON.parse(b.proof) as object), ...change })));

const keyOf = (bundle: PureBundle) => `${PURE_LOG_NAME}+${formatKeyId(bundle.signer.keyId)}`;

describe('a bundle built by the library verifies', () => {
  it('every record, leaf, place and CSV row, whatever the batch size', async () => {
    for (const batch of [1, 2, 5, SIZE + 1]) {
      expect(await verify(all.texts, { batch })).toEqual({
        ok: true,
        origin: `${PURE_LOG_NAME}/${PURE_ORG_ID}`,
        treeSize: SIZE,
        scope: 'all',
        contiguous: true,
        firstSeq: 0,
        lastSeq: SIZE - 1,
        recordsChecked: SIZE,
        verifiedBy: [keyOf(all)],
      });
    }
  });

  it('a selection, with the hashes of the subtrees between its events', async () => {
    expect(await verify(filtered.texts, { batch: 3 })).toEqual({
      ok: true,
      origin: `${PURE_LOG_NAME}/${PURE_ORG_ID}`,
      treeSize: SIZE,
      scope: 'filtered',
      contiguous: false,
      firstSeq: 1,
      lastSeq: 22,
      recordsChecked: PICKED.length,
      verifiedBy: [keyOf(all)],
    });
  });

  it('an empty selection: the proof is the root itself', async () => {
    const empty = await buildPureBundle(5, []);
    expect(await verify(empty.texts)).toMatchObject({ ok: true, recordsChecked: 0, firstSeq: null, lastSeq: null });
  });

  it('a contiguous range that does not start at 0', async () => {
    const range = await buildPureBundle(12, [4, 5, 6, 7]);
    expect(await verify(range.texts, { batch: 3 })).toMatchObject({ ok: true, contiguous: true, recordsChecked: 4 });
  });

  it('with the WebCrypto hasher a browser has', async () => {
    expect((await verify(all.texts, { hasher: new MerkleHasher() })).ok).toBe(true);
  });

  it('with the key among others that do not sign it', async () => {
    const other = await parseVerifierKey((await parseSignerKey(await generateSignerKey('other.log'))).verifierKey);
    expect(await verify(all.texts, { verifiers: [other, all.verifier] })).toMatchObject({ ok: true, verifiedBy: [keyOf(all)] });
  });
});

describe('the checkpoint and proof.json', () => {
  it('another key', async () => {
    const other = await parseVerifierKey((await parseSignerKey(await generateSignerKey(PURE_LOG_NAME))).verifierKey);
    expect(await verify(all.texts, { verifiers: [other] })).toEqual({
      ok: false,
      recordsChecked: 0,
      verifiedBy: [],
      problem: {
        seq: null,
        file: 'checkpoint',
        reason: expect.stringMatching(/^the checkpoint does not verify with the key: .*no trusted key/),
      },
    });
  });

  it('a checkpoint of a log that is not one of the key\u2019s', async () => {
    for (const origin of [PURE_LOG_NAME, `${PURE_LOG_NAME}/`, `${PURE_LOG_NAME}x/${PURE_ORG_ID}`, `x${PURE_LOG_NAME}/${PURE_ORG_ID}`]) {
      const checkpoint = await signCheckpoint({ origin, size: SIZE, rootHash: await all.tree.root() }, all.signer);
      const report = await verify(tampered(all.texts, (b) => (b.checkpoint = checkpoint)));
      expect(report, origin).toEqual({
        ok: false,
        origin,
        treeSize: SIZE,
        recordsChecked: 0,
        verifiedBy: [keyOf(all)],
        problem: { seq: null, file: 'checkpoint', reason: `the checkpoint's log ${origin} is not one of the key's logs` },
      });
    }
  });

  it('proof.json that does not read', async () => {
    const report = await verify(tampered(all.texts, (b) => (b.proof = '{')));
    expect(report.problem).toEqual({ seq: null, file: 'proof.json', reason: 'proof.json is not JSON' });
    expect(report).toMatchObject({ origin: `${PURE_LOG_NAME}/${PURE_ORG_ID}`, treeSize: SIZE, recordsChecked: 0 });
    expect(report.scope).toBeUndefined();
  });

  it('proof.json of another log or tree size', async () => {
    const other = `${PURE_LOG_NAME}/other`;
    expect((await verify(withProof(all.texts, { origin: other }))).problem).toEqual({
      seq: null,
      file: 'proof.json',
      reason: `proof.json is for ${other} at ${SIZE} events, the checkpoint for ${PURE_LOG_NAME}/${PURE_ORG_ID} at ${SIZE}`,
    });
    const report = await verify(withProof(all.texts, { treeSize: SIZE + 1 }));
    expect(report.problem).toMatchObject({ seq: null, file: 'proof.json', reason: expect.stringContaining(`at ${SIZE + 1} events`) });
    expect(report).toMatchObject({ scope: 'all', contiguous: true, firstSeq: 0, lastSeq: SIZE - 1 });
  });

  it('an export of everything that stops short of the checkpoint', async () => {
    const report = await verify(
      tampered(withProof(all.texts, { count: SIZE - 1, lastSeq: SIZE - 2 }), (b) => {
        b.records.pop();
        b.leafHashes.pop();
        b.csvRows.pop();
      }),
    );
    expect(report.problem).toEqual({
      seq: SIZE - 1,
      file: 'proof.json',
      reason: `an export of everything ends at the checkpoint's last event ${SIZE - 1}, this one at ${SIZE - 2}: events were cut off its end`,
    });
  });

  it('an empty export of everything is no such cut', async () => {
    const empty = await buildPureBundle(4, []);
    const report = await verify(withProof(empty.texts, { scope: 'all' }), { verifiers: [empty.verifier] });
    expect(report).toMatchObject({ ok: true, scope: 'all', recordsChecked: 0 });
  });

  it('a checkpoint of an empty log', async () => {
    const checkpoint = await signCheckpoint(
      { origin: `${PURE_LOG_NAME}/${PURE_ORG_ID}`, size: 0, rootHash: await nodeHasher.emptyRoot() },
      all.signer,
    );
    const texts = tampered(withProof(all.texts, { treeSize: 0, count: 0, firstSeq: null, lastSeq: null, scope: 'filtered' }), (b) => {
      b.checkpoint = checkpoint;
      b.records = [];
      b.leafHashes = [];
      b.csvRows = b.csvRows.slice(0, 1);
    });
    expect((await verify(texts)).problem).toEqual({ seq: null, file: 'records.jsonl', reason: 'an empty tree has no leaves to prove' });
  });
});

describe('the records, their leaf hashes and places', () => {
  it('a record edited', async () => {
    const report = await verify(tampered(all.texts, (b) => (b.records[6] = b.records[6]!.replace('Did thing', 'Did not'))));
    const leaf = all.texts.leafHashes[6]!.split(' ')[1];
    expect(report.problem).toEqual({
      seq: 6,
      file: 'records.jsonl',
      reason: `the record does not hash to its leaf hash ${leaf}: the record was edited`,
    });
    expect(report.recordsChecked).toBe(6);
  });

  it('a line that is no JSON record with a seq', async () => {
    for (const line of ['not json', '[]', 'null', '7', '{}', '{"seq":"3"}', '{"seq":1.5}', '{"seq":9007199254740993}']) {
      const report = await verify(
        tampered(all.texts, (b) => (b.records[3] = line)),
        { batch: 2 },
      );
      expect(report.problem, line).toEqual({ seq: 3, file: 'records.jsonl', reason: 'line 4 is not a JSON record with a seq' });
    }
  });

  it('a record of another event in its place', async () => {
    const report = await verify(tampered(all.texts, (b) => (b.records[4] = b.records[5]!)));
    expect(report.problem).toEqual({
      seq: 4,
      file: 'records.jsonl',
      reason: 'records.jsonl holds event 5 where event 4 belongs: a line was deleted, inserted or moved',
    });
  });

  it('a record of another organization', async () => {
    const report = await verify(
      tampered(all.texts, (b) => (b.records[2] = b.records[2]!.replace(`"orgId":"${PURE_ORG_ID}"`, '"orgId":7'))),
    );
    expect(report.problem).toEqual({
      seq: 2,
      file: 'records.jsonl',
      reason: `the record is of organization 7, the checkpoint's log of ${PURE_ORG_ID}`,
    });
  });

  it('more records than listed events', async () => {
    const report = await verify(tampered(all.texts, (b) => b.leafHashes.pop()));
    expect(report.problem).toEqual({
      seq: SIZE - 1,
      file: 'records.jsonl',
      reason: `records.jsonl has more lines than the ${SIZE} events listed`,
    });
  });

  it('a listed line that is not "<seq> <leaf hash>"', async () => {
    const report = await verify(tampered(all.texts, (b) => (b.leafHashes[7] = b.leafHashes[7]!.toUpperCase())));
    expect(report.problem).toEqual({ seq: 7, file: 'leaf-hashes.txt', reason: 'line 8 is not "<seq> <leaf hash>"' });
  });

  it('a listed event out of order, or repeated, in a selection', async () => {
    const swapped = await verify(
      tampered(filtered.texts, (b) => {
        [b.leafHashes[3], b.leafHashes[4]] = [b.leafHashes[4]!, b.leafHashes[3]!];
        [b.records[3], b.records[4]] = [b.records[4]!, b.records[3]!];
        [b.csvRows[4], b.csvRows[5]] = [b.csvRows[5]!, b.csvRows[4]!];
      }),
    );
    expect(swapped.problem).toEqual({
      seq: 9,
      file: 'leaf-hashes.txt',
      reason: 'event 9 is listed after event 10: the list is out of order',
    });
    const repeated = await verify(tampered(filtered.texts, (b) => (b.leafHashes[4] = b.leafHashes[3]!)));
    expect(repeated.problem).toMatchObject({ seq: 9, reason: 'event 9 is listed after event 9: the list is out of order' });
  });

  it('an event missing from a contiguous list', async () => {
    const report = await verify(
      tampered(all.texts, (b) => {
        b.records.splice(8, 1);
        b.leafHashes.splice(8, 1);
        b.csvRows.splice(9, 1);
      }),
    );
    expect(report.problem).toEqual({ seq: 8, file: 'leaf-hashes.txt', reason: 'event 8 is missing from the list, which goes on at 9' });
  });

  it('a listed event that has no record', async () => {
    const report = await verify(tampered(all.texts, (b) => b.records.pop()));
    expect(report.problem).toEqual({
      seq: SIZE - 1,
      file: 'records.jsonl',
      reason: `event ${SIZE - 1} is listed but missing from records.jsonl`,
    });
    const garbled = await verify(
      tampered(all.texts, (b) => {
        b.records.pop();
        b.leafHashes[SIZE - 1] = 'garbled';
      }),
    );
    expect(garbled.problem).toEqual({ seq: null, file: 'records.jsonl', reason: 'event ? is listed but missing from records.jsonl' });
  });

  it('an event past the checkpoint, listed and recorded', async () => {
    const small = await buildPureBundle(SIZE - 3);
    const report = await verify(
      tampered(small.texts, (b) => {
        b.records.push(...all.texts.records.slice(SIZE - 3));
        b.leafHashes.push(...all.texts.leafHashes.slice(SIZE - 3));
        b.csvRows.push(...all.texts.csvRows.slice(SIZE - 2));
      }),
      { verifiers: [small.verifier] },
    );
    expect(report.problem).toEqual({
      seq: SIZE - 3,
      file: 'records.jsonl',
      reason: `event ${SIZE - 3} is not in the checkpoint's tree of ${SIZE - 3} events`,
    });
  });

  it('a count or last seq in proof.json that the records do not reach', async () => {
    const count = await verify(withProof(filtered.texts, { count: PICKED.length + 1 }));
    expect(count.problem).toEqual({
      seq: 23,
      file: 'records.jsonl',
      reason: `the bundle holds ${PICKED.length} events ending at 22; proof.json says ${PICKED.length + 1} ending at 22`,
    });
    const last = await verify(withProof(filtered.texts, { lastSeq: 21 }));
    expect(last.problem).toMatchObject({ seq: 23, reason: expect.stringContaining('proof.json says 8 ending at 21') });
    const none = await verify(withProof((await buildPureBundle(3, [])).texts, { count: 1, firstSeq: 0, lastSeq: 0 }), {
      verifiers: [(await buildPureBundle(3, [])).verifier],
    });
    expect(none.problem).toEqual({
      seq: null,
      file: 'records.jsonl',
      reason: 'the bundle holds 0 events ending at none; proof.json says 1 ending at 0',
    });
  });

  it('a record and its leaf hash forged together: the root is not the signed one', async () => {
    const report = await verify(
      tampered(all.texts, (b) => {
        b.records[0] = b.records[0]!.replace('Did thing', 'Forged');
        b.leafHashes[0] = formatLeafHashLine(0, '00'.repeat(32));
        b.csvRows[1]![5] = 'Forged 0';
      }),
      { hasher: forgingHasher(all.texts.records[0]!.replace('Did thing', 'Forged')) },
    );
    expect(report.problem).toEqual({
      seq: null,
      file: 'proof-hashes.txt',
      reason: expect.stringMatching(
        new RegExp(
          `^the records and proof lead to root [0-9a-f]{64}, the checkpoint's is ${toHex(await all.tree.root())}: records or their leaf hashes were changed$`,
        ),
      ),
    });
    expect(report.recordsChecked).toBe(SIZE);
  });
});

describe('the proof hashes', () => {
  it('a line that is no hash', async () => {
    const report = await verify(tampered(filtered.texts, (b) => (b.proofHashes[1] = 'xyz')));
    expect(report.problem).toEqual({ seq: null, file: 'proof-hashes.txt', reason: 'line 2 is not a hex SHA-256 hash' });
  });

  it('one too few or too many', async () => {
    const short = await verify(tampered(filtered.texts, (b) => b.proofHashes.pop()));
    expect(short.problem).toEqual({
      seq: null,
      file: 'proof-hashes.txt',
      reason: expect.stringMatching(/^the proof is cut short or padded: the proof has \d+ hashes/),
    });
    const long = await verify(tampered(filtered.texts, (b) => b.proofHashes.push(b.proofHashes[0]!)));
    expect(long.problem).toMatchObject({ seq: null, file: 'proof-hashes.txt', reason: expect.stringContaining('cut short or padded') });
  });

  it('a problem in a proof hash the walk needs first is the one named, before a record further on', async () => {
    const report = await verify(
      tampered(filtered.texts, (b) => {
        b.proofHashes[0] = 'xyz';
        b.records[PICKED.length - 1] = 'broken';
      }),
      { batch: PICKED.length },
    );
    expect(report.problem).toMatchObject({ file: 'proof-hashes.txt', reason: 'line 1 is not a hex SHA-256 hash' });
  });

  it('a hasher that breaks the tree is a proof problem, not a crash', async () => {
    const report = await verify(all.texts, { hasher: shortHasher() });
    expect(report.problem).toEqual({ seq: null, file: 'proof-hashes.txt', reason: expect.stringContaining('is 31 bytes long') });
  });

  it('an error that is no integrity problem is thrown', async () => {
    const files = filesOf(all.texts);
    const broken = {
      ...files,
      records: (async function* () {
        yield [all.texts.records[0]!];
        throw new TypeError('disk gone');
      })(),
    };
    await expect(verifyBundle(broken, [all.verifier], nodeHasher)).rejects.toThrow('disk gone');
    await expect(verifyBundle({ ...files, proof: 'x' }, [all.verifier], throwingOpenHasher())).resolves.toMatchObject({ ok: false });
  });
});

describe('the CSV against the records', () => {
  it('a cell that says something else, naming the row', async () => {
    const report = await verify(tampered(all.texts, (b) => (b.csvRows[4]![5] = 'Nothing happened')));
    expect(report.problem).toEqual({
      seq: 3,
      file: 'events.csv',
      reason: 'row 5 does not say what the record says: its Description is "Nothing happened", the record says "Did thing 3"',
    });
  });

  it('a header that is not the export\u2019s, or none at all', async () => {
    const renamed = await verify(tampered(all.texts, (b) => (b.csvRows[0]![0] = 'Log')));
    expect(renamed.problem).toEqual({
      seq: null,
      file: 'events.csv',
      reason: 'the CSV header is wrong: column 1 is titled "Log", not "Log ID"',
    });
    const empty = await verify(tampered(all.texts, (b) => (b.csvRows = [])));
    expect(empty.problem).toEqual({ seq: null, file: 'events.csv', reason: 'the CSV header is wrong: it is empty' });
  });

  it('a row missing, or one too many', async () => {
    const missing = await verify(tampered(all.texts, (b) => b.csvRows.pop()));
    expect(missing.problem).toEqual({ seq: SIZE - 1, file: 'events.csv', reason: 'events.csv has no row for the event' });
    const extra = await verify(tampered(all.texts, (b) => b.csvRows.push(b.csvRows[1]!)));
    expect(extra.problem).toEqual({ seq: null, file: 'events.csv', reason: 'events.csv has more rows than there are records' });
  });

  it('a CSV that cannot be read names its file and the event', async () => {
    const files = filesOf(all.texts);
    const unreadable = (failAfter: number) => ({
      ...files,
      csvRows: (async function* () {
        yield all.texts.csvRows.slice(0, failAfter);
        throw new FormatError('a quote in the middle of an unquoted CSV cell');
      })(),
    });
    expect((await verifyBundle(unreadable(3), [all.verifier], nodeHasher)).problem).toEqual({
      seq: 2,
      file: 'events.csv',
      reason: 'events.csv cannot be read: a quote in the middle of an unquoted CSV cell',
    });
    expect((await verifyBundle(unreadable(0), [all.verifier], nodeHasher)).problem).toMatchObject({ seq: null, file: 'events.csv' });
  });
});

/** node:crypto's hasher, but the leaf hash of one given line is forged to all zeros. */
function forgingHasher(line: string): MerkleHasher {
  const hasher = new MerkleHasher((data) => new Uint8Array(hash('sha256', data, 'buffer')));
  const honest = hasher.hashLeafText.bind(hasher);
  hasher.hashLeafText = (text) => (text === line ? Promise.resolve(new Uint8Array(32)) : honest(text));
  return hasher;
}

/** A hasher whose interior hashes are a byte short: the tree walk refuses the next node built on one. */
function shortHasher(): MerkleHasher {
  const hasher = new MerkleHasher();
  hasher.hashLeafText = (text) => nodeHasher.hashLeafText(text);
  hasher.hashChildren = async (left, right) => (await nodeHasher.hashChildren(left, right)).subarray(1);
  return hasher;
}

/** A hasher that must not be reached: proof.json is refused before any hashing. */
function throwingOpenHasher(): MerkleHasher {
  const hasher = new MerkleHasher();
  hasher.hashLeafTexts = () => Promise.reject(new Error('hashed before proof.json was read'));
  return hasher;
}
