import { toHex } from '../../../src/integrity/bytes.js';
import { consistencyForgeries, inclusionForgeries, type Forgery } from './proof-corruptions.js';
import { ReferenceTree, syntheticLeafHashes } from './rfc9162-reference.js';

/**
 * The known-answer vector files under test/integrity/vectors/ that are generated rather than published:
 * proofs from the reference tree, then their forgeries from the corrupting generator. The test regenerates
 * them and compares, so the files can be read by anyone (or any other implementation) and never drift;
 * `UPDATE_VECTORS=1` rewrites them.
 */

const LEAVES = syntheticLeafHashes(16);
const INCLUSION_CASES: ReadonlyArray<[index: number, size: number]> = [[0, 1], [0, 2], [1, 2], [2, 3], [4, 7], [6, 7], [0, 8], [5, 8], [15, 16]];
const CONSISTENCY_CASES: ReadonlyArray<[oldSize: number, newSize: number]> = [[1, 1], [1, 2], [2, 3], [3, 7], [4, 7], [6, 8], [7, 16]];

/** The files keep the flips of a hash's first and last byte; the test suite itself flips every byte. */
const keptInFile = <Claim>(forgery: Forgery<Claim>): boolean => !/byte (?!0 |31 )\d+ flipped/.test(forgery.description);

export function inclusionVectorFile(): object {
  const cases = INCLUSION_CASES.flatMap(([index, size]) => {
    const reference = new ReferenceTree(LEAVES.slice(0, size));
    const good = { index, size, leafHash: LEAVES[index]!, proof: reference.inclusionPath(index), root: reference.root() };
    const forgeries = [...inclusionForgeries(good, LEAVES[(index + 1) % Math.max(size, 2)]!)].filter(keptInFile);
    return [{ description: `happy path: leaf ${index} of ${size}`, claim: good, expectedError: null }, ...forgeries.map((f) => ({ ...f, description: `leaf ${index} of ${size}: ${f.description}` }))].map(
      ({ description, claim, expectedError }) => ({ description, index: claim.index, size: claim.size, leafHash: toHex(claim.leafHash), hashes: claim.proof.map(toHex), root: toHex(claim.root), expectedError }),
    );
  });
  return { description: 'RFC 9162 inclusion proofs over the leaf hashes SHA-256(0x00 ‖ "leaf i"): a valid proof per case, then forgeries of it made by the corrupting generator, each with the error a verifier must give (null: it verifies). Hashes are hex.', cases };
}

export function consistencyVectorFile(): object {
  const cases = CONSISTENCY_CASES.flatMap(([oldSize, newSize]) => {
    const reference = new ReferenceTree(LEAVES.slice(0, newSize));
    const good = { oldSize, newSize, oldRoot: reference.root(0, oldSize), newRoot: reference.root(), proof: reference.consistencyProof(oldSize) };
    const forgeries = [...consistencyForgeries(good)].filter(keptInFile);
    return [{ description: `happy path: ${oldSize} → ${newSize}`, claim: good, expectedError: null }, ...forgeries.map((f) => ({ ...f, description: `${oldSize} → ${newSize}: ${f.description}` }))].map(
      ({ description, claim, expectedError }) => ({ description, oldSize: claim.oldSize, newSize: claim.newSize, oldRoot: toHex(claim.oldRoot), newRoot: toHex(claim.newRoot), hashes: claim.proof.map(toHex), expectedError }),
    );
  });
  return { description: 'RFC 9162 consistency proofs over the leaf hashes SHA-256(0x00 ‖ "leaf i"): a valid proof per pair of sizes, then forgeries of it made by the corrupting generator, each with the error a verifier must give (null: it verifies). Hashes are hex.', cases };
}
