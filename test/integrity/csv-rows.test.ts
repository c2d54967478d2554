import { describe, expect, it } from 'vitest';
import { cellSays, csvHeaderProblem, csvRowProblem, type CsvRecord } from '../../src/integrity/bundle-csv.js';
import { csvRowsOfLines } from '../../src/integrity/csv-rows.js';
import { FormatError } from '../../src/integrity/integrity-errors.js';
import { PURE_HEADER, pureCsvRow, pureRecord, zonedCell } from './support/pure-bundle.js';

/**
 * The verifier's CSV reader and row check, case by case: quoting, line and batch edges, byte order mark and
 * carriage returns, every way a row or header can differ from the records, and where an unreadable CSV stops.
 */
async function* batchesOf(lines: readonly string[], size: number): AsyncGenerator<string[]> {
  for (let i = 0; i < lines.length; i += size) yield lines.slice(i, i + size);
}

async function rows(lines: readonly string[], size = 2): Promise<string[][][]> {
  const batches: string[][][] = [];
  for await (const batch of csvRowsOfLines(batchesOf(lines, size))) batches.push(batch);
  return batches;
}

describe('csvRowsOfLines', () => {
  it('reads plain and quoted cells, rows spanning lines and batches, a BOM and CRLF', async () => {
    const lines = ['\ufeffa,b,c\r', '"x, y","say ""hi""",', '"two', 'lines",\ufeffz,"', '"', 'plain'];
    expect((await rows(lines, 2)).flat()).toEqual([['a', 'b', 'c'], ['x, y', 'say "hi"', ''], ['two\nlines', '\ufeffz', '\n'], ['plain']]);
    expect(await rows(lines, 1)).toEqual([[['a', 'b', 'c']], [['x, y', 'say "hi"', '']], [['two\nlines', '\ufeffz', '\n']], [['plain']]]);
    expect(await rows(['a', 'b', 'c'], 2)).toEqual([[['a'], ['b']], [['c']]]);
    expect((await rows(['"a"'])).flat()).toEqual([['a']]);
    expect((await rows(['""'])).flat()).toEqual([['']]);
    expect((await rows(['"",""'])).flat()).toEqual([['', '']]);
    expect((await rows(['x,"a""",y'])).flat()).toEqual([['x', 'a"', 'y']]);
    expect((await rows(['"a\r', 'b"'])).flat()).toEqual([['a\nb']]);
    expect((await rows([''])).flat()).toEqual([['']]);
    expect((await rows([',"a",'])).flat()).toEqual([['', 'a', '']]);
    expect(await rows([])).toEqual([]);
  });

  it('drops a BOM only at the very start', async () => {
    expect((await rows(['\ufeff"a"', '\ufeffb'])).flat()).toEqual([['a'], ['\ufeffb']]);
  });

  it('refuses a stray quote or a quoted cell left open, after handing out the rows before it', async () => {
    const failing = async (lines: string[], size: number, message: string) => {
      const seen: string[][] = [];
      let error: unknown;
      try {
        for await (const batch of csvRowsOfLines(batchesOf(lines, size))) seen.push(...batch);
      } catch (thrown) {
        error = thrown;
      }
      expect(error, lines.join('|')).toBeInstanceOf(FormatError);
      expect((error as Error).message).toBe(message);
      return seen;
    };
    expect(await failing(['a', 'b', 'c"d'], 3, 'a quote in the middle of an unquoted CSV cell')).toEqual([['a'], ['b']]);
    expect(await failing(['a', 'b', 'x,c"d'], 3, 'a quote in the middle of an unquoted CSV cell')).toEqual([['a'], ['b']]);
    expect(await failing(['c"d'], 3, 'a quote in the middle of an unquoted CSV cell')).toEqual([]);
    expect(await failing(['a', '"b"c'], 2, 'a quoted CSV cell is followed by something other than a comma')).toEqual([['a']]);
    expect(await failing(['a', '"open', 'still'], 2, 'the CSV ends inside a quoted cell')).toEqual([['a']]);
  });
});

