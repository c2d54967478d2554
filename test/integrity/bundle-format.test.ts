import { describe, expect, it } from 'vitest';
import { BatchReader } from '../../src/integrity/batch-reader.js';
import {
  BUNDLE_FORMAT,
  formatBundleProof,
  formatLeafHashLine,
  parseBundleProof,
  parseLeafHashLine,
  parseProofHashLine,
  type BundleProof,
} from '../../src/integrity/bundle-format.js';
import { toHex } from '../../src/integrity/bytes.js';
import { FormatError } from '../../src/integrity/integrity-errors.js';

/**
 * The bundle's own formats as the verifier reads them: proof.json member by member, the lines of
 * leaf-hashes.txt and proof-hashes.txt, and the batched reading of the long files.
 */
const PROOF: BundleProof = {
  format: BUNDLE_FORMAT,
  origin: 'attest.test/org-1',
  treeSize: 10,
  scope: 'filtered',
  filters: { actor: 'bob' },
  count: 2,
  firstSeq: 3,
  lastSeq: 7,
  contiguous: false,
};
const HASH = 'ab'.repeat(32);

const proofWith = (change: Record<string, unknown>) => JSON.stringify({ ...PROOF, ...change });

describe('proof.json', () => {
  it('reads back what formatBundleProof writes, with or without filters', () => {
    expect(formatBundleProof(PROOF)).toBe(`${JSON.stringify(PROOF, null, 2)}\n`);
    expect(parseBundleProof(formatBundleProof(PROOF))).toEqual(PROOF);
    const { filters: _, ...unfiltered } = PROOF;
    const parsed = parseBundleProof(JSON.stringify({ ...unfiltered, extra: 1 }));
    expect(parsed).toEqual(unfiltered);
    expect('filters' in parsed).toBe(false);
    expect(parseBundleProof(proofWith({ scope: 'all', count: 0, firstSeq: null, lastSeq: null }))).toMatchObject({
      scope: 'all',
      firstSeq: null,
      lastSeq: null,
    });
  });

  it('names the member that is missing or wrong', () => {
    const refusals: [string, string][] = [
      ['{', 'proof.json is not JSON'],
      ['null', 'proof.json is not a JSON object'],
      ['"text"', 'proof.json is not a JSON object'],
      [proofWith({ format: 'attest-bundle/2' }), 'proof.json is of format "attest-bundle/2", not attest-bundle/1'],
      [proofWith({ format: undefined }), 'proof.json is of format undefined, not attest-bundle/1'],
      [proofWith({ origin: 5 }), "proof.json's origin is not a string"],
      [proofWith({ treeSize: -1 }), "proof.json's treeSize is not a whole number"],
      [proofWith({ treeSize: 1.5 }), "proof.json's treeSize is not a whole number"],
      [proofWith({ treeSize: '10' }), "proof.json's treeSize is not a whole number"],
      [proofWith({ treeSize: 2 ** 53 }), "proof.json's treeSize is not a whole number"],
      [proofWith({ scope: 'some' }), "proof.json's scope is neither all nor filtered"],
      [proofWith({ count: -2 }), "proof.json's count is not a whole number"],
      [proofWith({ contiguous: 'yes' }), "proof.json's contiguous is not true or false"],
      [proofWith({ filters: null }), "proof.json's filters is not an object"],
      [proofWith({ filters: 'actor' }), "proof.json's filters is not an object"],
      [proofWith({ firstSeq: -1 }), "proof.json's firstSeq is not a seq or null"],
      [proofWith({ lastSeq: 'x' }), "proof.json's lastSeq is not a seq or null"],
      [proofWith({ firstSeq: null }), 'proof.json has a first and last seq exactly when it has events'],
      [proofWith({ lastSeq: null }), 'proof.json has a first and last seq exactly when it has events'],
      [proofWith({ count: 0 }), 'proof.json has a first and last seq exactly when it has events'],
      [proofWith({ count: 0, firstSeq: null }), 'proof.json has a first and last seq exactly when it has events'],
    ];
    for (const [text, message] of refusals) {
      expect(() => parseBundleProof(text), text).toThrow(FormatError);
      expect(() => parseBundleProof(text), text).toThrow(message);
    }
    // The first problem found, in the order the members are checked.
    expect(() => parseBundleProof(JSON.stringify({ format: BUNDLE_FORMAT }))).toThrow("proof.json's origin is not a string");
    expect(() => parseBundleProof(proofWith({ treeSize: 'x', scope: 'x' }))).toThrow('treeSize');
    expect(() => parseBundleProof(proofWith({ scope: 'x', count: 'x' }))).toThrow('scope');
    expect(() => parseBundleProof(proofWith({ count: 'x', contiguous: 'x' }))).toThrow('count');
    expect(() => parseBundleProof(proofWith({ contiguous: 'x', filters: 'x' }))).toThrow('contiguous');
    expect(() => parseBundleProof(proofWith({ filters: 'x', firstSeq: 'x' }))).toThrow('filters');
    expect(() => parseBundleProof(proofWith({ firstSeq: 'x', lastSeq: 'x' }))).toThrow('firstSeq');
    expect(parseBundleProof(proofWith({ firstSeq: 0, treeSize: 0 }))).toMatchObject({ firstSeq: 0, treeSize: 0 });
  });
});

