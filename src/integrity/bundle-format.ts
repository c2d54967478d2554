import type { CsvRecord } from './bundle-csv.js';
import { fromHex } from './bytes.js';
import { FormatError } from './integrity-errors.js';
import { HASH_SIZE } from './merkle-hasher.js';

/**
 * The verifiable export bundle (PRODUCT.md §8): a zip of these files, which `attest verify BUNDLE --key VKEY`
 * checks offline. Every list is in seq order and line i of `records.jsonl`, `leaf-hashes.txt` and row i of
 * `events.csv` (after its header) are the same event.
 *
 * - `checkpoint`: the C2SP signed note of the log's tree that the records are proven against.
 * - `records.jsonl`: one event per line, exactly the canonical bytes (RFC 8785) its leaf hash covers.
 * - `leaf-hashes.txt`: `<seq> <hex leaf hash>` per line, the bundle's index: a verifier names the event whose
 *   line was edited, deleted or moved by comparing the records with it, and proves the list with the tree.
 * - `proof-hashes.txt`: one hex hash per line, the multi-leaf proof of `streamed-multi-proof.ts`: the subtrees
 *   of the checkpoint's tree holding no exported event, in walk order (left to right). A contiguous range
 *   needs only the hashes along its two edges.
 * - `proof.json`: {@link BundleProof}, what the bundle claims.
 * - `events.csv`: the human CSV of the export, same columns, in seq order.
 * - `README.txt`: how an auditor checks it.
 *
 * @example
 * const proof = parseBundleProof(await entryText(zip, BUNDLE_FILES.proof));
 */
export const BUNDLE_FILES = {
  readme: 'README.txt',
  checkpoint: 'checkpoint',
  proof: 'proof.json',
  records: 'records.jsonl',
  leafHashes: 'leaf-hashes.txt',
  proofHashes: 'proof-hashes.txt',
  csv: 'events.csv',
} as const;

/** The `format` of {@link BundleProof}; a verifier refuses a bundle of a format it does not know. */
export const BUNDLE_FORMAT = 'attest-bundle/1';

/** What `proof.json` says about the bundle. */
export interface BundleProof {
  readonly format: typeof BUNDLE_FORMAT;
  /** The checkpoint's origin, `<ATTEST_LOG_NAME>/<orgId>`. */
  readonly origin: string;
  /** The checkpoint's tree size: every exported event has a seq below it. */
  readonly treeSize: number;
  /** `all`: every event the store holds below `treeSize`; `filtered`: those of the export's filters. */
  readonly scope: 'all' | 'filtered';
  /** The export's filters and range, as recorded in its `audit_log.exported` event (informative). */
  readonly filters?: Readonly<Record<string, unknown>>;
  readonly count: number;
  /** First and last exported seq; null when nothing was exported. */
  readonly firstSeq: number | null;
  readonly lastSeq: number | null;
  /** Every seq from `firstSeq` to `lastSeq` is in the bundle: the verifier checks that none is missing. */
  readonly contiguous: boolean;
}

/** The `proof.json` text of a bundle. */
export function formatBundleProof(proof: BundleProof): string {
  return `${JSON.stringify(proof, null, 2)}\n`;
}

/** Reads `proof.json`; throws a `FormatError` naming the member that is missing or wrong. */
export function parseBundleProof(text: string): BundleProof {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FormatError('proof.json is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw new FormatError('proof.json is not a JSON object');
  const proof = value as Record<string, unknown>;
  if (proof.format !== BUNDLE_FORMAT)
    throw new FormatError(`proof.json is of format ${JSON.stringify(proof.format)}, not ${BUNDLE_FORMAT}`);
  const seqOrNull = (name: string) => {
    const member = proof[name];
    if (member !== null && !isCount(member)) throw new FormatError(`proof.json's ${name} is not a seq or null`);
    return member;
  };
  if (typeof proof.origin !== 'string') throw new FormatError("proof.json's origin is not a string");
  if (!isCount(proof.treeSize)) throw new FormatError("proof.json's treeSize is not a whole number");
  if (proof.scope !== 'all' && proof.scope !== 'filtered') throw new FormatError("proof.json's scope is neither all nor filtered");
  if (!isCount(proof.count)) throw new FormatError("proof.json's count is not a whole number");
  if (typeof proof.contiguous !== 'boolean') throw new FormatError("proof.json's contiguous is not true or false");
  if (proof.filters !== undefined && (typeof proof.filters !== 'object' || proof.filters === null))
    throw new FormatError("proof.json's filters is not an object");
  const firstSeq = seqOrNull('firstSeq');
  const lastSeq = seqOrNull('lastSeq');
  if ((firstSeq === null) !== (proof.count === 0) || (lastSeq === null) !== (proof.count === 0))
    throw new FormatError('proof.json has a first and last seq exactly when it has events');
  return {
    format: BUNDLE_FORMAT,
    origin: proof.origin,
    treeSize: proof.treeSize,
    scope: proof.scope,
    ...(proof.filters === undefined ? {} : { filters: proof.filters as Record<string, unknown> }),
    count: proof.count,
    firstSeq,
    lastSeq,
    contiguous: proof.contiguous,
  };
}

/** One line of `leaf-hashes.txt`, without its newline. */
export function formatLeafHashLine(seq: number, leafHashHex: string): string {
  return `${seq} ${leafHashHex}`;
}

/** The seq and leaf hash of a `leaf-hashes.txt` line; `undefined` when it is not `<seq> <64 hex digits>`. */
export function parseLeafHashLine(line: string): { seq: number; hash: Uint8Array } | undefined {
  const match = /^(0|[1-9][0-9]{0,15}) ([0-9a-f]{64})$/.exec(line);
  if (!match) return undefined;
  const seq = Number(match[1]);
  const hash = fromHex(match[2]!);
  return Number.isSafeInteger(seq) && hash?.length === HASH_SIZE ? { seq, hash } : undefined;
}

/** The hash of a `proof-hashes.txt` line; `undefined` when it is not 64 lowercase hex digits. */
export function parseProofHashLine(line: string): Uint8Array | undefined {
  return /^[0-9a-f]{64}$/.test(line) ? fromHex(line) : undefined;
}

/** A line of `records.jsonl` read as a record: a JSON object whose seq is a safe integer; `undefined` otherwise. */
export function parseRecordLine(line: string): (CsvRecord & { seq: number; orgId?: unknown }) | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const record = value as CsvRecord & { seq?: unknown; orgId?: unknown };
    return typeof record.seq === 'number' && Number.isSafeInteger(record.seq) ? (record as CsvRecord & { seq: number }) : undefined;
  } catch {
    return undefined;
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
