import { stringify } from 'csv-stringify/sync';

/**
 * The one CSV writer of every export Attest hands out (the audit-log export, the user list): RFC 4180 text
 * via csv-stringify, every cell neutralized against formula injection on the way out, so no export can
 * forget it.
 *
 * @example
 * writeCsvRows([['email', 'name'], ['ann@example.com', '=1+1']]);
 * // "email,name\nann@example.com,'=1+1\n"
 */

// A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV Injection"); a leading
// single quote makes it text. Tab and carriage return are included because some spreadsheets strip them and
// then evaluate what follows. As character codes: every cell of every exported row is checked, and a switch
// on the first code is a fraction of a regular expression's cost.
const EQUALS = 0x3d;
const PLUS = 0x2b;
const MINUS = 0x2d;
const AT = 0x40;
const TAB = 0x09;
const CARRIAGE_RETURN = 0x0d;

/** A cell value safe to open in a spreadsheet: text that would start a formula gets a leading `'`. */
export function neutralizeFormula(value: string): string {
  switch (value.charCodeAt(0)) {
    case EQUALS:
    case PLUS:
    case MINUS:
    case AT:
    case TAB:
    case CARRIAGE_RETURN:
      return `'${value}`;
    default:
      return value;
  }
}

/** How a CSV text starts. */
export interface CsvWriteOptions {
  /** Start with a UTF-8 byte order mark, so spreadsheets read non-ASCII names right (the first chunk only). */
  bom?: boolean;
}

/** Rows of text cells as CSV lines, each ending in a newline, every cell neutralized by {@link neutralizeFormula}. */
export function writeCsvRows(rows: readonly (readonly string[])[], options: CsvWriteOptions = {}): string {
  return stringify(
    rows.map((row) => row.map(neutralizeFormula)),
    { bom: options.bom ?? false, eof: true },
  );
}
