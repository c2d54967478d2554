import { writeCsvRows } from '../../core/csv-writer.js';
import type { BulkAddedUser } from './bulk-user-commands.js';

/** The header of the CSV a bulk addition answers with when asked for `text/csv`. */
export const BULK_ADDED_COLUMNS = ['email', 'status', 'welcomeUrl', 'welcomeLinkExpiresAt'] as const;

/**
 * A bulk addition's result as RFC 4180 CSV: one line per added user with their welcome link, shown once. It
 * goes through the one CSV writer, so an email such as `=cmd@x.example` (the bulk file's loose email check
 * lets it through) is neutralized like every cell of the other exports.
 */
export function bulkAddedUsersCsv(added: readonly BulkAddedUser[]): string {
  const rows = added.map((a) => [a.email, a.status, a.welcomeLink.url, new Date(a.welcomeLink.expiresAt).toISOString()]);
  return writeCsvRows([[...BULK_ADDED_COLUMNS], ...rows]);
}
