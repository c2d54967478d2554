import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';

const NEWLINE = 0x0a;

/** The bytes of a line are not UTF-8: what the record's text would decode to is not what was hashed. */
export class RecordNotUtf8Error extends Error {
  constructor(readonly line: number) {
    super(`line ${line} of records.jsonl is not UTF-8`);
  }
}

/**
 * The leaf hash (SHA-256 of 0x00 ‖ line) of each line of `records.jsonl`, taken straight from the inflated
 * bytes, as a binary (latin1) string of 32 characters, a batch for each piece read. Cut and hashed as
 * `bundle-zip-reader.ts` cuts lines (a last line without a newline is a line too), but without decoding a
 * million records into strings first: the verifier's other thread decodes and parses them. A line whose bytes
 * are not UTF-8 throws a {@link RecordNotUtf8Error}, so the bytes hashed here are exactly the UTF-8 of the
 * text that thread reads.
 *
 * @example
 * for await (const digests of recordLeafDigests(await zip.bytes('records.jsonl'))) sameDigest(digests[0], leaf);
 */
export async function* recordLeafDigests(pieces: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  // 0x00 ‖ line, written in place for each line: one-shot hashing of one buffer beats a streamed hash's two updates.
  let input = Buffer.alloc(64 * 1024);
  let rest: Buffer | undefined;
  let line = 0;
  const digest = (bytes: Buffer, start: number, end: number): string => {
    if (end - start + 1 > input.length) input = Buffer.alloc(2 * (end - start + 1));
    input[0] = 0x00;
    bytes.copy(input, 1, start, end);
    line += 1;
    return hash('sha256', input.subarray(0, end - start + 1), 'binary');
  };
  for await (const piece of pieces) {
    const bytes = rest === undefined ? piece : Buffer.concat([rest, piece]);
    const last = bytes.lastIndexOf(NEWLINE);
    // A newline byte never falls inside a UTF-8 sequence, so the lines up to the last one are checked in one go.
    if (last >= 0 && !isUtf8(bytes.subarray(0, last))) throw new RecordNotUtf8Error(line + 1);
    const digests: string[] = [];
    let start = 0;
    for (let end = last < 0 ? -1 : bytes.indexOf(NEWLINE); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
      digests.push(digest(bytes, start, end));
      start = end + 1;
    }
    // Copied: the piece's memory is not ours to keep.
    rest = start < bytes.length ? Buffer.from(bytes.subarray(start)) : undefined;
    if (digests.length > 0) yield digests;
  }
  if (rest !== undefined) {
    if (!isUtf8(rest)) throw new RecordNotUtf8Error(line + 1);
    yield [digest(rest, 0, rest.length)];
  }
}

/** Whether a binary-string digest of {@link recordLeafDigests} is the hash `bytes`. */
export function sameDigest(digest: string, bytes: Uint8Array): boolean {
  if (digest.length !== bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (digest.charCodeAt(i) !== bytes[i]) return false;
  return true;
}
