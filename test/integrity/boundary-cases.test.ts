import { describe, expect, it } from 'vitest';
import { concatBytes, equalBytes, fromBase64, fromHex, ownedBytes, toBase64, toHex, utf8 } from '../../src/integrity/bytes.js';
import { CompactRange, edgeNodes, type TreeNode } from '../../src/integrity/compact-range.js';
import { IntegrityError } from '../../src/integrity/integrity-errors.js';
import { MemoryMerkleTree } from '../../src/integrity/memory-merkle-tree.js';
import {
  multiInclusionProof,
  rootFromMultiInclusionProof,
  verifyMultiInclusion,
  type MultiInclusionClaim,
} from '../../src/integrity/multi-inclusion-proof.js';
import { generateSignerKey, parseSignerKey, parseVerifierKey, type NoteVerifier } from '../../src/integrity/note-keys.js';
import { openNote, parseNote, signNote } from '../../src/integrity/signed-note.js';
import { rangeNodes } from '../../src/integrity/tree-shape.js';
import { nodeHasher } from './support/node-hasher.js';
import { ReferenceTree, syntheticLeafHashes } from './support/rfc9162-reference.js';

/**
 * The edges the reference comparisons do not reach: byte codecs on input that is almost right, the node
 * addresses a growing tree hands to the store, the subtrees a tree in memory does not have, forged multi-leaf
 * proofs, and signature lines at the limits of their format.
 */

const LEAVES = syntheticLeafHashes(40);

async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    return error.name;
  }
}

describe('byte codecs', () => {
  it('reads hex of whole bytes in either case, and nothing else', () => {
    expect(fromHex('00ff7fAb')).toEqual(new Uint8Array([0, 255, 127, 171]));
    expect(fromHex('')).toEqual(new Uint8Array(0));
    for (const bad of ['abc', '0', '0g', 'zz', ' 00', '00 ', '0x00']) expect(fromHex(bad), bad).toBeUndefined();
    expect(toHex(new Uint8Array([0, 1, 16, 255]))).toBe('000110ff');
  });

  it('reads standard padded base64 only in the one spelling it writes', () => {
    expect(fromBase64('AAECAw==')).toEqual(new Uint8Array([0, 1, 2, 3]));
    expect(fromBase64('')).toEqual(new Uint8Array(0));
    expect(fromBase64('+/+/')).toEqual(new Uint8Array([0xfb, 0xff, 0xbf]));
    // Missing padding, stray bits, white space, URL-safe letters, padding inside: atob takes some, this does not.
    for (const bad of ['AA', 'AB==', 'AAAA AAAA', ' AAAA', 'AAAA\n', 'AA=A', '-_==', '!!!!', 'A===', 'AAA'])
      expect(fromBase64(bad), JSON.stringify(bad)).toBeUndefined();
    expect(toBase64(new Uint8Array([0xfb, 0xff]))).toBe('+/8=');
  });

  it('compares bytes by length and content, and joins them in order', () => {
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(equalBytes(new Uint8Array([1]), new Uint8Array([1, 2]))).toBe(false);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1]))).toBe(false);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(equalBytes(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(concatBytes(new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
    expect(utf8('é€')).toEqual(new Uint8Array([0xc3, 0xa9, 0xe2, 0x82, 0xac]));
    const shared = new Uint8Array(new SharedArrayBuffer(2));
    shared[1] = 5;
    const owned = ownedBytes(shared);
    expect(owned.buffer).toBeInstanceOf(ArrayBuffer);
    expect(owned).toEqual(new Uint8Array([0, 5]));
    const plain = new Uint8Array([1]);
    expect(ownedBytes(plain)).toBe(plain);
  });
});

