import { nodeMerkleHasher } from '../../core/node-merkle-hasher.js';
import type { NoteVerifier } from '../../integrity/note-keys.js';
import { verifyBundle, type BundleReport } from '../../integrity/verify-bundle.js';
import { openBundleZip } from './bundle-zip-reader.js';

/**
 * `attest verify BUNDLE --key VKEY`: the bundle zip checked offline by the pure verifier
 * (`integrity/verify-bundle.ts`) with node:crypto's SHA-256, which is many times faster here than WebCrypto's
 * round trips for the two hashes per record.
 */
export async function verifyBundleFile(path: string, verifier: NoteVerifier): Promise<BundleReport> {
  const bundle = await openBundleZip(path);
  try {
    return await verifyBundle(bundle.files, [verifier], nodeMerkleHasher);
  } finally {
    bundle.close();
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
