import { BatchReader } from './batch-reader.js';
import { csvHeaderProblem, csvRowProblem } from './bundle-csv.js';
import {
  BUNDLE_FILES,
  parseBundleProof,
  parseLeafHashLine,
  parseProofHashLine,
  parseRecordLine,
  type BundleProof,
} from './bundle-format.js';
import { equalBytes, toHex } from './bytes.js';
import type { Checkpoint } from './checkpoint.js';
import { FormatError, IntegrityError, ProofLengthError, TreeSizeError } from './integrity-errors.js';
import type { MerkleHasher } from './merkle-hasher.js';
import { formatKeyId, type NoteVerifier } from './note-keys.js';
import { openCheckpoint } from './signed-checkpoint.js';
import { rootFromStreamedLeaves, type StreamedLeaf } from './streamed-multi-proof.js';

/**
 * Offline verification of an export bundle (`bundle-format.ts`): given its files and the log's public key, and
 * nothing else, it checks the checkpoint's signature, that every record hashes to its leaf, that the leaves sit
 * at their seqs in the signed tree, that a contiguous range has every seq from its first to its last (and an
 * export of everything reaches the checkpoint's last event), and that the CSV says what the records say. It
 * reads each file once, in step, so a bundle of millions of records is checked in O(log n) memory, and stops
 * at the first problem, naming the seq and the file.
 *
 * @example
 * const report = await verifyBundle(files, [await parseVerifierKey(vkey)], hasher);
 * if (!report.ok) console.log(`event ${report.problem.seq}: ${report.problem.reason}`);
 */

/**
 * A bundle's files: the small ones as text, the long ones as their lines (without newlines) or parsed CSV rows,
 * in batches of any size (a reader hands out what one inflated piece holds), in order.
 */
export interface BundleFiles {
  readonly checkpoint: string;
  readonly proof: string;
  readonly records: AsyncIterable<readonly string[]>;
  readonly leafHashes: AsyncIterable<readonly string[]>;
  readonly proofHashes: AsyncIterable<readonly string[]>;
  /** The rows of `events.csv`, its header first. */
  readonly csvRows: AsyncIterable<readonly (readonly string[])[]>;
}

/** The first thing found wrong: the event (null when it is about the bundle as a whole), the file, and what. */
export interface BundleProblem {
  readonly seq: number | null;
  readonly file: string;
  readonly reason: string;
}

/** What `attest verify BUNDLE` reports. */
export interface BundleReport {
  readonly ok: boolean;
  /** The log the checkpoint is of, `<name>/<orgId>`, once it verified. */
  readonly origin?: string;
  readonly treeSize?: number;
  readonly scope?: BundleProof['scope'];
  readonly contiguous?: boolean;
  readonly firstSeq?: number | null;
  readonly lastSeq?: number | null;
  /** Records whose leaf hash, place and CSV row were checked before the end or the first problem. */
  readonly recordsChecked: number;
  /** The keys (`name+keyId`) whose signature on the checkpoint held. */
  readonly verifiedBy: readonly string[];
  readonly problem?: BundleProblem;
}

/** A problem found while the files are read, carried out of the tree walk that pulls them. */
class BundleProblemError extends Error {
  constructor(readonly problem: BundleProblem) {
    super(problem.reason);
  }
}

/** What a bundle's checkpoint and proof.json say once both hold: what its records are checked against. */
export interface BundleHead {
  readonly checkpoint: Checkpoint;
  /** The organization whose log the checkpoint is of, from its origin. */
  readonly orgId: string;
  readonly proof: BundleProof;
  /** The report as far as the two files go: the log, its size, the keys that verified, the export's scope and range. */
  readonly report: Omit<BundleReport, 'ok'>;
}

/**
 * The first half of {@link verifyBundle}: the checkpoint's signature and log against the keys, and proof.json
 * against the checkpoint. Resolves with the head when both hold, else with the report naming the first problem.
 */