describe('leaf-hashes.txt and proof-hashes.txt lines', () => {
  it('a leaf line is "<seq> <64 lowercase hex digits>", the seq without leading zeros', () => {
    expect(formatLeafHashLine(12, HASH)).toBe(`12 ${HASH}`);
    expect(parseLeafHashLine(`12 ${HASH}`)).toEqual({ seq: 12, hash: new Uint8Array(32).fill(0xab) });
    expect(parseLeafHashLine(`0 ${HASH}`)?.seq).toBe(0);
    expect(parseLeafHashLine(`9007199254740991 ${HASH}`)?.seq).toBe(Number.MAX_SAFE_INTEGER);
    expect(toHex(parseLeafHashLine(`1 ${'0123456789abcdef'.repeat(4)}`)!.hash)).toBe('0123456789abcdef'.repeat(4));
    for (const line of [
      `012 ${HASH}`,
      `-1 ${HASH}`,
      `1.5 ${HASH}`,
      `9007199254740992 ${HASH}`,
      `12345678901234567 ${HASH}`,
      `12  ${HASH}`,
      `12 ${HASH.toUpperCase()}`,
      `12 ${HASH.slice(2)}`,
      `12 ${HASH}0`,
      `12 ${HASH} `,
      ` 12 ${HASH}`,
      `x12 ${HASH}`,
      `12 ${HASH.slice(1)}g`,
      HASH,
      '',
    ])
      expect(parseLeafHashLine(line), line).toBeUndefined();
  });

  it('a proof line is 64 lowercase hex digits', () => {
    expect(parseProofHashLine(HASH)).toEqual(new Uint8Array(32).fill(0xab));
    for (const line of [HASH.toUpperCase(), HASH.slice(2), `${HASH}00`, ` ${HASH}`, `${HASH} `, `g${HASH.slice(1)}`, ''])
      expect(parseProofHashLine(line), line).toBeUndefined();
  });
});

describe('a batched stream read item by item', () => {
  async function* batches(): AsyncGenerator<number[]> {
    yield [];
    yield [1, 2];
    yield [];
    yield [];
    yield [3];
  }

  it('answers from the batch at hand, and asks for a fill only when it is used up', async () => {
    const reader = new BatchReader(batches());
    expect(reader.ready).toBe(false);
    expect(reader.shift()).toBeUndefined();
    await reader.fill();
    expect(reader.ready).toBe(true);
    expect(reader.shift()).toBe(1);
    expect(reader.ready).toBe(true);
    expect(reader.shift()).toBe(2);
    expect(reader.ready).toBe(false);
    await reader.fill();
    expect(reader.shift()).toBe(3);
    expect(reader.ready).toBe(false);
    await reader.fill();
    expect(reader.ready).toBe(true);
    expect(reader.shift()).toBeUndefined();
    await reader.fill();
    expect(reader.shift()).toBeUndefined();
  });

  it('throws what the stream throws, on the fill that reaches it', async () => {
    async function* failing(): AsyncGenerator<number[]> {
      yield [1];
      throw new Error('gone');
    }
    const reader = new BatchReader(failing());
    await reader.fill();
    expect(reader.shift()).toBe(1);
    await expect(reader.fill()).rejects.toThrow('gone');
  });
});