describe('the growing tree’s nodes', () => {
  it('announces every complete subtree an append completes at its level and index, lowest first', async () => {
    const edge = new CompactRange(nodeHasher);
    const announced: TreeNode[] = [];
    for (const leaf of LEAVES.slice(0, 13)) await edge.append(leaf, (node) => announced.push(node));
    const reference = new ReferenceTree(LEAVES.slice(0, 13));
    // Every complete subtree of a tree of 13 leaves, once, in the order the appends complete them.
    const expected: { level: number; index: number }[] = [];
    for (let size = 1; size <= 13; size++)
      for (let level = 0; 2 ** level <= size && size % 2 ** level === 0; level++) expected.push({ level, index: size / 2 ** level - 1 });
    expect(announced.map(({ level, index }) => ({ level, index }))).toEqual(expected);
    for (const node of announced) {
      const width = 2 ** node.level;
      expect(toHex(node.hash), `node ${node.index} of level ${node.level}`).toBe(
        toHex(reference.root(node.index * width, (node.index + 1) * width)),
      );
    }
  });

  it('finds the right edge of any size: one complete subtree per set bit, largest first', () => {
    expect(edgeNodes(0)).toEqual([]);
    expect(edgeNodes(1)).toEqual([{ level: 0, index: 0 }]);
    expect(edgeNodes(8)).toEqual([{ level: 3, index: 0 }]);
    expect(edgeNodes(13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(edgeNodes(2 ** 40 + 6)).toEqual([
      { level: 40, index: 0 },
      { level: 2, index: 2 ** 38 },
      { level: 1, index: 2 ** 39 + 2 },
    ]);
  });

  it('splits a range into its complete subtrees, a power of two being one', () => {
    expect(rangeNodes({ begin: 8, end: 16 })).toEqual([{ level: 3, index: 1 }]);
    expect(rangeNodes({ begin: 0, end: 1 })).toEqual([{ level: 0, index: 0 }]);
    expect(rangeNodes({ begin: 16, end: 23 })).toEqual([
      { level: 2, index: 4 },
      { level: 1, index: 10 },
      { level: 0, index: 22 },
    ]);
  });

  it('keeps in memory the complete subtrees only, and says which it does not have', async () => {
    const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, 5), nodeHasher);
    expect(tree.size).toBe(5);
    const [whole] = await tree.nodeHashes([{ level: 2, index: 0 }]);
    expect(toHex(whole!)).toBe(toHex(new ReferenceTree(LEAVES.slice(0, 4)).root()));
    for (const [level, index] of [
      [1, 2],
      [3, 0],
      [9, 0],
      [0, 5],
    ] as const)
      await expect(async () => tree.nodeHashes([{ level, index }])).rejects.toThrow(
        new RangeError(`node ${index} of level ${level} is not a complete subtree of this tree of 5 leaves`),
      );
  });
});