export async function openBundleHead(
  files: Pick<BundleFiles, 'checkpoint' | 'proof'>,
  verifiers: readonly NoteVerifier[],
): Promise<{ head: BundleHead; failure?: undefined } | { head?: undefined; failure: BundleReport }> {
  let report: Omit<BundleReport, 'ok'> = { recordsChecked: 0, verifiedBy: [] };
  const fail = (problem: BundleProblem) => ({ failure: { ok: false, ...report, problem } });

  let opened;
  try {
    opened = await openCheckpoint(files.checkpoint, verifiers);
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    return fail({ seq: null, file: BUNDLE_FILES.checkpoint, reason: `the checkpoint does not verify with the key: ${error.message}` });
  }
  const { checkpoint } = opened;
  const verifiedBy = opened.verifiedBy.map((key) => `${key.name}+${formatKeyId(key.keyId)}`);
  report = { ...report, origin: checkpoint.origin, treeSize: checkpoint.size, verifiedBy };
  // The origin is `<key name>/<orgId>`: the key vouches for its own deployment's logs only.
  const orgId = opened.verifiedBy.map((key) => orgOfOrigin(checkpoint.origin, key.name)).find((id) => id !== undefined);
  if (orgId === undefined)
    return fail({
      seq: null,
      file: BUNDLE_FILES.checkpoint,
      reason: `the checkpoint's log ${checkpoint.origin} is not one of the key's logs`,
    });

  let proof: BundleProof;
  try {
    proof = parseBundleProof(files.proof);
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
    return fail({ seq: null, file: BUNDLE_FILES.proof, reason: error.message });
  }
  report = { ...report, scope: proof.scope, contiguous: proof.contiguous, firstSeq: proof.firstSeq, lastSeq: proof.lastSeq };
  if (proof.origin !== checkpoint.origin || proof.treeSize !== checkpoint.size)
    return fail({
      seq: null,
      file: BUNDLE_FILES.proof,
      reason: `proof.json is for ${proof.origin} at ${proof.treeSize} events, the checkpoint for ${checkpoint.origin} at ${checkpoint.size}`,
    });
  if (proof.scope === 'all' && proof.lastSeq !== null && proof.lastSeq !== checkpoint.size - 1)
    return fail({
      seq: proof.lastSeq + 1,
      file: BUNDLE_FILES.proof,
      reason: `an export of everything ends at the checkpoint's last event ${checkpoint.size - 1}, this one at ${proof.lastSeq}: events were cut off its end`,
    });
  return { head: { checkpoint, orgId, proof, report } };
}

