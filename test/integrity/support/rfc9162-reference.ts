import { createHash } from 'node:crypto';

/**
 * A deliberately plain RFC 9162 §2.1 implementation, written from the RFC's recursive definitions with
 * node:crypto and nothing of src/integrity/, so that the library's iterative, shape-driven code is checked
 * against an independent reading of the standard (transparency-dev/merkle's testonly/reference_test.go).
 * Slow on purpose: no caching, no arithmetic tricks.
 */

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/** MTH({d}) = SHA-256(0x00 || d). */
export function referenceLeafHash(data: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0), data);
}

function interior(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(1), left, right);
}

/** "The largest power of two smaller than n" (RFC 9162 §2.1.1). */
function k(n: number): number {
  let power = 1;
  while (power * 2 < n) power *= 2;
  return power;
}

/**
 * The tree D[n] over leaf hashes, with MTH, PATH and PROOF exactly as RFC 9162 §2.1 defines them recursively on
 * sub-lists D[a:b]. MTH remembers what it computed for each (a, b), only so that checking every index of
 * every size up to a few hundred stays quick; the recursion itself is the RFC's.
 */
export class ReferenceTree {
  readonly #roots = new Map<string, Uint8Array>();

  constructor(private readonly leaves: readonly Uint8Array[]) {}

  /** MTH(D[begin:end]) (RFC 9162 §2.1.1). */
  root(begin = 0, end = this.leaves.length): Uint8Array {
    const key = `${begin}:${end}`;
    let root = this.#roots.get(key);
    if (root === undefined) {
      const n = end - begin;
      if (n === 0) root = sha256();
      else if (n === 1) root = this.leaves[begin]!;
      else root = interior(this.root(begin, begin + k(n)), this.root(begin + k(n), end));
      this.#roots.set(key, root);
    }
    return root;
  }

  /** PATH(m, D[begin:end]) (RFC 9162 §2.1.3.1), m counted from `begin`. */
  inclusionPath(m: number, begin = 0, end = this.leaves.length): Uint8Array[] {
    const n = end - begin;
    if (n === 1) return [];
    const split = k(n);
    if (m < split) return [...this.inclusionPath(m, begin, begin + split), this.root(begin + split, end)];
    return [...this.inclusionPath(m - split, begin + split, end), this.root(begin, begin + split)];
  }

  /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1), for 0 < m <= n. */
  consistencyProof(m: number): Uint8Array[] {
    return this.#subproof(m, 0, this.leaves.length, true);
  }

  #subproof(m: number, begin: number, end: number, startsWithOldTree: boolean): Uint8Array[] {
    const n = end - begin;
    if (m === n) return startsWithOldTree ? [] : [this.root(begin, end)];
    const split = k(n);
    if (m <= split) return [...this.#subproof(m, begin, begin + split, startsWithOldTree), this.root(begin + split, end)];
    return [...this.#subproof(m - split, begin + split, end, false), this.root(begin, begin + split)];
  }
}

/** Leaf hashes of `count` distinct made-up leaves. */
export function syntheticLeafHashes(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => referenceLeafHash(new TextEncoder().encode(`leaf ${i}`)));
}
