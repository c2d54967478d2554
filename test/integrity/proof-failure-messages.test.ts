import { describe, expect, it } from 'vitest';
import { fromHex, toBase64, toHex } from '../../src/integrity/bytes.js';
import { formatCheckpoint, parseCheckpoint } from '../../src/integrity/checkpoint.js';
import { CompactRange } from '../../src/integrity/compact-range.js';
import { consistencyProof, verifyConsistency } from '../../src/integrity/consistency-proof.js';
import { inclusionProof, verifyInclusion } from '../../src/integrity/inclusion-proof.js';
import {
  HashLengthError,
  IntegrityError,
  ProofLengthError,
  RootMismatchError,
  SignatureError,
  TreeSizeError,
} from '../../src/integrity/integrity-errors.js';
import { MemoryMerkleTree } from '../../src/integrity/memory-merkle-tree.js';
import { MerkleHasher } from '../../src/integrity/merkle-hasher.js';
import { multiInclusionProof, verifyMultiInclusion } from '../../src/integrity/multi-inclusion-proof.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey } from '../../src/integrity/note-keys.js';
import { openCheckpoint, signCheckpoint } from '../../src/integrity/signed-checkpoint.js';
import { foldFromRight, treeRoot } from '../../src/integrity/subtree-hashes.js';
import { assertTreeSize, consistencyProofRanges, inclusionProofRanges, rangeNodes } from '../../src/integrity/tree-shape.js';
import { syntheticLeafHashes } from './support/rfc9162-reference.js';

/**
 * What each refusal of a proof, a tree size, a hash or a checkpoint says, word for word: the report of
 * `attest verify` and the page's "does not verify" line show these messages, so a changed or lost message
 * is a changed product. The numbers in them are the claim's own (sizes, lengths, indices, roots).
 */

const hasher = new MerkleHasher();
const HASH = new Uint8Array(32).fill(9);
const SHORT = new Uint8Array(31);
const ROOT_B64 = toBase64(new Uint8Array(32));

async function failure(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a refusal');
}

async function message(run: () => unknown): Promise<string> {
  return (await failure(run)).message;
}

describe('the errors carry their evidence', () => {
  it('names each error class and says what was expected and found', () => {
    const expected = fromHex('00'.repeat(31) + 'ff')!;
    const computed = fromHex('ab'.repeat(32))!;
    const mismatch = new RootMismatchError(expected, computed);
    expect(mismatch).toBeInstanceOf(IntegrityError);
    expect(mismatch.name).toBe('RootMismatchError');
    expect(mismatch.message).toBe(`the proof leads to root ${'ab'.repeat(32)}, expected ${'00'.repeat(31)}ff`);
    expect([mismatch.expectedRoot, mismatch.computedRoot]).toEqual([expected, computed]);
    const length = new ProofLengthError(4, 3);
    expect([length.name, length.message, length.expectedLength, length.actualLength]).toEqual([
      'ProofLengthError',
      'the proof has 3 hashes, the tree shape calls for 4',
      4,
      3,
    ]);
    const hashLength = new HashLengthError('proof hash 2', 31);
    expect([hashLength.name, hashLength.message, hashLength.what, hashLength.actualLength]).toEqual([
      'HashLengthError',
      'proof hash 2 is 31 bytes long, a SHA-256 hash is 32',
      'proof hash 2',
      31,
    ]);
    const signature = new SignatureError('no trusted key signed the note', ['a', 'b']);
    expect([signature.name, signature.message, signature.signerNames]).toEqual([
      'SignatureError',
      'no trusted key signed the note',
      ['a', 'b'],
    ]);
    expect(new IntegrityError('x').name).toBe('IntegrityError');
    expect(new TreeSizeError('x').name).toBe('TreeSizeError');
  });
});