/** Checks a bundle against trusted verifier keys; resolves with the report, never throws for a bad bundle. */
export async function verifyBundle(files: BundleFiles, verifiers: readonly NoteVerifier[], hasher: MerkleHasher): Promise<BundleReport> {
  const opened = await openBundleHead(files, verifiers);
  if (opened.failure) return opened.failure;
  const { checkpoint, orgId, proof } = opened.head;
  let report = opened.head.report;
  const fail = (problem: BundleProblem): BundleReport => ({ ok: false, ...report, problem });

  let recordsChecked = 0;
  // Each batch of records is checked in one go (one await for its leaf hashes); a problem is thrown only once
  // the leaves before it have been handed to the tree walk, where it surfaces as it did leaf by leaf.
  const leaves = async function* (): AsyncGenerator<StreamedLeaf[]> {
    const listed = new BatchReader(files.leafHashes);
    const rows = new BatchReader(files.csvRows);
    const nextRow = async (seq: number | null): Promise<readonly string[] | undefined> => {
      try {
        if (!rows.ready) await rows.fill();
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        throw new BundleProblemError({ seq, file: BUNDLE_FILES.csv, reason: `events.csv cannot be read: ${error.message}` });
      }
      return rows.shift();
    };
    const header = await nextRow(null);
    const headerProblem = header === undefined ? 'it is empty' : csvHeaderProblem(header);
    if (headerProblem)
      throw new BundleProblemError({ seq: null, file: BUNDLE_FILES.csv, reason: `the CSV header is wrong: ${headerProblem}` });
    let previous: number | undefined;
    for await (const lines of files.records) {
      const hashes = await hasher.hashLeafTexts(lines);
      const batch: StreamedLeaf[] = [];
      try {
        for (const [i, line] of lines.entries()) {
          const expected = previous === undefined ? (proof.firstSeq ?? 0) : previous + 1;
          if (!listed.ready) await listed.fill();
          const listedLine = listed.shift();
          if (listedLine === undefined)
            throw problemAt(expected, BUNDLE_FILES.records, `records.jsonl has more lines than the ${proof.count} events listed`);
          const leaf = parseLeafHashLine(listedLine);
          if (leaf === undefined)
            throw problemAt(expected, BUNDLE_FILES.leafHashes, `line ${recordsChecked + 1} is not "<seq> <leaf hash>"`);
          if (previous !== undefined && leaf.seq <= previous)
            throw problemAt(
              leaf.seq,
              BUNDLE_FILES.leafHashes,
              `event ${leaf.seq} is listed after event ${previous}: the list is out of order`,
            );
          if (proof.contiguous && leaf.seq !== expected)
            throw problemAt(expected, BUNDLE_FILES.leafHashes, `event ${expected} is missing from the list, which goes on at ${leaf.seq}`);
          const record = parseRecordLine(line);
          if (record === undefined)
            throw problemAt(leaf.seq, BUNDLE_FILES.records, `line ${recordsChecked + 1} is not a JSON record with a seq`);
          if (record.seq !== leaf.seq)
            throw problemAt(
              leaf.seq,
              BUNDLE_FILES.records,
              `records.jsonl holds event ${record.seq} where event ${leaf.seq} belongs: a line was deleted, inserted or moved`,
            );
          if (record.orgId !== orgId)
            throw problemAt(
              leaf.seq,
              BUNDLE_FILES.records,
              `the record is of organization ${String(record.orgId)}, the checkpoint's log of ${orgId}`,
            );
          if (!equalBytes(hashes[i]!, leaf.hash))
            throw problemAt(
              leaf.seq,
              BUNDLE_FILES.records,
              `the record does not hash to its leaf hash ${toHex(leaf.hash)}: the record was edited`,
            );
          const row = await nextRow(leaf.seq);
          if (row === undefined) throw problemAt(leaf.seq, BUNDLE_FILES.csv, 'events.csv has no row for the event');
          const rowProblem = csvRowProblem(row, record);
          if (rowProblem)
            throw problemAt(leaf.seq, BUNDLE_FILES.csv, `row ${recordsChecked + 2} does not say what the record says: ${rowProblem}`);
          if (leaf.seq >= checkpoint.size)
            throw problemAt(
              leaf.seq,
              BUNDLE_FILES.records,
              `event ${leaf.seq} is not in the checkpoint's tree of ${checkpoint.size} events`,
            );
          previous = leaf.seq;
          recordsChecked += 1;
          batch.push({ index: leaf.seq, hash: leaf.hash });
        }
      } catch (error) {
        if (batch.length > 0) yield batch;
        throw error;
      }
      yield batch;
    }
    if (!listed.ready) await listed.fill();
    const extraLine = listed.shift();
    if (extraLine !== undefined) {
      const seq = parseLeafHashLine(extraLine)?.seq ?? null;
      throw new BundleProblemError({
        seq,
        file: BUNDLE_FILES.records,
        reason: `event ${seq ?? '?'} is listed but missing from records.jsonl`,
      });
    }
    if ((await nextRow(null)) !== undefined)
      throw new BundleProblemError({ seq: null, file: BUNDLE_FILES.csv, reason: 'events.csv has more rows than there are records' });
    if (recordsChecked !== proof.count || (previous ?? null) !== proof.lastSeq)
      throw new BundleProblemError({
        seq: previous === undefined ? null : previous + 1,
        file: BUNDLE_FILES.records,
        reason: `the bundle holds ${recordsChecked} events ending at ${previous ?? 'none'}; proof.json says ${proof.count} ending at ${proof.lastSeq ?? 'none'}`,
      });
  };
  const proofHashes = async function* (): AsyncGenerator<Uint8Array> {
    let line = 0;
    for await (const texts of files.proofHashes)
      for (const text of texts) {
        line += 1;
        const hash = parseProofHashLine(text);
        if (!hash)
          throw new BundleProblemError({ seq: null, file: BUNDLE_FILES.proofHashes, reason: `line ${line} is not a hex SHA-256 hash` });
        yield hash;
      }
  };

  try {
    const root = await rootFromStreamedLeaves(hasher, checkpoint.size, leaves(), proofHashes());
    report = { ...report, recordsChecked };
    if (!equalBytes(root, checkpoint.rootHash))
      return fail({
        seq: null,
        file: BUNDLE_FILES.proofHashes,
        reason: `the records and proof lead to root ${toHex(root)}, the checkpoint's is ${toHex(checkpoint.rootHash)}: records or their leaf hashes were changed`,
      });
  } catch (error) {
    report = { ...report, recordsChecked };
    if (error instanceof BundleProblemError) return fail(error.problem);
    if (error instanceof ProofLengthError)
      return fail({ seq: null, file: BUNDLE_FILES.proofHashes, reason: `the proof is cut short or padded: ${error.message}` });
    if (error instanceof TreeSizeError) return fail({ seq: null, file: BUNDLE_FILES.records, reason: error.message });
    if (error instanceof IntegrityError) return fail({ seq: null, file: BUNDLE_FILES.proofHashes, reason: error.message });
    throw error;
  }
  return { ok: true, ...report };
}

function problemAt(seq: number, file: string, reason: string): BundleProblemError {
  return new BundleProblemError({ seq, file, reason });
}

function orgOfOrigin(origin: string, keyName: string): string | undefined {
  return origin.startsWith(`${keyName}/`) && origin.length > keyName.length + 1 ? origin.slice(keyName.length + 1) : undefined;
}
