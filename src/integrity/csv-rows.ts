import { FormatError } from './integrity-errors.js';

/**
 * The rows of an RFC 4180 CSV text given as its lines (split on `\n`, without the newlines) in batches, a batch
 * of rows for each batch of lines: a quoted cell may hold commas, doubled quotes and newlines, so a row may span
 * several lines, and batches. A UTF-8 byte order mark at the start is dropped. Written for the bundle verifier,
 * which reads a million rows: a line without a quote, the common case, is one `split`. Throws a `FormatError`
 * for a quote in the middle of an unquoted cell or a quoted cell left open at the end, once the rows before it
 * have been handed out.
 *
 * @example
 * for await (const rows of csvRowsOfLines(lineBatches)) for (const row of rows) console.log(row[0]);
 */
export async function* csvRowsOfLines(lines: AsyncIterable<readonly string[]>): AsyncGenerator<string[][]> {
  let first = true;
  let pending: string | undefined;
  for await (const batch of lines) {
    const rows: string[][] = [];
    try {
      for (let line of batch) {
        if (first) {
          first = false;
          if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
        }
        if (line.endsWith('\r')) line = line.slice(0, -1);
        const text = pending === undefined ? line : `${pending}\n${line}`;
        if (!text.includes('"')) {
          pending = undefined;
          rows.push(text.split(','));
          continue;
        }
        const row = parseQuotedRow(text);
        if (row === undefined) pending = text;
        else {
          pending = undefined;
          rows.push(row);
        }
      }
    } catch (error) {
      if (rows.length > 0) yield rows;
      throw error;
    }
    if (rows.length > 0) yield rows;
  }
  if (pending !== undefined) throw new FormatError('the CSV ends inside a quoted cell');
}

/** The cells of a row holding quotes; `undefined` when a quoted cell is still open at the end (it goes on on the next line). */
function parseQuotedRow(text: string): string[] | undefined {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === 0x22) {
      let cell = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) return undefined;
        if (text.charCodeAt(quote + 1) === 0x22) {
          cell += text.slice(from, quote + 1);
          from = quote + 2;
          continue;
        }
        cell += text.slice(from, quote);
        i = quote + 1;
        break;
      }
      cells.push(cell);
      if (i === text.length) return cells;
      if (text.charCodeAt(i) !== 0x2c) throw new FormatError('a quoted CSV cell is followed by something other than a comma');
      i += 1;
    } else {
      const comma = text.indexOf(',', i);
      const cell = comma < 0 ? text.slice(i) : text.slice(i, comma);
      if (cell.includes('"')) throw new FormatError('a quote in the middle of an unquoted CSV cell');
      cells.push(cell);
      if (comma < 0) return cells;
      i = comma + 1;
    }
  }
}
