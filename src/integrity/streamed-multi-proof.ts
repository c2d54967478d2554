import { ProofLengthError, TreeSizeError } from './integrity-errors.js';
import { assertHash, type MerkleHasher } from './merkle-hasher.js';
import { assertTreeSize, splitPoint, type LeafRange } from './tree-shape.js';

/**
 * The multi-leaf proof of `multi-inclusion-proof.ts` for leaves that come one after another, in increasing
 * index order, from a stream too long to hold (a bundle of millions of records): the same hashes in the same
 * order, but generated and checked while the leaves go by, in O(log n) memory. A contiguous range of leaves
 * needs only the O(log n) subtrees along its two edges; leaves picked here and there (a filtered export) share
 * the upper part of their paths.
 *
 * @example
 * for await (const range of subtreesWithoutLeaves(seqs, 1000)) proof.push(await hashOf(range));
 * const root = await rootFromStreamedLeaves(hasher, 1000, leaves, proofHashes);
 */

/**
 * The subtrees (as MTH splits the tree of `size` leaves) that hold none of the given leaf indices, in walk order
 * (left before right): their hashes are the proof. Throws a `TreeSizeError` when the indices do not increase or
 * one is past the tree. With no index at all, the one range is the whole tree.
 */
export async function* subtreesWithoutLeaves(indices: AsyncIterable<number> | Iterable<number>, size: number): AsyncGenerator<LeafRange> {
  assertTreeSize('the tree size', size);
  const next = peekable(indices, (index, previous) => {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size)
      throw new TreeSizeError(`leaf index ${index} is not in a tree of ${size} leaves`);
    if (previous !== undefined && index <= previous) throw new TreeSizeError(`leaf indices must increase: ${index} follows ${previous}`);
  });
  // An explicit stack instead of recursion, so ranges can be handed out as the walk finds them.
  const stack: LeafRange[] = size === 0 ? [] : [{ begin: 0, end: size }];
  while (stack.length > 0) {
    const { begin, end } = stack.pop()!;
    const upcoming = await next.peek();
    if (upcoming === undefined || upcoming >= end) yield { begin, end };
    else if (end - begin === 1) await next.take();
    else {
      const middle = begin + splitPoint(end - begin);
      stack.push({ begin: middle, end }, { begin, end: middle });
    }
  }
  // An index left over lies past the tree: peeking checks it and throws.
  await next.peek();
}

/** One leaf as a stream of them hands it to {@link rootFromStreamedLeaves}. */
export interface StreamedLeaf {
  readonly index: number;
  readonly hash: Uint8Array;
}

/**
 * The root that `leaves` (increasing indices, in batches) and the proof hashes of {@link subtreesWithoutLeaves}
 * lead to, pulling each as the walk reaches it: a problem the leaf stream throws (a record that does not hash to
 * its leaf, say) surfaces at that leaf. Throws a `TreeSizeError` for an index out of order or past the tree and
 * a `ProofLengthError` when the proof has too few or too many hashes. The leaves come in batches so that a
 * bundle of a million records costs a thousand awaits on the leaf stream, not a million.
 */
