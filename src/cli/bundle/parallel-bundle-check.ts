import { BUNDLE_FILES } from '../../integrity/bundle-format.js';
import type { MerkleHasher } from '../../integrity/merkle-hasher.js';
import type { NoteVerifier } from '../../integrity/note-keys.js';
import { openBundleHead, type BundleReport } from '../../integrity/verify-bundle.js';
import type { OpenedBundleZip } from './bundle-zip-reader.js';
import { checkLeafSide } from './leaf-side-check.js';
import { recordLeafDigests } from './record-leaf-digests.js';
import { RecordsThreadError, startRecordsCsvThread } from './records-csv-thread.js';

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
  const { head } = await openBundleHead(bundle.files, verifiers);
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
  return { ok: true, ...head.report, recordsChecked: records };
}
