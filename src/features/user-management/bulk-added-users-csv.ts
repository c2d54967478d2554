import { stringify } from 'csv-stringify/sync';
import type { BulkAddedUser } from './bulk-user-commands.js';

/** The header of the CSV a bulk addition answers with when asked for `text/csv`. */
export const BULK_ADDED_COLUMNS = ['email', 'status', 'welcomeUrl', 'welcomeLinkExpiresAt'] as const;

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV Injection"); an email such as
// `=cmd@x.example` passes the bulk file's loose email check, so it gets a leading `'` like the audit export's cells.
const FORMULA_START = /^[=+\-@\t\r]/;

/** A bulk addition's result as RFC 4180 CSV: one line per added user with their welcome link, shown once. */
export function bulkAddedUsersCsv(added: readonly BulkAddedUser[]): string {
  const rows = added.map((a) => [a.email, a.status, a.welcomeLink.url, new Date(a.welcomeLink.expiresAt).toISOString()].map((cell) => (FORMULA_START.test(cell) ? `'${cell}` : cell)));
  return stringify([[...BULK_ADDED_COLUMNS], ...rows]);
}
