import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { lineBatches } from './line-batches.js';

/** The bytes of a line are not UTF-8: what the record's text would decode to is not what was hashed. */
export class RecordNotUtf8Error extends Error {
  constructor(readonly line: number) {
    super(`line ${line} of records.jsonl is not UTF-8`);
  }
}

/**
 * The leaf hash (SHA-256 of 0x00 ‖ line) of each line of `records.jsonl`, taken straight from the inflated
 * bytes, as a binary (latin1) string of 32 characters, a batch for each piece read. Cut as `bundle-zip-reader.ts`
 * cuts lines (`line-batches.ts`), but without decoding a million records into strings first: the verifier's other thread decodes and parses them. A line whose bytes
 * are not UTF-8 throws a {@link RecordNotUtf8Error}, so the bytes hashed here are exactly the UTF-8 of the
 * text that thread reads.
 *
 * @example
 * for await (const digests of recordLeafDigests(await zip.bytes('records.jsonl'))) sameDigest(digests[0], leaf);
 */
export async function* recordLeafDigests(pieces: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  // 0x00 ‖ line, written in place for each line: one-shot hashing of one buffer beats a streamed hash's two updates.
  let input = Buffer.alloc(64 * 1024);
  let line = 0;
  const digest = (bytes: Buffer, start: number, end: number): string => {
    if (end - start + 1 > input.length) input = Buffer.alloc(2 * (end - start + 1));
    input[0] = 0x00;
    bytes.copy(input, 1, start, end);
    line += 1;
    return hash('sha256', input.subarray(0, end - start + 1), 'binary');
  };
  yield* lineBatches(pieces, digest, (lines) => {
    // Checked before any of them is hashed: `line` is the number of lines hashed so far.
    if (!isUtf8(lines)) throw new RecordNotUtf8Error(line + 1);
  });
}

/** Whether a binary-string digest of {@link recordLeafDigests} is the hash `bytes`. */
export function sameDigest(digest: string, bytes: Uint8Array): boolean {
  if (digest.length !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (digest.charCodeAt(i) !== bytes[i]) return false;
  return true;
}
