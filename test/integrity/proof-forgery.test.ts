import { describe, expect, it } from 'vitest';
import { verifyConsistency } from '../../src/integrity/consistency-proof.js';
import { verifyInclusion } from '../../src/integrity/inclusion-proof.js';
import { IntegrityError } from '../../src/integrity/integrity-errors.js';
import { nodeHasher } from './support/node-hasher.js';
import { consistencyForgeries, inclusionForgeries, type Forgery } from './support/proof-corruptions.js';
import { ReferenceTree, syntheticLeafHashes } from './support/rfc9162-reference.js';

const QUICK = process.env.INTEGRITY_QUICK === '1';
const MAX_EXHAUSTIVE_SIZE = QUICK ? 9 : 24;
const LARGER_SIZES = QUICK ? [33] : [63, 64, 65, 100, 257];
const LEAVES = syntheticLeafHashes(Math.max(...LARGER_SIZES, MAX_EXHAUSTIVE_SIZE));

/** What verification made of a claim: 'ok', or the name of the IntegrityError it threw. */
async function outcome(verify: () => Promise<void>): Promise<string> {
  try {
    await verify();
    return 'ok';
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    return error.name;
  }
}

/** The forgeries whose outcome was not the expected error, as readable lines (none when all were caught). */
async function uncaught<Claim>(
  forgeries: Iterable<Forgery<Claim>>,
  verify: (claim: Claim) => Promise<void>,
  context: string,
): Promise<{ count: number; misses: string[] }> {
  let count = 0;
  const misses: string[] = [];
  for (const forgery of forgeries) {
    count += 1;
    const result = await outcome(() => verify(forgery.claim));
    if (result !== forgery.expectedError) misses.push(`${context}, ${forgery.description}: ${result}, expected ${forgery.expectedError}`);
  }
  return { count, misses };
}

describe('forged proofs are rejected, each with the error that names what is wrong', () => {
  const inclusionCases: Array<[number, number]> = [];
  for (let size = 1; size <= MAX_EXHAUSTIVE_SIZE; size++) for (let index = 0; index < size; index++) inclusionCases.push([index, size]);
  for (const size of LARGER_SIZES) for (const index of [0, 1, Math.floor(size / 2), size - 2, size - 1]) inclusionCases.push([index, size]);

  it(`inclusion: every index of every size up to ${MAX_EXHAUSTIVE_SIZE}, and edge indices of ${LARGER_SIZES.join(', ')}`, async () => {
    let total = 0;
    const misses: string[] = [];
    for (const [index, size] of inclusionCases) {
      const reference = new ReferenceTree(LEAVES.slice(0, size));
      const good = { index, size, leafHash: LEAVES[index]!, proof: reference.inclusionPath(index), root: reference.root() };
      expect(await outcome(() => verifyInclusion(nodeHasher, good))).toBe('ok');
      const result = await uncaught(
        inclusionForgeries(good, LEAVES[(index + 1) % Math.max(size, 2)]!),
        (claim) => verifyInclusion(nodeHasher, claim),
        `leaf ${index} of ${size}`,
      );
      total += result.count;
      misses.push(...result.misses);
    }
    expect(misses).toEqual([]);
    expect(total).toBeGreaterThan(inclusionCases.length * 64);
  });

  it(`consistency: every pair of sizes up to ${MAX_EXHAUSTIVE_SIZE}`, async () => {
    let total = 0;
    const misses: string[] = [];
    for (let newSize = 1; newSize <= MAX_EXHAUSTIVE_SIZE; newSize++) {
      const reference = new ReferenceTree(LEAVES.slice(0, newSize));
      for (let oldSize = 1; oldSize <= newSize; oldSize++) {
        const good = {
          oldSize,
          newSize,
          oldRoot: reference.root(0, oldSize),
          newRoot: reference.root(),
          proof: reference.consistencyProof(oldSize),
        };
        expect(await outcome(() => verifyConsistency(nodeHasher, good))).toBe('ok');
        const result = await uncaught(
          consistencyForgeries(good),
          (claim) => verifyConsistency(nodeHasher, claim),
          `${oldSize} → ${newSize}`,
        );
        total += result.count;
        misses.push(...result.misses);
      }
    }
    expect(misses).toEqual([]);
    expect(total).toBeGreaterThan(64 * MAX_EXHAUSTIVE_SIZE);
  });
});
