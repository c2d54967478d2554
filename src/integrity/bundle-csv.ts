/**
 * Whether a bundle's `events.csv` says the same as its records: the verifier's reading of the export's CSV
 * columns (`features/audit-logs/export/audit-log-csv-columns.ts` writes them; a test holds the two together).
 * The CSV is what a person reads, the records are what the checkpoint proves, so a CSV edited on its own must
 * not pass.
 *
 * @example
 * csvHeaderProblem(header); // undefined, or what is wrong with it
 * csvRowProblem(row, record); // undefined, or the first cell that differs
 */

/** The record members the CSV shows, as a verifier reads them from a parsed record of unknown shape. */
const COLUMNS: ReadonlyArray<readonly [title: string, cell: (record: CsvRecord) => string]> = [
  ['Log ID', (r) => text(r.logId)],
  // Checked apart: the organization's wall time, whose instant must be the record's (see zonedTimeProblem).
  ['Date and time', () => ''],
  ['Timestamp (UTC, ISO 8601)', (r) => text(r.occurredAt)],
  ['Action type', (r) => text(r.action)],
  ['Activity', (r) => text(r.activity)],
  ['Description', (r) => text(r.description)],
  ['Security action', (r) => (r.securityAction === true ? 'Yes' : 'No')],
  ['Entity name', (r) => text(r.entity?.name)],
  ['Entity type', (r) => text(r.entity?.type)],
  ['Entity ID', (r) => text(r.entity?.id)],
  ['Product', (r) => text(r.product)],
  ['Performed by name', (r) => text(r.actor?.name)],
  ['Performed by email', (r) => text(r.actor?.email)],
  ['Trace ID', (r) => text(r.traceId)],
];
const ZONED_COLUMN = 1;

/** A parsed record as the CSV check reads it; nothing is assumed about its members' types. */
export interface CsvRecord {
  readonly logId?: unknown;
  readonly occurredAt?: unknown;
  readonly action?: unknown;
  readonly activity?: unknown;
  readonly description?: unknown;
  readonly securityAction?: unknown;
  readonly product?: unknown;
  readonly traceId?: unknown;
  readonly entity?: { readonly id?: unknown; readonly name?: unknown; readonly type?: unknown } | null;
  readonly actor?: { readonly name?: unknown; readonly email?: unknown } | null;
}

/** What is wrong with the CSV's header row, or `undefined` when it has the export's columns. */
export function csvHeaderProblem(header: readonly string[]): string | undefined {
  if (header.length !== COLUMNS.length) return `the header has ${header.length} columns, the export has ${COLUMNS.length}`;
  for (const [i, [title]] of COLUMNS.entries()) {
    const ok = i === ZONED_COLUMN ? /^Date and time \(.+\)$/.test(header[i]!) : header[i] === title;
    if (!ok) return `column ${i + 1} is titled ${JSON.stringify(header[i])}, not ${JSON.stringify(title)}`;
  }
  return undefined;
}

/** The first cell of `row` that does not say what the record says, in words; `undefined` when all agree. */
export function csvRowProblem(row: readonly string[], record: CsvRecord): string | undefined {
  if (row.length !== COLUMNS.length) return `the row has ${row.length} cells, the export has ${COLUMNS.length}`;
  for (const [i, [title, cell]] of COLUMNS.entries()) {
    if (i === ZONED_COLUMN) {
      const problem = zonedTimeProblem(row[i]!, record.occurredAt);
      if (problem) return problem;
      continue;
    }
    const expected = cell(record);
    if (!cellSays(row[i]!, expected)) return `its ${title} is ${JSON.stringify(row[i])}, the record says ${JSON.stringify(expected)}`;
  }
  return undefined;
}

/**
 * Whether a cell holds `value` as the export writes it: a text a spreadsheet would take for a formula gets a
 * leading `'` (`core/csv-writer.ts`, OWASP "CSV Injection"): `=`, `+`, `-`, `@`, tab or carriage return first.
 */
export function cellSays(cell: string, value: string): boolean {
  return (
    cell === value || (cell.length === value.length + 1 && cell.charCodeAt(0) === 0x27 && startsFormula(value) && cell.endsWith(value))
  );
}

function startsFormula(value: string): boolean {
  const first = value.charCodeAt(0);
  return first === 0x3d || first === 0x2b || first === 0x2d || first === 0x40 || first === 0x09 || first === 0x0d;
}

/** `yyyy-MM-dd HH:mm:ss.SSS ±HH:MM` must be the record's instant; which zone's offset it shows is not checked. */
function zonedTimeProblem(cell: string, occurredAt: unknown): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}\.\d{3}) ([+-]\d{2}:\d{2})$/.exec(cell);
  const instant = match ? Date.parse(`${match[1]}T${match[2]}${match[3]}`) : Number.NaN;
  if (typeof occurredAt !== 'string' || Number.isNaN(instant) || instant !== Date.parse(occurredAt))
    return `its date and time ${JSON.stringify(cell)} is not the record's ${JSON.stringify(occurredAt)}`;
  return undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
}