describe('csvHeaderProblem and csvRowProblem', () => {
  const record = pureRecord(4) as CsvRecord;
  const row = pureCsvRow(pureRecord(4));

  it('a header with the export\u2019s titles, any zone named, passes; each column is checked', () => {
    expect(csvHeaderProblem(PURE_HEADER)).toBeUndefined();
    expect(csvHeaderProblem(PURE_HEADER.with(1, 'Date and time (UTC)'))).toBeUndefined();
    expect(csvHeaderProblem(PURE_HEADER.slice(1))).toBe('the header has 13 columns, the export has 14');
    expect(csvHeaderProblem([...PURE_HEADER, 'x'])).toBe('the header has 15 columns, the export has 14');
    for (const [i, title] of PURE_HEADER.entries())
      expect(csvHeaderProblem(PURE_HEADER.with(i, `${title}!`)), title).toBe(
        `column ${i + 1} is titled ${JSON.stringify(`${title}!`)}, not ${JSON.stringify(i === 1 ? 'Date and time' : title)}`,
      );
    for (const title of ['Date and time ()', 'Date and time', 'x Date and time (UTC)', 'Date and time (UTC) x'])
      expect(csvHeaderProblem(PURE_HEADER.with(1, title)), title).toBeDefined();
  });

  it('a row that says what the record says passes; each cell is checked', () => {
    expect(csvRowProblem(row, record)).toBeUndefined();
    expect(csvRowProblem(row.slice(1), record)).toBe('the row has 13 cells, the export has 14');
    expect(csvRowProblem([...row, ''], record)).toBe('the row has 15 cells, the export has 14');
    for (const [i, title] of PURE_HEADER.entries()) {
      if (i === 1) continue;
      const problem = csvRowProblem(row.with(i, 'other'), record);
      expect(problem, title).toMatch(
        new RegExp(`^its ${i === 6 ? 'Security action' : title.replace(/[()]/g, '\\$&')} is "other", the record says `),
      );
    }
  });

  it('the security column says Yes only for true, and the text columns show what is not a string', () => {
    const odd = {
      ...record,
      securityAction: 'true',
      logId: 42,
      product: { a: 1 },
      traceId: null,
      entity: null,
      actor: undefined,
    } as CsvRecord;
    const expected = [...row];
    expected[0] = '42';
    expected[6] = 'No';
    expected[7] = expected[8] = expected[9] = '';
    expected[10] = '{"a":1}';
    expected[11] = expected[12] = expected[13] = '';
    expect(csvRowProblem(expected, odd)).toBeUndefined();
    expect(csvRowProblem(expected.with(6, 'Yes'), odd)).toMatch(/Security action is "Yes", the record says "No"/);
    expect(csvRowProblem(row.with(6, row[6] === 'Yes' ? 'No' : 'Yes'), record)).toMatch(/Security action/);
  });

  it('the date and time is the record\u2019s instant at any offset, and nothing else', () => {
    const at = record.occurredAt as string;
    for (const offset of [0, 60, -150, 330, -720, 840])
      expect(csvRowProblem(row.with(1, zonedCell(at, offset)), record), `${offset}`).toBeUndefined();
    const wrong = [
      zonedCell(new Date(Date.parse(at) + 1).toISOString(), 0),
      zonedCell(at, 60).replace('+01:00', '+02:00'),
      zonedCell(at, 0).replace(' +00:00', 'Z'),
      zonedCell(at, 0).replace(' ', 'T'),
      `${zonedCell(at, 0)} `,
      ` ${zonedCell(at, 0)}`,
      zonedCell(at, 0).replace(/\.\d{3}/, ''),
      zonedCell(at, 0).replace('+00:00', '+0000'),
      '2026-13-45 99:00:00.000 +00:00',
      '',
    ];
    for (const cell of wrong)
      expect(csvRowProblem(row.with(1, cell), record), cell).toBe(
        `its date and time ${JSON.stringify(cell)} is not the record's ${JSON.stringify(at)}`,
      );
    const cell = zonedCell(at, 0);
    expect(csvRowProblem(row.with(1, cell), { ...record, occurredAt: Date.parse(at) })).toBe(
      `its date and time ${JSON.stringify(cell)} is not the record's ${Date.parse(at)}`,
    );
    expect(csvRowProblem(row.with(1, cell), { ...record, occurredAt: 'not a date' })).toMatch(/is not the record's "not a date"/);
    // An array holding the instant reads as it, for Date.parse; the record's member must be a string.
    expect(csvRowProblem(row.with(1, zonedCell(at, 60)), { ...record, occurredAt: [at] })).toMatch(/is not the record's \["/);
  });

  it('a formula-like value takes exactly one leading quote', () => {
    for (const first of ['=', '+', '-', '@', '\t', '\r']) {
      const value = `${first}1`;
      expect(cellSays(`'${value}`, value), JSON.stringify(value)).toBe(true);
      expect(cellSays(value, value)).toBe(true);
      expect(cellSays(`''${value}`, value)).toBe(false);
      expect(cellSays(`"${value}`, value)).toBe(false);
      expect(cellSays(`'${value}x`, value)).toBe(false);
      expect(cellSays(`'x${value.slice(1)}`, value)).toBe(false);
    }
    for (const value of ['1', 'a=b', ' =1', '#1', '', "'"]) expect(cellSays(`'${value}`, value), JSON.stringify(value)).toBe(false);
  });
});
