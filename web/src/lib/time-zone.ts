import { DateTime } from 'luxon';

/**
 * Calendar days and instants in an organization's time zone. A day is a `YYYY-MM-DD` string: it is what the
 * URL holds and what the date picker shows, and it only becomes an instant (UTC ISO) when a query is sent.
 *
 * @example
 * startOfDayUtc('2026-11-25', 'Pacific/Kiritimati'); // '2026-11-24T10:00:00.000Z'
 */

/** Today's date in `zone`. */
export function todayIn(zone: string, nowMs: number = Date.now()): string {
  return DateTime.fromMillis(nowMs, { zone }).toISODate() ?? '';
}

/** The day `days` after `day` (negative for before). */
export function addDays(day: string, days: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days }).toISODate() ?? day;
}

/** Whole days from `from` to `to`, both included (`2026-11-01`…`2026-11-30` is 30). */
export function daysInclusive(from: string, to: string): number {
  return Math.round(DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days) + 1;
}

/** True for a well-formed `YYYY-MM-DD` that names a real date. */
export function isDay(value: string | null | undefined): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value).isValid;
}

/** The instant `day` starts in `zone`, as UTC ISO-8601. */
export function startOfDayUtc(day: string, zone: string): string {
  return DateTime.fromISO(day, { zone }).startOf('day').toUTC().toISO() ?? '';
}

/** A calendar day as a local Date at midnight, the form the date picker works with. */
export function dayToPickerDate(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

/** The inverse of {@link dayToPickerDate}. */
export function pickerDateToDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export { formatDateTime } from './date-time-format.js';

/** `Nov 25, 2026` for a calendar day. */
export function formatDay(day: string): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).toLocaleString(DateTime.DATE_MED, { locale: 'en-US' });
}

/** `UTC+14:00`: the zone's current offset, shown next to times so nobody mistakes them for their own. */
export function zoneOffsetLabel(zone: string, nowMs: number = Date.now()): string {
  return `UTC${DateTime.fromMillis(nowMs, { zone }).toFormat('ZZ')}`;
}
