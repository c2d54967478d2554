const NEWLINE = 0x0a;

/**
 * The lines of a stream of bytes, without their newlines, a batch for each piece read, each line given to `take`
 * as its range of the bytes; a last line without a newline is a line too. Lines are cut from the bytes (a newline
 * byte never falls inside a UTF-8 sequence), so a caller decodes or hashes each line on its own. `beforeCut`, when
 * given, sees the bytes of each batch's complete lines first (and the last line's), to check them in one go.
 *
 * @example
 * for await (const batch of lineBatches(pieces, (bytes, start, end) => bytes.toString('utf8', start, end))) …
 */
export async function* lineBatches<T>(
  pieces: AsyncIterable<Buffer>,
  take: (bytes: Buffer, start: number, end: number) => T,
  beforeCut?: (lines: Buffer) => void,
): AsyncGenerator<T[]> {
  let rest: Buffer | undefined;
  for await (const piece of pieces) {
    const bytes = rest === undefined ? piece : Buffer.concat([rest, piece]);
    const last = bytes.lastIndexOf(NEWLINE);
    if (last >= 0) beforeCut?.(bytes.subarray(0, last));
    const batch: T[] = [];
    let start = 0;
    for (let end = last < 0 ? -1 : bytes.indexOf(NEWLINE); end >= 0; end = bytes.indexOf(NEWLINE, start)) {
      batch.push(take(bytes, start, end));
      start = end + 1;
    }
    // Copied: the piece's memory is not ours to keep.
    rest = start < bytes.length ? Buffer.from(bytes.subarray(start)) : undefined;
    if (batch.length > 0) yield batch;
  }
  if (rest !== undefined) {
    beforeCut?.(rest);
    yield [take(rest, 0, rest.length)];
  }
}