describe('tree sizes, indices and ranges: what each refusal says', () => {
  it('refuses sizes and indices that are not in the tree', async () => {
    const cases: [run: () => unknown, expected: string][] = [
      [() => inclusionProofRanges(0, -1), 'the tree size -1 is not a tree size (a whole number ≥ 0)'],
      [() => inclusionProofRanges(0, 1.5), 'the tree size 1.5 is not a tree size (a whole number ≥ 0)'],
      [() => inclusionProofRanges(0, 2 ** 53), `the tree size ${2 ** 53} is not a tree size (a whole number ≥ 0)`],
      [() => inclusionProofRanges(5, 5), 'leaf index 5 is not in a tree of 5 leaves'],
      [() => inclusionProofRanges(-1, 5), 'leaf index -1 is not in a tree of 5 leaves'],
      [() => inclusionProofRanges(0.5, 5), 'leaf index 0.5 is not in a tree of 5 leaves'],
      [() => inclusionProofRanges(0, 0), 'leaf index 0 is not in a tree of 0 leaves'],
      [() => consistencyProofRanges(6, 5), 'the old tree size 6 is larger than the new one 5'],
      [() => consistencyProofRanges(-1, 5), 'the old tree size -1 is not a tree size (a whole number ≥ 0)'],
      [() => consistencyProofRanges(1, Number.NaN), 'the new tree size NaN is not a tree size (a whole number ≥ 0)'],
      [() => rangeNodes({ begin: 3, end: 3 }), 'an empty leaf range 3..3 has no nodes'],
      [() => rangeNodes({ begin: 4, end: 2 }), 'an empty leaf range 4..2 has no nodes'],
      [() => rangeNodes({ begin: 1, end: 3 }), 'leaf range 1..3 is not aligned to complete subtrees'],
      [() => rangeNodes({ begin: 2, end: 6 }), 'leaf range 2..6 is not aligned to complete subtrees'],
      [() => foldFromRight([], hasher), 'no subtrees to fold'],
    ];
    for (const [run, expected] of cases) expect(await message(run)).toBe(expected);
    expect(() => assertTreeSize('a size', 2 ** 53 - 1)).not.toThrow();
    expect(() => assertTreeSize('a size', 0)).not.toThrow();
    expect(inclusionProofRanges(0, 1)).toEqual([]);
    expect(rangeNodes({ begin: 4, end: 7 })).toEqual([
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
  });

  it('refuses multi-leaf proofs of no leaf, leaves out of the tree or out of order', async () => {
    const tree = await MemoryMerkleTree.fromLeafHashes(syntheticLeafHashes(8), hasher);
    const cases: [indices: number[], expected: string][] = [
      [[], 'a multi-leaf proof needs at least one leaf'],
      [[-0.5, 1], 'leaf index -0.5 is not in a tree of 8 leaves'],
      [[8], 'leaf index 8 is not in a tree of 8 leaves'],
      [[-1], 'leaf index -1 is not in a tree of 8 leaves'],
      [[1.5], 'leaf index 1.5 is not in a tree of 8 leaves'],
      [[3, 3], 'leaf indices must increase: 3 follows 3'],
      [[4, 2], 'leaf indices must increase: 2 follows 4'],
    ];
    for (const [indices, expected] of cases) expect(await message(() => multiInclusionProof(indices, 8, tree, hasher))).toBe(expected);
    expect(await message(() => multiInclusionProof([0], -1, tree, hasher))).toBe(
      'the tree size -1 is not a tree size (a whole number ≥ 0)',
    );
    const leaves = syntheticLeafHashes(8);
    const proof = await multiInclusionProof([1, 6], 8, tree, hasher);
    const claim = { size: 8, leaves: [[1, leaves[1]!] as const, [6, leaves[6]!] as const], proof, root: await tree.root() };
    await verifyMultiInclusion(hasher, claim);
    expect(await message(() => verifyMultiInclusion(hasher, { ...claim, leaves: [[1, SHORT] as const, [6, leaves[6]!] as const] }))).toBe(
      'the leaf hash of leaf 1 is 31 bytes long, a SHA-256 hash is 32',
    );
    expect(await message(() => verifyMultiInclusion(hasher, { ...claim, proof: [...proof.slice(0, -1), SHORT] }))).toBe(
      `proof hash ${proof.length - 1} is 31 bytes long, a SHA-256 hash is 32`,
    );
    expect(await message(() => verifyMultiInclusion(hasher, { ...claim, proof: proof.slice(1) }))).toBe(
      `the proof has ${proof.length - 1} hashes, the tree shape calls for ${proof.length}`,
    );
  });

  it('names the hash of the wrong length: children, leaves, proof hashes, roots and edge hashes', async () => {
    const tree = await MemoryMerkleTree.fromLeafHashes(syntheticLeafHashes(5), hasher);
    const root = await tree.root();
    const path = await inclusionProof(2, 5, tree, hasher);
    const consistency = await consistencyProof(3, 5, tree, hasher);
    const cases: [run: () => unknown, expected: string][] = [
      [() => hasher.hashChildren(SHORT, HASH), 'a left child hash is 31 bytes long, a SHA-256 hash is 32'],
      [() => hasher.hashChildren(HASH, SHORT), 'a right child hash is 31 bytes long, a SHA-256 hash is 32'],
      [
        () => verifyInclusion(hasher, { index: 2, size: 5, leafHash: SHORT, proof: path, root }),
        'the leaf hash is 31 bytes long, a SHA-256 hash is 32',
      ],
      [
        () => verifyInclusion(hasher, { index: 2, size: 5, leafHash: HASH, proof: [path[0]!, SHORT, ...path.slice(2)], root }),
        'proof hash 1 is 31 bytes long, a SHA-256 hash is 32',
      ],
      [
        () => verifyConsistency(hasher, { oldSize: 3, newSize: 5, oldRoot: SHORT, newRoot: root, proof: consistency }),
        'the old root is 31 bytes long, a SHA-256 hash is 32',
      ],
      [
        () => verifyConsistency(hasher, { oldSize: 3, newSize: 5, oldRoot: root, newRoot: SHORT, proof: consistency }),
        'the new root is 31 bytes long, a SHA-256 hash is 32',
      ],
      [
        () => verifyConsistency(hasher, { oldSize: 3, newSize: 5, oldRoot: root, newRoot: root, proof: [SHORT, ...consistency.slice(1)] }),
        'proof hash 0 is 31 bytes long, a SHA-256 hash is 32',
      ],
      [() => new CompactRange(hasher, 3, [HASH]), 'a tree of 3 leaves has 2 edge hashes, not 1'],
      [() => new CompactRange(hasher, 3, [HASH, SHORT]), 'edge hash 1 is 31 bytes long, a SHA-256 hash is 32'],
      [() => new CompactRange(hasher, -2), 'the tree size -2 is not a tree size (a whole number ≥ 0)'],
      [() => new CompactRange(hasher).append(SHORT), 'the leaf hash is 31 bytes long, a SHA-256 hash is 32'],
    ];
    for (const [run, expected] of cases) expect(await message(run)).toBe(expected);
    // The roots of trees of 0 and of 1 leaves, from stored subtrees: SHA-256 of nothing, and the leaf itself.
    expect(toHex(await treeRoot(0, tree, hasher))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await treeRoot(1, tree, hasher)).toEqual(syntheticLeafHashes(1)[0]);
  });

  it('refuses a consistency proof between equal sizes whose roots differ, naming both', async () => {
    const error = await failure(() =>
      verifyConsistency(hasher, { oldSize: 4, newSize: 4, oldRoot: HASH, newRoot: SHORT.fill(1), proof: [] }),
    );
    expect(error).toBeInstanceOf(HashLengthError);
    const other = new Uint8Array(32).fill(1);
    const mismatch = await failure(() => verifyConsistency(hasher, { oldSize: 4, newSize: 4, oldRoot: HASH, newRoot: other, proof: [] }));
    expect(mismatch.message).toBe(`the proof leads to root ${toHex(other)}, expected ${toHex(HASH)}`);
    await verifyConsistency(hasher, { oldSize: 4, newSize: 4, oldRoot: HASH, newRoot: HASH, proof: [] });
    await verifyConsistency(hasher, { oldSize: 0, newSize: 4, oldRoot: other, newRoot: HASH, proof: [] });
  });
});

describe('checkpoints: what each refusal says', () => {
  it('names the line of a checkpoint body that is wrong', async () => {
    const cases: [text: string, expected: string][] = [
      [`a/b\n1\n${ROOT_B64}`, 'a checkpoint ends with a newline'],
      ['a/b\n1\n', 'a checkpoint has an origin, a size and a root hash line'],
      ['\n', 'a checkpoint has an origin, a size and a root hash line'],
      [`\n1\n${ROOT_B64}\n`, 'the checkpoint origin "" is empty or holds white space or a +'],
      [`a b\n1\n${ROOT_B64}\n`, 'the checkpoint origin "a b" is empty or holds white space or a +'],
      [`a\tb\n1\n${ROOT_B64}\n`, 'the checkpoint origin "a\\tb" is empty or holds white space or a +'],
      [`a+b\n1\n${ROOT_B64}\n`, 'the checkpoint origin "a+b" is empty or holds white space or a +'],
      [`a/b\n01\n${ROOT_B64}\n`, 'the checkpoint size "01" is not a decimal number without leading zeros'],
      [`a/b\n1x\n${ROOT_B64}\n`, 'the checkpoint size "1x" is not a decimal number without leading zeros'],
      [`a/b\nx1\n${ROOT_B64}\n`, 'the checkpoint size "x1" is not a decimal number without leading zeros'],
      [`a/b\n\n${ROOT_B64}\n`, 'the checkpoint size "" is not a decimal number without leading zeros'],
      [`a/b\n9007199254740992\n${ROOT_B64}\n`, 'the checkpoint size 9007199254740992 is larger than this verifier can count'],
      ['a/b\n1\nAAAA\n', 'the checkpoint root "AAAA" is not base64 of a 32-byte hash'],
      ['a/b\n1\n!!\n', 'the checkpoint root "!!" is not base64 of a 32-byte hash'],
      [`a/b\n1\n${ROOT_B64}\n\n`, 'a checkpoint has no empty lines'],
      [`a/b\n1\n${ROOT_B64}\nx\n\ny\n`, 'a checkpoint has no empty lines'],
    ];
    for (const [text, expected] of cases) expect(await message(() => parseCheckpoint(text)), JSON.stringify(text)).toBe(expected);
    expect(parseCheckpoint(`a/b\n9007199254740991\n${ROOT_B64}\n`).size).toBe(2 ** 53 - 1);
    expect(parseCheckpoint(`a/b\n0\n${ROOT_B64}\n`).size).toBe(0);
  });

  it('refuses to write a checkpoint it could not read back', async () => {
    const root = new Uint8Array(32);
    const cases: [run: () => unknown, expected: string][] = [
      [() => formatCheckpoint({ origin: '', size: 1, rootHash: root }), 'the checkpoint origin "" is empty or holds white space or a +'],
      [() => formatCheckpoint({ origin: 'a', size: -1, rootHash: root }), 'the checkpoint size -1 is not a whole number ≥ 0'],
      [() => formatCheckpoint({ origin: 'a', size: 1.5, rootHash: root }), 'the checkpoint size 1.5 is not a whole number ≥ 0'],
      [() => formatCheckpoint({ origin: 'a', size: 2 ** 53, rootHash: root }), `the checkpoint size ${2 ** 53} is not a whole number ≥ 0`],
      [() => formatCheckpoint({ origin: 'a', size: 1, rootHash: SHORT }), 'the checkpoint root is 31 bytes, a SHA-256 hash is 32'],
      [() => formatCheckpoint({ origin: 'a', size: 1, rootHash: root, extensions: [''] }), 'a checkpoint extension is one non-empty line'],
      [
        () => formatCheckpoint({ origin: 'a', size: 1, rootHash: root, extensions: ['x\ny'] }),
        'a checkpoint extension is one non-empty line',
      ],
    ];
    for (const [run, expected] of cases) expect(await message(run)).toBe(expected);
  });

  it('says which log a signed checkpoint is of when it is not the one expected', async () => {
    const signer = await parseSignerKey(await generateSignerKey('attest.local'));
    const note = await signCheckpoint({ origin: 'attest.local/org_1', size: 3, rootHash: HASH }, signer);
    expect(await message(() => openCheckpoint(note, [], 'attest.local/org_1'))).toBe('no trusted key signed the note');
    expect(await message(async () => openCheckpoint(note, [await parseVerifierKey(signer.verifierKey)], 'attest.local/org_2'))).toBe(
      'the checkpoint is of log "attest.local/org_1", not "attest.local/org_2"',
    );
  });
});
