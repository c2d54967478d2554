import type { ConsistencyClaim } from '../../../src/integrity/consistency-proof.js';
import type { InclusionClaim } from '../../../src/integrity/inclusion-proof.js';
import { ReferenceTree } from './rfc9162-reference.js';

/**
 * Forged proofs made by corrupting a good one, by rule rather than by hand (transparency-dev/merkle's
 * cmd/proofgen): every byte of every hash flipped, a wrong index or size, a proof cut short or made longer,
 * two hashes swapped, another leaf. Each forgery names what was done and the error a verifier owes for it,
 * worked out from the reference tree, not from the library under test.
 */

export type ExpectedError = 'RootMismatchError' | 'ProofLengthError' | 'TreeSizeError';

export interface Forgery<Claim> {
  readonly description: string;
  readonly claim: Claim;
  readonly expectedError: ExpectedError;
}

export type RootedInclusionClaim = InclusionClaim & { readonly root: Uint8Array };

function flipped(hash: Uint8Array, byte: number): Uint8Array {
  const copy = Uint8Array.from(hash);
  copy[byte]! ^= 0xff;
  return copy;
}

function everyByteFlipped(hash: Uint8Array): Array<[byte: number, hash: Uint8Array]> {
  return Array.from({ length: hash.length }, (_, byte) => [byte, flipped(hash, byte)]);
}

/** The length of PATH(m, D[n]) per the reference, or undefined when m is not a leaf of D[n]. */
function inclusionLength(index: number, size: number): number | undefined {
  if (index < 0 || index >= size) return undefined;
  return new ReferenceTree(Array.from({ length: size }, () => new Uint8Array(32))).inclusionPath(index).length;
}

/** Which side each sibling of PATH(m, D[n]) lies on: two claims with the same sides hash the same way. */
export function inclusionSides(index: number, size: number): string {
  let sides = '';
  let begin = 0;
  let end = size;
  while (end - begin > 1) {
    let k = 1;
    while (k * 2 < end - begin) k *= 2;
    if (index < begin + k) {
      sides = `R${sides}`;
      end = begin + k;
    } else {
      sides = `L${sides}`;
      begin += k;
    }
  }
  return sides;
}

/** How each hash of PROOF(m, D[n]) is used: S the subtree at the old tree's edge, L left of it, R right of the old tree. */
export function consistencySides(oldSize: number, newSize: number): string {
  const subproof = (m: number, n: number, startsWithOldTree: boolean): string => {
    if (m === n) return startsWithOldTree ? '' : 'S';
    let k = 1;
    while (k * 2 < n) k *= 2;
    return m <= k ? `${subproof(m, k, startsWithOldTree)}R` : `${subproof(m - k, n - k, false)}L`;
  };
  return subproof(oldSize, newSize, true);
}

/** Every corruption of a valid inclusion claim. `otherLeaf` is a leaf hash of the same tree at another index. */
export function* inclusionForgeries(good: RootedInclusionClaim, otherLeaf: Uint8Array): Generator<Forgery<RootedInclusionClaim>> {
  const { index, size, proof } = good;
  for (const [i, hash] of proof.entries()) {
    for (const [byte, bad] of everyByteFlipped(hash)) {
      yield {
        description: `proof hash ${i} with byte ${byte} flipped`,
        claim: { ...good, proof: proof.map((h, j) => (j === i ? bad : h)) },
        expectedError: 'RootMismatchError',
      };
    }
  }
  for (const [byte, bad] of everyByteFlipped(good.leafHash))
    yield { description: `leaf hash with byte ${byte} flipped`, claim: { ...good, leafHash: bad }, expectedError: 'RootMismatchError' };
  for (const [byte, bad] of everyByteFlipped(good.root))
    yield { description: `root with byte ${byte} flipped`, claim: { ...good, root: bad }, expectedError: 'RootMismatchError' };
  yield { description: 'another leaf of the tree', claim: { ...good, leafHash: otherLeaf }, expectedError: 'RootMismatchError' };
  for (const wrongIndex of [-1, size, size + 1, ...Array.from({ length: size }, (_, i) => i).filter((i) => i !== index)]) {
    const length = inclusionLength(wrongIndex, size);
    // A leaf whose siblings lie on the same sides would hash the same way; only the leaf hash tells them apart.
    if (length !== undefined && inclusionSides(wrongIndex, size) === inclusionSides(index, size)) continue;
    yield {
      description: `wrong index ${wrongIndex}`,
      claim: { ...good, index: wrongIndex },
      expectedError: length === undefined ? 'TreeSizeError' : length === proof.length ? 'RootMismatchError' : 'ProofLengthError',
    };
  }
  for (const wrongSize of new Set([0, index, size - 1, size + 1, 2 * size, size * 2 + 1].filter((s) => s !== size))) {
    const length = inclusionLength(index, wrongSize);
    // The same sides over the same hashes is the same claim: RFC 9162 binds the size through the checkpoint, not the proof.
    if (length !== undefined && inclusionSides(index, wrongSize) === inclusionSides(index, size)) continue;
    yield {
      description: `wrong tree size ${wrongSize}`,
      claim: { ...good, size: wrongSize },
      expectedError: length === undefined ? 'TreeSizeError' : length === proof.length ? 'RootMismatchError' : 'ProofLengthError',
    };
  }
  yield* shapeForgeries(good, proof, (forged) => ({ ...good, proof: forged }));
}

