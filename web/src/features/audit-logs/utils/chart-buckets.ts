import { DateTime } from 'luxon';
import { addDays, daysInclusive, startOfDayUtc } from '../../../lib/time-zone.js';

/** One bar of the chart: an hour or a day of the organization's zone. */
export interface ChartBucket {
  /** The day (`YYYY-MM-DD`, organization zone) the bar belongs to: what a drag across it selects. */
  day: string;
  /** What the bar stands for, e.g. `Nov 25` or `Nov 25, 14:00`. */
  label: string;
  events: number;
  securityEvents: number;
}

/** The bars of a range, and whether each is an hour or a day. */
export interface ChartBuckets {
  unit: 'hour' | 'day';
  buckets: ChartBucket[];
}

/** Ranges of at most this many days are drawn per hour; longer ones per day. */
export const HOURLY_UP_TO_DAYS = 2;

/**
 * Turns the API's counts per UTC hour into the chart's bars for the days `from`…`to` of `zone`: one per hour
 * for short ranges, else one per day, every hour or day of the range present (empty ones too, so the time
 * axis is even). An hour belongs to the day its start falls in; in the few zones whose offset is not a whole
 * number of hours the day's edges are thus off by that part of an hour, as the counts are kept per UTC hour.
 */
export function chartBuckets(
  hours: readonly { start: string; events: number; securityEvents: number }[],
  from: string,
  to: string,
  zone: string,
): ChartBuckets {
  const dayOf = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate() ?? '';
  if (daysInclusive(from, to) <= HOURLY_UP_TO_DAYS) {
    const counts = new Map(hours.map((h) => [Date.parse(h.start), h]));
    const buckets: ChartBucket[] = [];
    const end = Date.parse(startOfDayUtc(addDays(to, 1), zone));
    // Whole UTC hours from the first day's start (a zone's day starts on a UTC hour in all but a few zones).
    for (let ms = Math.floor(Date.parse(startOfDayUtc(from, zone)) / 3_600_000) * 3_600_000; ms < end; ms += 3_600_000) {
      const count = counts.get(ms);
      const local = DateTime.fromMillis(ms, { zone });
      buckets.push({
        day: dayOf(ms),
        label: local.toFormat('LLL d, HH:mm'),
        events: count?.events ?? 0,
        securityEvents: count?.securityEvents ?? 0,
      });
    }
    return { unit: 'hour', buckets };
  }
  const byDay = new Map<string, ChartBucket>();
  for (let day = from; day <= to; day = addDays(day, 1)) {
    byDay.set(day, { day, label: DateTime.fromISO(day, { zone: 'UTC' }).toFormat('LLL d'), events: 0, securityEvents: 0 });
  }
  for (const hour of hours) {
    const bucket = byDay.get(dayOf(Date.parse(hour.start)));
    if (!bucket) continue;
    bucket.events += hour.events;
    bucket.securityEvents += hour.securityEvents;
  }
  return { unit: 'day', buckets: [...byDay.values()] };
}
