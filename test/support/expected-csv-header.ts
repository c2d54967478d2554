/**
 * The CSV export's header as PRODUCT.md gives it, written out here rather than taken from the export's code, so
 * that a test comparing the two catches a column renamed, moved or dropped there.
 */
export function expectedCsvHeader(timeZone: string): string[] {
  return [
    'Log ID',
    `Date and time (${timeZone})`,
    'Timestamp (UTC, ISO 8601)',
    'Action type',
    'Activity',
    'Description',
    'Security action',
    'Entity name',
    'Entity type',
    'Entity ID',
    'Product',
    'Performed by name',
    'Performed by email',
    'Trace ID',
  ];
}
