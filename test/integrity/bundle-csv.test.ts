import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { neutralizeFormula, writeCsvRows } from '../../src/core/csv-writer.js';
import { csvHeader, csvRow, zonedTimeFormatter } from '../../src/features/audit-logs/export/audit-log-csv-columns.js';
import { cellSays, csvHeaderProblem, csvRowProblem } from '../../src/integrity/bundle-csv.js';
import { csvRowsOfLines } from '../../src/integrity/csv-rows.js';
import { IntegrityError } from '../../src/integrity/integrity-errors.js';
import type { AuditEventRecord } from '../../src/events/audit-event.js';
import { variedEvent } from '../support/audit-fixtures.js';
import { seededRandom } from '../support/seeded-random.js';

/**
 * The bundle verifier reads the export's CSV on its own (the integrity library imports nothing of the
 * server): held here to the export's writer, so the two cannot drift apart, and its CSV reader to csv-parse.
 */
async function rowsOf(text: string): Promise<string[][]> {
  async function* lines() {
    const parts = text.split('\n');
    if (parts.at(-1) === '') parts.pop();
    // Batches of three lines: rows that span lines span batches too.
    for (let i = 0; i < parts.length; i += 3) yield parts.slice(i, i + 3);
  }
  const rows: string[][] = [];
  for await (const batch of csvRowsOfLines(lines())) rows.push(...batch);
  return rows;
}

function records(count: number): AuditEventRecord[] {
  const random = seededRandom(5).next;
  return Array.from({ length: count }, (_, i) => {
    const event = variedEvent('0190a0a0-0000-7000-8000-000000000001', Date.UTC(2026, 2, 8, 6, 0, 0) + i * 61_001, i, random);
    return {
      ...event,
      seq: i,
      occurredAt: new Date(event.occurredAtMs).toISOString(),
      securityAction: event.securityAction,
    } as unknown as AuditEventRecord;
  });
}

describe("the verifier's reading of the export CSV", () => {
  it("agrees with the export's own header and rows, formula cells, quotes and newlines included, across a DST change", async () => {
    const zone = 'America/New_York';
    const events = records(400);
    const text = writeCsvRows([csvHeader(zone)], { bom: true }) + writeCsvRows(events.map((e) => csvRow(e, zonedTimeFormatter(zone))));
    const rows = await rowsOf(text);
    expect(rows).toEqual(parse(text, { bom: true }));
    expect(csvHeaderProblem(rows[0]!)).toBeUndefined();
    events.forEach((event, i) => expect(csvRowProblem(rows[i + 1]!, event as never), `row ${i + 1}`).toBeUndefined());
    expect(rows.some((row) => row.some((cell) => cell.includes('\n')))).toBe(true);
    expect(rows.some((row) => row.some((cell) => cell.startsWith("'")))).toBe(true);
  });

  it('accepts a leading quote exactly where the writer puts one', () => {
    for (let code = 0; code < 128; code++) {
      const value = `${String.fromCharCode(code)}x`;
      expect(cellSays(neutralizeFormula(value), value), JSON.stringify(value)).toBe(true);
      expect(cellSays(`'${value}`, value), JSON.stringify(value)).toBe(neutralizeFormula(value) !== value);
    }
  });

  it('refuses a cell changed, a row cut short, a header renamed', async () => {
    const [event] = records(1);
    const row = csvRow(event!, zonedTimeFormatter('UTC'));
    expect(csvRowProblem([...row.slice(0, 5), 'other', ...row.slice(6)], event as never)).toMatch(/Description/);
    expect(csvRowProblem(row.slice(0, 13), event as never)).toMatch(/13 cells/);
    expect(csvHeaderProblem(['Log', ...csvHeader('UTC').slice(1)])).toMatch(/column 1/);
    await expect(rowsOf('a,"b\n')).rejects.toBeInstanceOf(IntegrityError);
    await expect(rowsOf('a,b"c"\n')).rejects.toBeInstanceOf(IntegrityError);
  });
});