/** Every corruption of a valid consistency claim. */
export function* consistencyForgeries(good: ConsistencyClaim): Generator<Forgery<ConsistencyClaim>> {
  const { oldSize, newSize, proof } = good;
  for (const [i, hash] of proof.entries()) {
    for (const [byte, bad] of everyByteFlipped(hash)) {
      yield {
        description: `proof hash ${i} with byte ${byte} flipped`,
        claim: { ...good, proof: proof.map((h, j) => (j === i ? bad : h)) },
        expectedError: 'RootMismatchError',
      };
    }
  }
  for (const [byte, bad] of everyByteFlipped(good.oldRoot))
    yield { description: `old root with byte ${byte} flipped`, claim: { ...good, oldRoot: bad }, expectedError: 'RootMismatchError' };
  for (const [byte, bad] of everyByteFlipped(good.newRoot))
    yield { description: `new root with byte ${byte} flipped`, claim: { ...good, newRoot: bad }, expectedError: 'RootMismatchError' };
  if (oldSize !== newSize)
    yield {
      description: 'old and new roots swapped',
      claim: { ...good, oldRoot: good.newRoot, newRoot: good.oldRoot },
      expectedError: 'RootMismatchError',
    };
  if (oldSize < newSize)
    yield { description: 'sizes swapped', claim: { ...good, oldSize: newSize, newSize: oldSize }, expectedError: 'TreeSizeError' };
  const zeros = Array.from({ length: 64 }, () => new Uint8Array(32));
  for (const [what, wrongOld, wrongNew] of [
    ['old size − 1', oldSize - 1, newSize],
    ['old size + 1', oldSize + 1, newSize],
    ['new size − 1', oldSize, newSize - 1],
    ['new size + 1', oldSize, newSize + 1],
  ] as const) {
    if (wrongOld < 1 || wrongOld > wrongNew) continue;
    const length = new ReferenceTree(zeros.slice(0, wrongNew)).consistencyProof(wrongOld).length;
    // Hashes used the same way prove the same thing: the sizes are bound by the checkpoints, not the proof.
    if (consistencySides(wrongOld, wrongNew) === consistencySides(oldSize, newSize)) continue;
    yield {
      description: `wrong sizes (${what})`,
      claim: { ...good, oldSize: wrongOld, newSize: wrongNew },
      expectedError: length === proof.length ? 'RootMismatchError' : 'ProofLengthError',
    };
  }
  yield* shapeForgeries(good, proof, (forged) => ({ ...good, proof: forged }));
}

function* shapeForgeries<Claim>(
  good: Claim,
  proof: readonly Uint8Array[],
  withProof: (forged: Uint8Array[]) => Claim,
): Generator<Forgery<Claim>> {
  void good;
  const extra = new Uint8Array(32).fill(0x5a);
  if (proof.length > 0) {
    yield { description: 'proof truncated by its last hash', claim: withProof(proof.slice(0, -1)), expectedError: 'ProofLengthError' };
    yield { description: 'proof truncated by its first hash', claim: withProof(proof.slice(1)), expectedError: 'ProofLengthError' };
  }
  yield { description: 'proof extended by a hash at the end', claim: withProof([...proof, extra]), expectedError: 'ProofLengthError' };
  yield { description: 'proof extended by a hash at the start', claim: withProof([extra, ...proof]), expectedError: 'ProofLengthError' };
  if (proof.length > 0)
    yield {
      description: 'proof extended by repeating its last hash',
      claim: withProof([...proof, proof[proof.length - 1]!]),
      expectedError: 'ProofLengthError',
    };
  if (proof.length >= 2)
    yield {
      description: 'first two proof hashes swapped',
      claim: withProof([proof[1]!, proof[0]!, ...proof.slice(2)]),
      expectedError: 'RootMismatchError',
    };
}
