import { BUNDLE_FILES, parseBundleProof, type BundleProof } from '../../integrity/bundle-format.js';
import type { Checkpoint } from '../../integrity/checkpoint.js';
import type { MerkleHasher } from '../../integrity/merkle-hasher.js';
import { formatKeyId, type NoteVerifier } from '../../integrity/note-keys.js';
import { openCheckpoint } from '../../integrity/signed-checkpoint.js';
import type { BundleReport } from '../../integrity/verify-bundle.js';
import type { OpenedBundleZip } from './bundle-zip-reader.js';
import { checkLeafSide } from './leaf-side-check.js';
import { recordLeafDigests } from './record-leaf-digests.js';
import { RecordsThreadError, startRecordsCsvThread } from './records-csv-thread.js';

/** What a bundle's checkpoint and proof.json say, once both hold. */
interface BundleHead {
  readonly checkpoint: Checkpoint;
  readonly orgId: string;
  readonly verifiedBy: readonly string[];
  readonly proof: BundleProof;
}

/**
 * `verifyBundle`'s checks split over two threads: this one inflates records.jsonl, hashes each line from its bytes,
 * holds it against leaf-hashes.txt and walks the tree to the signed root (`leaf-side-check.ts`), while a second
 * is sent the same pieces, parses their lines and holds them against events.csv (`records-csv-check.ts`), handing over each record's
 * seq. Together they check everything the sequential verifier checks, so the report of a bundle for which both
 * hold is the one `verifyBundle` gives. They do not name problems: at the first, or when a file does not read,
 * this resolves with `undefined` and the caller runs `verifyBundle`, which names it as it always has. Throws a
 * {@link RecordsThreadError} when the second thread dies: never a pass.
 */
export async function verifyBundleInParallel(
  path: string,
  bundle: OpenedBundleZip,
  verifiers: readonly NoteVerifier[],
  hasher: MerkleHasher,
  workerModule?: URL,
): Promise<BundleReport | undefined> {
  const head = await bundleHead(bundle.files.checkpoint, bundle.files.proof, verifiers);
  if (head === undefined) return undefined;
  const { checkpoint, proof } = head;
  const thread = startRecordsCsvThread({ path, orgId: head.orgId }, workerModule);
  let records: number | undefined;
  try {
    records = await checkLeafSide(
      {
        recordDigests: recordLeafDigests(thread.share(await bundle.bytes(BUNDLE_FILES.records))),
        recordSeqs: thread.seqs,
        leafHashes: bundle.files.leafHashes,
        proofHashes: bundle.files.proofHashes,
      },
      checkpoint,
      proof,
      hasher,
    );
    // The leaf side read every seq the thread posted, so it has ended its check, or failed.
    if (records !== undefined) {
      const outcome = await thread.outcome;
      if (!outcome.holds || outcome.records !== records) records = undefined;
    }
  } catch (error) {
    if (error instanceof RecordsThreadError) throw error;
    // A file that does not read: the sequential verifier throws it as it always has.
    records = undefined;
  } finally {
    await thread.stop();
  }
  if (records === undefined) return undefined;
  // Member for member (and in the order) of verifyBundle's report of a bundle that verifies.
  return {
    ok: true,
    recordsChecked: records,
    verifiedBy: head.verifiedBy,
    origin: checkpoint.origin,
    treeSize: checkpoint.size,
    scope: proof.scope,
    contiguous: proof.contiguous,
    firstSeq: proof.firstSeq,
    lastSeq: proof.lastSeq,
  };
}

/** The checkpoint verified with a key whose log it is of, and a proof.json that agrees with it; else `undefined`. */
async function bundleHead(note: string, proofText: string, verifiers: readonly NoteVerifier[]): Promise<BundleHead | undefined> {
  try {
    const opened = await openCheckpoint(note, verifiers);
    const { checkpoint } = opened;
    const orgId = opened.verifiedBy
      .map((key) =>
        checkpoint.origin.startsWith(`${key.name}/`) && checkpoint.origin.length > key.name.length + 1
          ? checkpoint.origin.slice(key.name.length + 1)
          : undefined,
      )
      .find((id) => id !== undefined);
    const proof = parseBundleProof(proofText);
    if (orgId === undefined || proof.origin !== checkpoint.origin || proof.treeSize !== checkpoint.size) return undefined;
    if (proof.scope === 'all' && proof.lastSeq !== null && proof.lastSeq !== checkpoint.size - 1) return undefined;
    return { checkpoint, orgId, proof, verifiedBy: opened.verifiedBy.map((key) => `${key.name}+${formatKeyId(key.keyId)}`) };
  } catch {
    return undefined;
  }
}
