import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/integrity/bytes.js';
import { CompactRange } from '../../src/integrity/compact-range.js';
import { consistencyProof, verifyConsistency } from '../../src/integrity/consistency-proof.js';
import { inclusionProof, verifyInclusion } from '../../src/integrity/inclusion-proof.js';
import { MerkleHasher } from '../../src/integrity/merkle-hasher.js';
import { MemoryMerkleTree } from '../../src/integrity/memory-merkle-tree.js';
import { multiInclusionProof, verifyMultiInclusion } from '../../src/integrity/multi-inclusion-proof.js';
import { treeRoot } from '../../src/integrity/subtree-hashes.js';
import { nodeHasher } from './support/node-hasher.js';
import { ReferenceTree, syntheticLeafHashes } from './support/rfc9162-reference.js';

// Past 256 by default, so that trees cross a full tile of 256 leaves and its neighbours on both sides.
// INTEGRITY_QUICK (set by the mutation run, which repeats these tests for every mutant) checks smaller trees.
const QUICK = process.env.INTEGRITY_QUICK === '1';
const MAX_INCLUSION_SIZE = QUICK ? 40 : 300;
const MAX_CONSISTENCY_SIZE = QUICK ? 24 : 100;
const LEAVES = syntheticLeafHashes(Math.max(MAX_INCLUSION_SIZE, 80));
const hex = (hashes: readonly Uint8Array[]): string[] => hashes.map(toHex);

describe('the library against a recursive RFC 9162 reference', () => {
  it('computes every root of every size, growing one leaf at a time and from a stored tree', async () => {
    const reference = new ReferenceTree(LEAVES);
    const edge = new CompactRange(nodeHasher);
    const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES, nodeHasher);
    for (let size = 0; size <= MAX_INCLUSION_SIZE; size++) {
      const expected = toHex(reference.root(0, size));
      expect(toHex(await edge.root()), `edge root of size ${size}`).toBe(expected);
      expect(toHex(await treeRoot(size, tree, nodeHasher)), `stored root of size ${size}`).toBe(expected);
      // A range restored from its size and hashes goes on exactly as the one it was saved from.
      const restored = new CompactRange(nodeHasher, edge.size, edge.hashes);
      if (size < MAX_INCLUSION_SIZE) {
        await edge.append(LEAVES[size]!);
        await restored.append(LEAVES[size]!);
        expect(toHex(await restored.root())).toBe(toHex(await edge.root()));
      }
    }
  });

  it(`generates and verifies the inclusion proof of every leaf in every tree of 1 to ${MAX_INCLUSION_SIZE} leaves`, async () => {
    const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES, nodeHasher);
    const mismatches: string[] = [];
    let checked = 0;
    for (let size = 1; size <= MAX_INCLUSION_SIZE; size++) {
      const reference = new ReferenceTree(LEAVES.slice(0, size));
      const root = reference.root();
      for (let index = 0; index < size; index++) {
        const expected = hex(reference.inclusionPath(index)).join();
        const proof = await inclusionProof(index, size, tree, nodeHasher);
        // Collected rather than asserted one by one: tens of thousands of `expect`s would take most of the time.
        if (hex(proof).join() !== expected) mismatches.push(`inclusion proof of ${index} in ${size}`);
        await verifyInclusion(nodeHasher, { index, size, leafHash: LEAVES[index]!, proof, root });
        checked += 1;
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe((MAX_INCLUSION_SIZE * (MAX_INCLUSION_SIZE + 1)) / 2);
  });

  it(`generates and verifies the consistency proof of every pair of sizes up to ${MAX_CONSISTENCY_SIZE}`, async () => {
    const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, MAX_CONSISTENCY_SIZE), nodeHasher);
    for (let newSize = 1; newSize <= MAX_CONSISTENCY_SIZE; newSize++) {
      const reference = new ReferenceTree(LEAVES.slice(0, newSize));
      for (let oldSize = 1; oldSize <= newSize; oldSize++) {
        const expected = reference.consistencyProof(oldSize);
        expect(hex(await consistencyProof(oldSize, newSize, tree, nodeHasher)), `consistency proof ${oldSize} → ${newSize}`).toEqual(
          hex(expected),
        );
        await verifyConsistency(nodeHasher, {
          oldSize,
          newSize,
          oldRoot: reference.root(0, oldSize),
          newRoot: reference.root(),
          proof: expected,
        });
      }
      // Every tree grew from the empty one: the proof is empty and any old root is accepted, as RFC 9162 leaves it.
      expect(await consistencyProof(0, newSize, tree, nodeHasher)).toEqual([]);
      await verifyConsistency(nodeHasher, { oldSize: 0, newSize, oldRoot: reference.root(0, 0), newRoot: reference.root(), proof: [] });
    }
  });

  it('proves any set of leaves at once, from single leaves and whole ranges to scattered picks', async () => {
    const size = 77;
    const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, size), nodeHasher);
    const root = new ReferenceTree(LEAVES.slice(0, size)).root();
    const sets = [
      [0],
      [76],
      [0, 76],
      Array.from({ length: size }, (_, i) => i),
      Array.from({ length: 20 }, (_, i) => 30 + i),
      [1, 2, 3, 40, 64, 65, 75],
    ];
    for (let index = 0; index < size; index++)
      sets.push(
        [index],
        [index, size - 1].filter((v, i, all) => all.indexOf(v) === i),
      );
    for (const indices of sets) {
      const proof = await multiInclusionProof(indices, size, tree, nodeHasher);
      await verifyMultiInclusion(nodeHasher, { size, leaves: indices.map((i) => [i, LEAVES[i]!] as const), proof, root });
    }
    // A contiguous range needs only the hashes along its edges: at most two per level.
    const range = Array.from({ length: 20 }, (_, i) => 30 + i);
    expect((await multiInclusionProof(range, size, tree, nodeHasher)).length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(size)));
    expect(
      await multiInclusionProof(
        Array.from({ length: size }, (_, i) => i),
        size,
        tree,
        nodeHasher,
      ),
    ).toEqual([]);
  });

  it('gives the same answers with the default WebCrypto SHA-256', async () => {
    const webCrypto = new MerkleHasher();
    const size = 37;
    const reference = new ReferenceTree(LEAVES.slice(0, size));
    const tree = await MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, size), webCrypto);
    expect(toHex(await tree.root())).toBe(toHex(reference.root()));
    expect(toHex(await webCrypto.emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (let index = 0; index < size; index++) {
      const proof = await inclusionProof(index, size, tree, webCrypto);
      expect(hex(proof)).toEqual(hex(reference.inclusionPath(index)));
      await verifyInclusion(webCrypto, { index, size, leafHash: LEAVES[index]!, proof, root: reference.root() });
    }
    for (let oldSize = 1; oldSize <= size; oldSize++) {
      const proof = await consistencyProof(oldSize, size, tree, webCrypto);
      await verifyConsistency(webCrypto, { oldSize, newSize: size, oldRoot: reference.root(0, oldSize), newRoot: reference.root(), proof });
    }
  });
});