export async function rootFromStreamedLeaves(
  hasher: MerkleHasher,
  size: number,
  leaves: AsyncIterable<readonly StreamedLeaf[]>,
  proofHashes: AsyncIterable<Uint8Array>,
): Promise<Uint8Array> {
  assertTreeSize('the tree size', size);
  if (size === 0) throw new TreeSizeError('an empty tree has no leaves to prove');
  const next = batchPeekable(leaves, (leaf, previous) => {
    if (!Number.isSafeInteger(leaf.index) || leaf.index < 0 || leaf.index >= size)
      throw new TreeSizeError(`leaf index ${leaf.index} is not in a tree of ${size} leaves`);
    if (previous !== undefined && leaf.index <= previous.index)
      throw new TreeSizeError(`leaf indices must increase: ${leaf.index} follows ${previous.index}`);
    assertHash(`the leaf hash of leaf ${leaf.index}`, leaf.hash);
  });
  const proof = proofHashes[Symbol.asyncIterator]();
  let used = 0;
  const proofHash = async (): Promise<Uint8Array> => {
    const { value, done } = await proof.next();
    if (done) throw new ProofLengthError(used + 1, used);
    assertHash(`proof hash ${used}`, value);
    used += 1;
    return value;
  };
  // The walk of subtreesWithoutLeaves, with an explicit stack instead of recursion: a subtree without a leaf
  // is the next proof hash, a single leaf is its hash, any other is split; a left child's hash waits on the
  // stack for its right sibling's.
  const pending: { middle: number; end: number; left: Uint8Array | undefined }[] = [];
  let begin = 0;
  let end = size;
  for (;;) {
    let hash: Uint8Array;
    for (;;) {
      if (next.mustRead()) await next.read();
      const upcoming = next.peek();
      if (upcoming === undefined || upcoming.index >= end) {
        hash = await proofHash();
        break;
      }
      if (end - begin === 1) {
        hash = next.take().hash;
        break;
      }
      const middle = begin + splitPoint(end - begin);
      pending.push({ middle, end, left: undefined });
      end = middle;
    }
    let parent = pending.at(-1);
    while (parent?.left !== undefined) {
      pending.pop();
      hash = await hasher.hashChildren(parent.left, hash);
      parent = pending.at(-1);
    }
    if (parent === undefined) {
      // A leaf left over lies past the tree or out of order: peeking checks it and throws.
      if (next.mustRead()) await next.read();
      next.peek();
      let extra = 0;
      while (!(await proof.next()).done) extra += 1;
      if (extra > 0) throw new ProofLengthError(used, used + extra);
      return hash;
    }
    parent.left = hash;
    begin = parent.middle;
    end = parent.end;
  }
}

/**
 * {@link peekable} over a stream of batches: `peek` and `take` answer at once from the batch at hand, and only
 * when it is used up (`mustRead`) is the next one awaited (`read`). `take` follows a `peek` that found an item.
 */
function batchPeekable<T>(source: AsyncIterable<readonly T[]>, check: (item: T, previous: T | undefined) => void) {
  const iterator = source[Symbol.asyncIterator]();
  let batch: readonly T[] = [];
  let at = 0;
  let ended = false;
  let checked = false;
  let previous: T | undefined;
  return {
    mustRead: (): boolean => !ended && at === batch.length,
    async read(): Promise<void> {
      while (!ended && at === batch.length) {
        const { value, done } = await iterator.next();
        if (done) ended = true;
        else {
          batch = value;
          at = 0;
        }
      }
    },
    peek(): T | undefined {
      if (at === batch.length) return undefined;
      const item = batch[at]!;
      if (!checked) check(item, previous);
      checked = true;
      return item;
    },
    take(): T {
      const item = batch[at]!;
      at += 1;
      checked = false;
      previous = item;
      return item;
    },
  };
}

/** An iterator one can look one item ahead in; `check` sees each item as it arrives, with the one before. */
function peekable<T>(source: AsyncIterable<T> | Iterable<T>, check: (item: T, previous: T | undefined) => void) {
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source[Symbol.iterator]());
  let buffered: { item: T | undefined } | undefined;
  let previous: T | undefined;
  return {
    async peek(): Promise<T | undefined> {
      if (!buffered) {
        const { value, done } = await iterator.next();
        if (!done) check(value, previous);
        buffered = { item: done ? undefined : value };
      }
      return buffered.item;
    },
    async take(): Promise<T | undefined> {
      const item = await this.peek();
      buffered = undefined;
      if (item !== undefined) previous = item;
      return item;
    },
  };
}

function toAsync<T>(iterator: Iterator<T>): AsyncIterator<T> {
  return { next: () => Promise.resolve(iterator.next()) };
}
