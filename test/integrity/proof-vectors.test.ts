import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/integrity/bytes.js';
import { verifyConsistency } from '../../src/integrity/consistency-proof.js';
import { verifyInclusion } from '../../src/integrity/inclusion-proof.js';
import { IntegrityError } from '../../src/integrity/integrity-errors.js';
import { MerkleHasher } from '../../src/integrity/merkle-hasher.js';
import { MemoryMerkleTree } from '../../src/integrity/memory-merkle-tree.js';
import { inclusionProof } from '../../src/integrity/inclusion-proof.js';
import { consistencyProof } from '../../src/integrity/consistency-proof.js';
import { treeRoot } from '../../src/integrity/subtree-hashes.js';
import { consistencyVectorFile, inclusionVectorFile } from './support/vector-files.js';

const VECTORS = join(import.meta.dirname, 'vectors');
const hasher = new MerkleHasher();
const bytes = (hex: string): Uint8Array => fromHex(hex) ?? new Uint8Array(0);

interface KnownAnswers {
  leafInputs: string[];
  rootsBySize: string[];
  inclusionProofs: Array<{ index: number; size: number; hashes: string[] }>;
  consistencyProofs: Array<{ oldSize: number; newSize: number; hashes: string[] }>;
}
interface InclusionVector {
  description: string;
  index: number;
  size: number;
  leafHash: string;
  hashes: string[];
  root: string;
  expectedError: string | null;
}
interface ConsistencyVector {
  description: string;
  oldSize: number;
  newSize: number;
  oldRoot: string;
  newRoot: string;
  hashes: string[];
  expectedError: string | null;
}

function readVectors<T>(file: string): T {
  return JSON.parse(readFileSync(join(VECTORS, file), 'utf8')) as T;
}

async function outcome(verify: () => Promise<void>): Promise<string | null> {
  try {
    await verify();
    return null;
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    return error.name;
  }
}

describe('known-answer vectors (test/integrity/vectors/)', () => {
  it('builds the RFC 6962 reference trees and proofs published by transparency-dev, with the default WebCrypto hasher', async () => {
    const known = readVectors<KnownAnswers>('rfc6962-known-answers.json');
    const leafHashes = await Promise.all(known.leafInputs.map((input) => hasher.hashLeaf(bytes(input))));
    const tree = await MemoryMerkleTree.fromLeafHashes(leafHashes, hasher);
    for (const [size, root] of known.rootsBySize.entries())
      expect(toHex(await treeRoot(size, tree, hasher)), `root of size ${size}`).toBe(root);
    for (const { index, size, hashes } of known.inclusionProofs) {
      expect((await inclusionProof(index, size, tree, hasher)).map(toHex)).toEqual(hashes);
      await verifyInclusion(hasher, {
        index,
        size,
        leafHash: leafHashes[index]!,
        proof: hashes.map(bytes),
        root: bytes(known.rootsBySize[size]!),
      });
    }
    for (const { oldSize, newSize, hashes } of known.consistencyProofs) {
      expect((await consistencyProof(oldSize, newSize, tree, hasher)).map(toHex)).toEqual(hashes);
      await verifyConsistency(hasher, {
        oldSize,
        newSize,
        oldRoot: bytes(known.rootsBySize[oldSize]!),
        newRoot: bytes(known.rootsBySize[newSize]!),
        proof: hashes.map(bytes),
      });
    }
  });

  it.each([
    ['inclusion-proofs.json', inclusionVectorFile],
    ['consistency-proofs.json', consistencyVectorFile],
  ])('%s is what the generator makes from the reference tree', (file, generate) => {
    const generated = `${JSON.stringify(generate(), null, 2)}\n`;
    if (process.env.UPDATE_VECTORS === '1') writeFileSync(join(VECTORS, file), generated);
    expect(readFileSync(join(VECTORS, file), 'utf8')).toBe(generated);
  });

  it('inclusion-proofs.json: every case verifies or fails as it says', async () => {
    const { cases } = readVectors<{ cases: InclusionVector[] }>('inclusion-proofs.json');
    expect(cases.filter((c) => c.expectedError === null).length).toBeGreaterThan(5);
    for (const c of cases) {
      const result = await outcome(() =>
        verifyInclusion(hasher, {
          index: c.index,
          size: c.size,
          leafHash: bytes(c.leafHash),
          proof: c.hashes.map(bytes),
          root: bytes(c.root),
        }),
      );
      expect(result, c.description).toBe(c.expectedError);
    }
  });

  it('consistency-proofs.json: every case verifies or fails as it says', async () => {
    const { cases } = readVectors<{ cases: ConsistencyVector[] }>('consistency-proofs.json');
    expect(cases.filter((c) => c.expectedError === null).length).toBeGreaterThan(5);
    for (const c of cases) {
      const result = await outcome(() =>
        verifyConsistency(hasher, {
          oldSize: c.oldSize,
          newSize: c.newSize,
          oldRoot: bytes(c.oldRoot),
          newRoot: bytes(c.newRoot),
          proof: c.hashes.map(bytes),
        }),
      );
      expect(result, c.description).toBe(c.expectedError);
    }
  });
});
