import { IANAZone } from 'luxon';
import type { AuditEventRecord } from '../../../events/audit-event.js';

/**
 * The columns of the audit-log CSV export, shared by `GET /audit-logs/export` and `attest export`, and how one
 * event becomes one row.
 *
 * @example
 * const header = csvHeader('Europe/Paris'); // ['Log ID', 'Date and time (Europe/Paris)', 'Timestamp (UTC, ISO 8601)', …]
 * const row = csvRow(event, zonedTimeFormatter('Europe/Paris'));
 */

/**
 * Column titles, in order. The second names the organization's zone; the third, the same instant as the API
 * gives it, says what it is by its form, so that for an organization in UTC the two never share a title.
 */
export function csvHeader(timeZone: string): string[] {
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

/** Formats instants as wall time in one zone, e.g. `2026-03-08 01:59:59.999 -05:00`. */
export type ZonedTimeFormatter = (occurredAt: string) => string;

const QUARTER_HOUR_MS = 15 * 60_000;

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * A formatter of instants as wall time in `timeZone`, with the offset so DST overlaps stay distinct. Luxon
 * (IANA tz data) decides the offset; it is cached per UTC quarter hour, because zone offsets are whole quarter
 * hours and so every transition of the retention window falls on one.
 *
 * An export formats rows in time order, so most rows fall in the same UTC minute as the row before. Within a
 * minute the offset cannot change and, being whole minutes, leaves seconds and milliseconds as they are in
 * UTC: the local date, hour and minute of the last minute are kept, and such a row costs two string slices
 * instead of a time-zone conversion.
 */
export function zonedTimeFormatter(timeZone: string): ZonedTimeFormatter {
  const zone = IANAZone.create(timeZone);
  if (!zone.isValid) throw new Error(`unknown time zone ${timeZone}`);
  const offsets = new Map<number, number>();
  const offsetAt = (ms: number): number => {
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    let offset = offsets.get(quarter);
    if (offset === undefined) {
      offset = zone.offset(ms);
      if (offsets.size > 50_000) offsets.clear();
      offsets.set(quarter, offset);
    }
    return offset;
  };
  let lastMinute = '';
  let minutePrefix = '';
  let offsetSuffix = '';
  return (occurredAt) => {
    // `YYYY-MM-DDTHH:MM` of an ISO instant as `Date#toISOString` writes it (24 characters, UTC).
    const minute = occurredAt.length === 24 ? occurredAt.slice(0, 16) : undefined;
    if (minute !== undefined && minute === lastMinute) return `${minutePrefix}${occurredAt.slice(16, 23)}${offsetSuffix}`;
    const ms = Date.parse(occurredAt);
    const offset = offsetAt(ms);
    const local = new Date(ms + offset * 60_000).toISOString();
    const date = local.slice(0, 10);
    const offsetText = formatOffset(offset);
    if (minute !== undefined && Number.isInteger(offset)) {
      lastMinute = minute;
      minutePrefix = `${date} ${local.slice(11, 16)}`;
      offsetSuffix = ` ${offsetText}`;
    }
    return `${date} ${local.slice(11, 23)} ${offsetText}`;
  };
}

/** One event as one CSV row; the CSV writer (`core/csv-writer.ts`) neutralizes every cell against formula injection. */
export function csvRow(event: AuditEventRecord, zonedTime: ZonedTimeFormatter): string[] {
  return [
    event.logId,
    zonedTime(event.occurredAt),
    event.occurredAt,
    event.action,
    event.activity,
    event.description,
    event.securityAction ? 'Yes' : 'No',
    event.entity.name ?? '',
    event.entity.type,
    event.entity.id,
    event.product,
    event.actor.name ?? '',
    event.actor.email ?? '',
    event.traceId,
  ];
}
