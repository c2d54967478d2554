import { nodeMerkleHasher } from '../../core/node-merkle-hasher.js';
import type { NoteVerifier } from '../../integrity/note-keys.js';
import { verifyBundle, type BundleReport } from '../../integrity/verify-bundle.js';
import { BUNDLE_FILES } from '../../integrity/bundle-format.js';
import { openBundleZip } from './bundle-zip-reader.js';
import { verifyBundleInParallel } from './parallel-bundle-check.js';

// Below this much records.jsonl a second thread costs more to start than it saves.
const PARALLEL_FROM_BYTES = 4 * 1024 * 1024;

/** How {@link verifyBundleFile} goes about it; the defaults are the CLI's. */
export interface VerifyBundleFileOptions {
  /** The size of records.jsonl from which its checks are split over two threads. */
  readonly parallelFromBytes?: number;
  /** The records thread's module, for a test to hand in one that fails. */
  readonly recordsWorker?: URL;
}

/**
 * `attest verify BUNDLE --key VKEY`: the bundle zip checked offline with node:crypto's SHA-256, which is many
 * times faster here than WebCrypto's round trips for the two hashes per record. A large bundle is checked on
 * two threads (`parallel-bundle-check.ts`); a small one, and one that does not hold there, by the pure
 * verifier (`integrity/verify-bundle.ts`), which names its first problem.
 */
export async function verifyBundleFile(path: string, verifier: NoteVerifier, options: VerifyBundleFileOptions = {}): Promise<BundleReport> {
  const bundle = await openBundleZip(path);
  try {
    if (bundle.sizeOf(BUNDLE_FILES.records) < (options.parallelFromBytes ?? PARALLEL_FROM_BYTES))
      return await verifyBundle(bundle.files, [verifier], nodeMerkleHasher);
    const report = await verifyBundleInParallel(path, bundle, [verifier], nodeMerkleHasher, options.recordsWorker);
    if (report) return report;
  } finally {
    bundle.close();
  }
  // Opened afresh: the parallel check has read some of the files.
  const again = await openBundleZip(path);
  try {
    return await verifyBundle(again.files, [verifier], nodeMerkleHasher);
  } finally {
    again.close();
  }
}

/** The report in words, one line. */
export function describeBundleReport(report: BundleReport): string {
  if (report.problem) {
    const where = report.problem.seq === null ? report.problem.file : `event ${report.problem.seq} (${report.problem.file})`;
    return `NOT VERIFIED: ${where}: ${report.problem.reason}\n`;
  }
  const range =
    report.firstSeq === null || report.firstSeq === undefined
      ? 'no events'
      : `${report.recordsChecked} events, seq ${report.firstSeq}–${report.lastSeq}${report.contiguous ? ' without a gap' : ' (a selection)'}`;
  return `verified: ${range} of ${report.origin}, proven in its checkpoint of ${report.treeSize} events signed by ${report.verifiedBy.join(', ')}; events.csv agrees with the records\n`;
}
