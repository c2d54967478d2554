// Intl only, no calendar library: the pages that only print instants (the Streams page) import this module
// alone, so their chunk does not bring luxon; `time-zone.ts` re-exports it for the Audit Logs page.

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `Nov 25, 2026, 14:03:07` in `zone` (24-hour clock, seconds shown because audit rows are often close together). */
export function formatDateTime(iso: string, zone: string): string {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(zone, formatter);
  }
  return formatter.format(new Date(iso));
}
