import { fromBase64, toBase64 } from './bytes.js';
import { FormatError } from './integrity-errors.js';
import { HASH_SIZE } from './merkle-hasher.js';

/**
 * A C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) body: which log (the origin), how many leaves and
 * the root hash, one per line, each line ending in a newline, optionally followed by extension lines.
 *
 * @example
 * formatCheckpoint({ origin: 'attest.local/org_1', size: 2, rootHash }) === 'attest.local/org_1\n2\n<base64>\n'
 */
export interface Checkpoint {
  /** The log's name; for Attest `<ATTEST_LOG_NAME>/<orgId>` (see `checkpointOrigin`). */
  readonly origin: string;
  /** The number of leaves in the tree. */
  readonly size: number;
  /** MTH of the tree, 32 bytes. */
  readonly rootHash: Uint8Array;
  /** Lines after the root, each without its newline; Attest writes none and keeps those it reads. */
  readonly extensions?: readonly string[];
}

/** The origin of an organization's log in a deployment named `logName`. */
export function checkpointOrigin(logName: string, orgId: string): string {
  return `${logName}/${orgId}`;
}

/** The checkpoint body text, ready to be signed. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  assertOrigin(checkpoint.origin);
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0)
    throw new FormatError(`the checkpoint size ${checkpoint.size} is not a whole number ≥ 0`);
  if (checkpoint.rootHash.length !== HASH_SIZE)
    throw new FormatError(`the checkpoint root is ${checkpoint.rootHash.length} bytes, a SHA-256 hash is ${HASH_SIZE}`);
  const extensions = checkpoint.extensions ?? [];
  for (const line of extensions)
    if (line === '' || line.includes('\n')) throw new FormatError('a checkpoint extension is one non-empty line');
  return [checkpoint.origin, String(checkpoint.size), toBase64(checkpoint.rootHash), ...extensions].map((line) => `${line}\n`).join('');
}

/**
 * The checkpoint a body text states. Throws a `FormatError` naming the line that is wrong: the origin (empty,
 * or holding white space or a `+`), the size (decimal digits without leading zeros) or the root (base64 of
 * 32 bytes).
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new FormatError('a checkpoint ends with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new FormatError('a checkpoint has an origin, a size and a root hash line');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  assertOrigin(origin);
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText))
    throw new FormatError(`the checkpoint size ${JSON.stringify(sizeText)} is not a decimal number without leading zeros`);
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new FormatError(`the checkpoint size ${sizeText} is larger than this verifier can count`);
  const rootHash = fromBase64(rootText);
  if (rootHash?.length !== HASH_SIZE)
    throw new FormatError(`the checkpoint root ${JSON.stringify(rootText)} is not base64 of a 32-byte hash`);
  if (extensions.includes('')) throw new FormatError('a checkpoint has no empty lines');
  return { origin, size, rootHash, extensions };
}

function assertOrigin(origin: string): void {
  if (origin === '' || /[\s+]/u.test(origin))
    throw new FormatError(`the checkpoint origin ${JSON.stringify(origin)} is empty or holds white space or a +`);
}
