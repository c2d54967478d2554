import { BatchReader } from '../../integrity/batch-reader.js';
import { parseLeafHashLine, parseProofHashLine, type BundleProof } from '../../integrity/bundle-format.js';
import { equalBytes } from '../../integrity/bytes.js';
import type { Checkpoint } from '../../integrity/checkpoint.js';
import { IntegrityError } from '../../integrity/integrity-errors.js';
import type { MerkleHasher } from '../../integrity/merkle-hasher.js';
import { rootFromStreamedLeaves, type StreamedLeaf } from '../../integrity/streamed-multi-proof.js';
import { sameDigest } from './record-leaf-digests.js';

/** The streams the leaf side reads. */
export interface LeafSideInput {
  /** The leaf hash of each line of records.jsonl (`recordLeafDigests`). */
  readonly recordDigests: AsyncIterable<readonly string[]>;
  /** The seq each line of records.jsonl holds, from the thread that parses them. */
  readonly recordSeqs: AsyncIterable<readonly number[]>;
  readonly leafHashes: AsyncIterable<readonly string[]>;
  readonly proofHashes: AsyncIterable<readonly string[]>;
}

/** Thrown out of the tree walk at the first thing that does not hold. */
class DoesNotHold extends Error {}

/**
 * The half of `verifyBundle`'s checks that needs no parsed record, for a bundle whose checkpoint and proof.json
 * have verified: each record hashes to its listed leaf, the listed seqs increase (without a gap in a contiguous
 * range) and match the seqs the records hold, every leaf is in the checkpoint's tree, the records and the list
 * end together at proof.json's count and last seq, and the leaves with the proof hashes lead to the signed root.
 * Resolves with the number of records when all of that holds, `undefined` at the first thing that does not (the
 * sequential verifier names it). What reading the files throws, it throws.
 */
export async function checkLeafSide(
  input: LeafSideInput,
  checkpoint: Checkpoint,
  proof: BundleProof,
  hasher: MerkleHasher,
): Promise<number | undefined> {
  const listed = new BatchReader(input.leafHashes);
  const seqs = new BatchReader(input.recordSeqs);
  let count = 0;
  let previous: number | undefined;
  const leaves = async function* (): AsyncGenerator<StreamedLeaf[]> {
    for await (const digests of input.recordDigests) {
      const batch: StreamedLeaf[] = [];
      for (const digest of digests) {
        if (!listed.ready) await listed.fill();
        const listedLine = listed.shift();
        const leaf = listedLine === undefined ? undefined : parseLeafHashLine(listedLine);
        if (leaf === undefined) throw new DoesNotHold();
        const expected = previous === undefined ? (proof.firstSeq ?? 0) : previous + 1;
        if ((previous !== undefined && leaf.seq <= previous) || (proof.contiguous && leaf.seq !== expected)) throw new DoesNotHold();
        if (!seqs.ready) await seqs.fill();
        if (seqs.shift() !== leaf.seq || !sameDigest(digest, leaf.hash) || leaf.seq >= checkpoint.size) throw new DoesNotHold();
        previous = leaf.seq;
        count += 1;
        batch.push({ index: leaf.seq, hash: leaf.hash });
      }
      yield batch;
    }
    await listed.fill();
    await seqs.fill();
    if (listed.shift() !== undefined || seqs.shift() !== undefined) throw new DoesNotHold();
    if (count !== proof.count || (previous ?? null) !== proof.lastSeq) throw new DoesNotHold();
  };
  const proofHashes = async function* (): AsyncGenerator<Uint8Array> {
    for await (const texts of input.proofHashes)
      for (const text of texts) {
        const hash = parseProofHashLine(text);
        if (!hash) throw new DoesNotHold();
        yield hash;
      }
  };
  let root: Uint8Array;
  try {
    root = await rootFromStreamedLeaves(hasher, checkpoint.size, leaves(), proofHashes());
  } catch (error) {
    // The walk's own complaints (a leaf out of order or past the tree, a proof too short or too long) do not hold either.
    if (error instanceof DoesNotHold || error instanceof IntegrityError) return undefined;
    throw error;
  }
  return equalBytes(root, checkpoint.rootHash) ? count : undefined;
}
