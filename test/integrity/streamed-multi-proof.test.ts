import { describe, expect, it } from 'vitest';
import { IntegrityError, ProofLengthError, TreeSizeError } from '../../src/integrity/integrity-errors.js';
import { MemoryMerkleTree } from '../../src/integrity/memory-merkle-tree.js';
import { multiInclusionProof } from '../../src/integrity/multi-inclusion-proof.js';
import { rootFromStreamedLeaves, subtreesWithoutLeaves } from '../../src/integrity/streamed-multi-proof.js';
import { rangeHashes } from '../../src/integrity/subtree-hashes.js';
import { seededRandom } from '../support/seeded-random.js';
import { nodeHasher } from './support/node-hasher.js';
import { syntheticLeafHashes } from './support/rfc9162-reference.js';

/**
 * The streamed multi-leaf proof (what a bundle carries) against the in-memory one it streams: the same hashes
 * for every size up to 70 and many selections (empty, one leaf, contiguous ranges, scattered leaves), the
 * tree's root rebuilt from them, and every corruption refused.
 */
const LEAVES = syntheticLeafHashes(70);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/** The items in batches of `size` (an empty batch first, as a reader may hand out), as a bundle's leaves come. */
async function* batches<T>(items: readonly T[], size: number): AsyncGenerator<T[]> {
  yield [];
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function selections(size: number, random: () => number): number[][] {
  const picks: number[][] = [[], [0], [size - 1]];
  for (let begin = 0; begin < size; begin += Math.max(1, Math.floor(size / 5)))
    for (let end = begin + 1; end <= size; end += Math.max(1, Math.floor(size / 4))) picks.push(range(begin, end));
  for (let i = 0; i < 6; i++) picks.push(range(0, size).filter(() => random() < 0.3));
  return picks;
}

function range(begin: number, end: number): number[] {
  return Array.from({ length: end - begin }, (_, i) => begin + i);
}

async function streamedProof(indices: number[], tree: MemoryMerkleTree): Promise<Uint8Array[]> {
  return rangeHashes(await collect(subtreesWithoutLeaves(each(indices), tree.size)), tree, nodeHasher);
}

describe('the streamed multi-leaf proof', () => {
  it('is the in-memory multi-leaf proof, and leads to the root, for every size up to 70', async () => {
    const random = seededRandom(9).next;
    for (let size = 1; size <= 70; size++) {
      const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, size), nodeHasher);
      const root = await tree.root();
      for (const indices of selections(size, random)) {
        const proof = await streamedProof(indices, tree);
        if (indices.length > 0)
          expect(proof, `size ${size} [${indices.join(',')}]`).toEqual(await multiInclusionProof(indices, size, tree, nodeHasher));
        else expect(proof).toEqual([root]);
        const leaves = indices.map((index) => ({ index, hash: LEAVES[index]! }));
        const batchSize = 1 + (size % 4);
        expect(await rootFromStreamedLeaves(nodeHasher, size, batches(leaves, batchSize), each(proof)), `size ${size}`).toEqual(root);
      }
    }
  });

  it('needs only the hashes along the edges of a contiguous range', async () => {
    const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, 70), nodeHasher);
    expect((await streamedProof(range(13, 51), tree)).length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(70)));
  });

  it('refuses a proof cut short or padded, leaves out of order or past the tree, and a wrong hash', async () => {
    const size = 37;
    const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, size), nodeHasher);
    const root = await tree.root();
    const indices = [2, 3, 9, 20, 21, 22, 36];
    const leaves = indices.map((index) => ({ index, hash: LEAVES[index]! }));
    const proof = await streamedProof(indices, tree);
    const rootOf = (l: typeof leaves, p: Uint8Array[]) => rootFromStreamedLeaves(nodeHasher, size, batches(l, 2), each(p));
    await expect(rootOf(leaves, proof.slice(0, -1))).rejects.toBeInstanceOf(ProofLengthError);
    await expect(rootOf(leaves, [...proof, proof[0]!])).rejects.toBeInstanceOf(ProofLengthError);
    await expect(rootOf([leaves[1]!, leaves[0]!, ...leaves.slice(2)], proof)).rejects.toBeInstanceOf(TreeSizeError);
    await expect(rootOf([...leaves, { index: size, hash: LEAVES[0]! }], proof)).rejects.toBeInstanceOf(TreeSizeError);
    await expect(rootOf(leaves, [new Uint8Array(31), ...proof.slice(1)])).rejects.toBeInstanceOf(IntegrityError);
    const flipped = proof.map((hash, i) => (i === 2 ? hash.map((byte, j) => (j === 0 ? byte ^ 1 : byte)) : hash));
    expect(await rootOf(leaves, flipped)).not.toEqual(root);
    await expect(collect(subtreesWithoutLeaves(each([4, 4]), size))).rejects.toBeInstanceOf(TreeSizeError);
    await expect(collect(subtreesWithoutLeaves(each([size]), size))).rejects.toBeInstanceOf(TreeSizeError);
  });

  it('names what is wrong: the leaf, its place, the hash, how many proof hashes', async () => {
    const size = 37;
    const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, size), nodeHasher);
    const indices = [2, 3, 9, 20];
    const leaves = indices.map((index) => ({ index, hash: LEAVES[index]! }));
    const proof = await streamedProof(indices, tree);
    const rootOf = (l: typeof leaves, p: Uint8Array[], n = size) => rootFromStreamedLeaves(nodeHasher, n, batches(l, 3), each(p));
    const leaf = (index: number, hash = LEAVES[0]!) => ({ index, hash });
    await expect(rootOf([leaf(size)], proof)).rejects.toThrow(`leaf index ${size} is not in a tree of ${size} leaves`);
    await expect(rootOf([leaf(-1)], proof)).rejects.toThrow(`leaf index -1 is not in a tree of ${size} leaves`);
    await expect(rootOf([leaf(1.5)], proof)).rejects.toThrow(`leaf index 1.5 is not in a tree of ${size} leaves`);
    await expect(rootOf([leaves[0]!, leaves[0]!], proof)).rejects.toThrow('leaf indices must increase: 2 follows 2');
    await expect(rootOf([leaves[1]!, leaves[0]!], proof)).rejects.toThrow('leaf indices must increase: 2 follows 3');
    await expect(rootOf([leaf(2, new Uint8Array(31))], proof)).rejects.toThrow('the leaf hash of leaf 2 is 31 bytes long');
    await expect(rootOf(leaves, [new Uint8Array(30), ...proof.slice(1)])).rejects.toThrow('proof hash 0 is 30 bytes long');
    await expect(rootOf(leaves, proof, -1)).rejects.toThrow('the tree size');
    const short = await rootOf(leaves, proof.slice(0, -1)).catch((error: unknown) => error);
    expect(short).toMatchObject({ expectedLength: proof.length, actualLength: proof.length - 1 });
    const padded = await rootOf(leaves, [...proof, proof[0]!, proof[0]!]).catch((error: unknown) => error);
    expect(padded).toMatchObject({ expectedLength: proof.length, actualLength: proof.length + 2 });
    await expect(collect(subtreesWithoutLeaves(each([4, 4]), size))).rejects.toThrow('leaf indices must increase: 4 follows 4');
    await expect(collect(subtreesWithoutLeaves(each([size]), size))).rejects.toThrow(
      `leaf index ${size} is not in a tree of ${size} leaves`,
    );
    expect(await collect(subtreesWithoutLeaves(each([]), 0))).toEqual([]);
  });
});