describe('forged multi-leaf proofs', () => {
  const size = 29;
  const indices = [2, 3, 11, 20, 28];

  it('are refused when a hash, a leaf, a position, the length or the root is wrong', async () => {
    const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, size), nodeHasher);
    const root = new ReferenceTree(LEAVES.slice(0, size)).root();
    const proof = await multiInclusionProof(indices, size, tree, nodeHasher);
    const good: MultiInclusionClaim & { root: Uint8Array } = { size, leaves: indices.map((i) => [i, LEAVES[i]!] as const), proof, root };
    expect(await outcome(() => verifyMultiInclusion(nodeHasher, good))).toBe('ok');
    expect(toHex(await rootFromMultiInclusionProof(nodeHasher, good))).toBe(toHex(root));

    const flip = (hash: Uint8Array, byte: number) => Uint8Array.from(hash, (b, i) => (i === byte ? b ^ 0x01 : b));
    const forgeries: [string, MultiInclusionClaim & { root: Uint8Array }, string][] = [];
    for (let i = 0; i < proof.length; i++)
      forgeries.push([`proof hash ${i} flipped`, { ...good, proof: proof.map((h, j) => (j === i ? flip(h, i) : h)) }, 'RootMismatchError']);
    for (let i = 0; i < indices.length; i++)
      forgeries.push([
        `leaf ${indices[i]} flipped`,
        { ...good, leaves: good.leaves.map(([index, hash], j) => [index, j === i ? flip(hash, 31) : hash] as const) },
        'RootMismatchError',
      ]);
    forgeries.push(
      ['the root flipped', { ...good, root: flip(root, 0) }, 'RootMismatchError'],
      ['another leaf at a position', { ...good, leaves: [[2, LEAVES[4]!], ...good.leaves.slice(1)] }, 'RootMismatchError'],
      ['two leaves swapped', { ...good, leaves: [[2, LEAVES[3]!], [3, LEAVES[2]!], ...good.leaves.slice(2)] }, 'RootMismatchError'],
      ['a leaf moved to another index', { ...good, leaves: [[1, LEAVES[2]!], ...good.leaves.slice(1)] }, 'ProofLengthError'],
      ['a proof hash too few', { ...good, proof: proof.slice(1) }, 'ProofLengthError'],
      ['a proof hash too many', { ...good, proof: [...proof, root] }, 'ProofLengthError'],
      ['a leaf past the tree', { ...good, size: 28 }, 'TreeSizeError'],
      ['leaves out of order', { ...good, leaves: [...good.leaves].reverse() }, 'TreeSizeError'],
      ['a repeated leaf', { ...good, leaves: [good.leaves[0]!, ...good.leaves] }, 'TreeSizeError'],
      ['a leaf hash of 31 bytes', { ...good, leaves: [[2, LEAVES[2]!.slice(1)], ...good.leaves.slice(1)] }, 'HashLengthError'],
      ['no leaf', { ...good, leaves: [] }, 'IntegrityError'],
    );
    const misses: string[] = [];
    for (const [what, claim, expected] of forgeries) {
      const result = await outcome(() => verifyMultiInclusion(nodeHasher, claim));
      if (result !== expected) misses.push(`${what}: ${result}, expected ${expected}`);
    }
    expect(misses).toEqual([]);
  });

  it('accept a first leaf at index 0 and neighbours one apart', async () => {
    const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, 6), nodeHasher);
    const root = await tree.root();
    for (const picked of [[0], [0, 1], [4, 5], [0, 5]]) {
      const proof = await multiInclusionProof(picked, 6, tree, nodeHasher);
      await verifyMultiInclusion(nodeHasher, { size: 6, leaves: picked.map((i) => [i, LEAVES[i]!] as const), proof, root });
    }
  });
});

describe('signature lines at the limits of the format', () => {
  it('reads a signature of one byte and exactly 100 signature lines, and refuses a line without a space', async () => {
    const oneByte = parseNote(`text\n\n\u2014 k ${toBase64(new Uint8Array([0, 0, 1, 2, 9]))}\n`);
    expect(oneByte.signatures).toEqual([{ name: 'k', keyId: 0x102, signature: new Uint8Array([9]) }]);
    const hundred = `text\n\n${`\u2014 k ${toBase64(new Uint8Array(68))}\n`.repeat(100)}`;
    expect(parseNote(hundred).signatures).toHaveLength(100);
    expect(() => parseNote('text\n\n\u2014 abcdefgh\n')).toThrow('the signature by abcdefg is not base64 of a key ID and a signature');
  });

  it('refuses a key text that starts with its separator: the name is empty', async () => {
    await expect(parseVerifierKey('+0123abcd+AQ==')).rejects.toThrow('the key name "" is empty or holds white space or a +');
    for (const keyId of ['0123abcd0', 'x0123abcd'])
      await expect(parseVerifierKey(`k+${keyId}+${toBase64(new Uint8Array(33).fill(1, 0, 1))}`)).rejects.toThrow(
        `the verifier key's ID "${keyId}" is not 8 lowercase hex digits`,
      );
  });

  it('checks a trusted key’s signature even when another trusted key of another name has the same key ID', async () => {
    const signer = await parseSignerKey(await generateSignerKey('attest.example'));
    const verifier = await parseVerifierKey(signer.verifierKey);
    // A second trusted key, named apart but with the same ID, whose signature never holds.
    const twin: NoteVerifier = { name: 'twin.example', keyId: signer.keyId, verifierKey: 'twin', verify: () => Promise.resolve(false) };
    const note = await signNote('text\n', [signer, { ...signer, name: 'twin.example' }]);
    await expect(openNote(note, [verifier, twin])).rejects.toThrow(/the signature by twin\.example\+[0-9a-f]{8} does not match the note/);
    expect((await openNote(note, [verifier])).unverified).toEqual([{ name: 'twin.example', keyId: signer.keyId }]);
  });
});
