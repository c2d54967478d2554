import { TreeSizeError } from './integrity-errors.js';

/**
 * The shape of an RFC 9162 §2.1 Merkle tree, as index arithmetic only: which leaf ranges a proof holds the
 * hashes of, and which stored nodes make up a range. No hashing happens here, so generation (the server) and
 * verification (anyone) follow one description of the tree.
 *
 * Arithmetic uses division rather than bit operators, which stop at 2^31; tree sizes go up to 2^53.
 */

/** The leaves `begin` (inclusive) to `end` (exclusive). */
export interface LeafRange {
  readonly begin: number;
  readonly end: number;
}

/**
 * A complete subtree that the tree stores: the `index`-th node of `level`, covering leaves
 * `index · 2^level` to `(index + 1) · 2^level`. Level 0 holds the leaf hashes.
 */
export interface NodeAddress {
  readonly level: number;
  readonly index: number;
}

/** k of RFC 9162 §2.1.1: the largest power of two smaller than `n` (n > 1); the tree's left part holds k leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The ranges whose hashes form the inclusion proof of leaf `index` in a tree of `size` leaves (RFC 9162
 * §2.1.3.1, PATH(m, D[n])), in proof order: the leaf's sibling first, the root's other child last.
 */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  assertIndexInTree(index, size);
  const ranges: LeafRange[] = [];
  let begin = 0;
  let end = size;
  while (end - begin > 1) {
    const k = splitPoint(end - begin);
    if (index < begin + k) {
      ranges.push({ begin: begin + k, end });
      end = begin + k;
    } else {
      ranges.push({ begin, end: begin + k });
      begin += k;
    }
  }
  return ranges.reverse();
}

/**
 * The ranges whose hashes form the consistency proof from a tree of `oldSize` leaves to one of `newSize` leaves
 * (RFC 9162 §2.1.4.1, PROOF(m, D[n]) = SUBPROOF(m, D[n], true)), in proof order. Empty when the sizes are equal
 * or the old tree is empty, both of which every later tree is consistent with.
 */
export function consistencyProofRanges(oldSize: number, newSize: number): LeafRange[] {
  assertSizesInOrder(oldSize, newSize);
  if (oldSize === 0) return [];
  const ranges: LeafRange[] = [];
  let begin = 0;
  let end = newSize;
  let wholeOldTreeOnLeft = true;
  while (end !== oldSize) {
    const k = splitPoint(end - begin);
    if (oldSize <= begin + k) {
      ranges.push({ begin: begin + k, end });
      end = begin + k;
    } else {
      ranges.push({ begin, end: begin + k });
      begin += k;
      wholeOldTreeOnLeft = false;
    }
  }
  // SUBPROOF(m, D[m], true) = {}: the verifier already holds the old root. With b false it is MTH(D[m]).
  if (!wholeOldTreeOnLeft) ranges.push({ begin, end });
  return ranges.reverse();
}

/**
 * The stored complete subtrees that make up a range of a proof, left to right, largest first. The range must
 * start on a multiple of its first part's size, which every range of an RFC 9162 proof does.
 */
export function rangeNodes(range: LeafRange): NodeAddress[] {
  const nodes: NodeAddress[] = [];
  let begin = range.begin;
  let remaining = range.end - range.begin;
  if (remaining <= 0) throw new RangeError(`an empty leaf range ${range.begin}..${range.end} has no nodes`);
  while (remaining > 0) {
    let width = 1;
    let level = 0;
    while (width * 2 <= remaining) {
      width *= 2;
      level += 1;
    }
    if (begin % width !== 0) throw new RangeError(`leaf range ${range.begin}..${range.end} is not aligned to complete subtrees`);
    nodes.push({ level, index: begin / width });
    begin += width;
    remaining -= width;
  }
  return nodes;
}

/** Throws a `TreeSizeError` unless `size` is a tree size: a whole number from 0 to 2^53 − 1. */
export function assertTreeSize(what: string, size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new TreeSizeError(`${what} ${size} is not a tree size (a whole number ≥ 0)`);
}

/** Throws a `TreeSizeError` unless leaf `index` lies in a tree of `size` leaves. */
export function assertIndexInTree(index: number, size: number): void {
  assertTreeSize('the tree size', size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size)
    throw new TreeSizeError(`leaf index ${index} is not in a tree of ${size} leaves`);
}

/** Throws a `TreeSizeError` unless both are tree sizes and the old one is not larger. */
export function assertSizesInOrder(oldSize: number, newSize: number): void {
  assertTreeSize('the old tree size', oldSize);
  assertTreeSize('the new tree size', newSize);
  if (oldSize > newSize) throw new TreeSizeError(`the old tree size ${oldSize} is larger than the new one ${newSize}`);
}
