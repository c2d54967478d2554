import { CsvError, parse } from 'csv-parse/sync';
import type { UserType } from '../../store/database-schema.js';

/** How a bulk file is applied: `add` creates members; `append` adds to their access; `overwrite` replaces it. */
export type BulkMode = 'add' | 'append' | 'overwrite';

/** The most data rows one file may hold (issue 3). */
export const MAX_BULK_ROWS = 10_000;

/** One data row of a bulk file, with the line it ends on (RFC 4180 lines, the header is line 1). */
export interface BulkRow {
  line: number;
  email: string;
  name: string;
  userType: UserType;
  permissionSets: string[];
  customPermissions: string[];
  entities: string[];
}

/** Why one line of a bulk file was rejected. */
export interface BulkRowError {
  line: number;
  field: string;
  reason: string;
}

const LIST_COLUMNS = ['permissionSets', 'customPermissions', 'entities'] as const;
const COLUMNS: Record<BulkMode, { required: string[]; allowed: string[] }> = {
  add: { required: ['email', 'name'], allowed: ['email', 'name', 'userType', ...LIST_COLUMNS] },
  append: { required: ['email'], allowed: ['email', ...LIST_COLUMNS] },
  overwrite: { required: ['email'], allowed: ['email', ...LIST_COLUMNS] },
};
const USER_TYPES: readonly string[] = ['owner', 'admin', 'standard'];
// Deliberately loose (something@something.tld): the address is confirmed when the user signs in.
const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;

type ParsedRecord = { record: string[]; info: { lines: number } };

/** A parsed bulk file: its rows, every problem found, and the columns its header names. */
export interface ParsedBulkFile {
  rows: BulkRow[];
  errors: BulkRowError[];
  columns: string[];
}

/** A list cell: names separated by `;`, blanks dropped. */
function listCell(value: string | undefined): string[] {
  return (value ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Parses and checks a bulk users file (csv-parse, RFC 4180; a UTF-8 BOM is ignored). Header names are the
 * columns of the mode: `email,name,userType,permissionSets,customPermissions,entities` to add (name required),
 * `email,permissionSets,customPermissions,entities` to update. List cells hold names separated by `;`.
 * Every problem is reported with its line; the caller applies nothing when there is any.
 */
export function parseBulkUserCsv(text: string, mode: BulkMode): ParsedBulkFile {
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    if (error instanceof CsvError)
      return {
        rows: [],
        columns: [],
        errors: [{ line: Number((error as CsvError & { lines?: number }).lines ?? 1), field: 'file', reason: error.message }],
      };
    throw error;
  }
  const [header, ...data] = records;
  if (!header)
    return { rows: [], columns: [], errors: [{ line: 1, field: 'file', reason: 'is empty; the first line must name the columns' }] };
  const errors: BulkRowError[] = [];
  const columns = header.record.map((c) => c.trim());
  const spec = COLUMNS[mode];
  columns.forEach((c) => {
    if (!spec.allowed.includes(c))
      errors.push({ line: 1, field: c || '(blank)', reason: `is not a column of ${mode} mode; expected ${spec.allowed.join(', ')}` });
  });
  for (const c of spec.required) if (!columns.includes(c)) errors.push({ line: 1, field: c, reason: 'column is required' });
  if (data.length === 0) errors.push({ line: 1, field: 'file', reason: 'has no data rows' });
  if (data.length > MAX_BULK_ROWS)
    errors.push({
      line: (data[MAX_BULK_ROWS] as ParsedRecord).info.lines,
      field: 'file',
      reason: `has ${data.length} rows; at most ${MAX_BULK_ROWS} are allowed`,
    });
  if (errors.length > 0) return { rows: [], columns, errors };

  const rows: BulkRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { record, info } of data) {
    const line = info.lines;
    const cell = (name: string) => {
      const i = columns.indexOf(name);
      return i < 0 ? undefined : record[i];
    };
    if (record.length > columns.length)
      errors.push({ line, field: 'row', reason: `has ${record.length} values but the header names ${columns.length} columns` });
    const email = (cell('email') ?? '').toLowerCase();
    if (!EMAIL.test(email)) errors.push({ line, field: 'email', reason: email ? `"${email}" is not an email address` : 'is required' });
    const seen = firstLineOf.get(email);
    if (email && seen !== undefined) errors.push({ line, field: 'email', reason: `appears already on line ${seen}` });
    else if (email) firstLineOf.set(email, line);
    const name = cell('name') ?? '';
    if (mode === 'add' && !name) errors.push({ line, field: 'name', reason: 'is required' });
    const userType = cell('userType') || 'standard';
    if (!USER_TYPES.includes(userType))
      errors.push({ line, field: 'userType', reason: `"${userType}" is not one of owner, admin, standard` });
    rows.push({
      line,
      email,
      name,
      userType: userType as UserType,
      permissionSets: listCell(cell('permissionSets')),
      customPermissions: listCell(cell('customPermissions')),
      entities: listCell(cell('entities')),
    });
  }
  return { rows, columns, errors };
}
