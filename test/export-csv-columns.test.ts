import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { neutralizeFormula } from '../src/core/csv-writer.js';
import { csvHeader, zonedTimeFormatter } from '../src/features/audit-logs/export/audit-log-csv-columns.js';
import { exportFileName } from '../src/features/audit-logs/export/audit-log-csv-stream.js';

/** The pure parts of the CSV columns: zoned time (checked against luxon directly) and formula neutralising. */

const ZONES = ['UTC', 'America/New_York', 'Europe/London', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns'];

/** Every offset change of a zone in [fromMs, toMs), found by bisection on luxon's offsets. */
function transitions(zone: IANAZone, fromMs: number, toMs: number): number[] {
  const found: number[] = [];
  const step = 6 * 3_600_000;
  for (let t = fromMs; t < toMs; t += step) {
    if (zone.offset(t) === zone.offset(t + step)) continue;
    let lo = t;
    let hi = t + step;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (zone.offset(mid) === zone.offset(t)) lo = mid;
      else hi = mid;
    }
    found.push(hi);
  }
  return found;
}

describe('zoned time column', () => {
  it('matches luxon for every instant around every DST transition of two years, in zones with odd offsets', () => {
    const from = Date.UTC(2025, 0, 1);
    const to = Date.UTC(2027, 0, 1);
    let checked = 0;
    for (const name of ZONES) {
      const format = zonedTimeFormatter(name);
      const zone = IANAZone.create(name);
      const instants = transitions(zone, from, to).flatMap((t) => [t - 3_600_001, t - 60_000, t - 1, t, t + 1, t + 59_999, t + 3_600_000]);
      if (!['UTC', 'Asia/Kathmandu'].includes(name)) expect(instants.length, name).toBeGreaterThan(0);
      for (let t = from; t < to; t += 7_777_777) instants.push(t);
      for (const ms of instants) {
        const iso = new Date(ms).toISOString();
        expect(format(iso), `${name} ${iso}`).toBe(DateTime.fromMillis(ms, { zone: name }).toFormat('yyyy-MM-dd HH:mm:ss.SSS ZZ'));
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('matches luxon for rows in time order, many to a minute, across a DST change', () => {
    // An export's order: consecutive rows mostly share a UTC minute, which the formatter reuses.
    const format = zonedTimeFormatter('America/New_York');
    const start = Date.UTC(2026, 2, 8, 6, 30);
    for (let ms = start; ms < start + 2 * 3_600_000; ms += 6_999) {
      const iso = new Date(ms).toISOString();
      expect(format(iso), iso).toBe(DateTime.fromMillis(ms, { zone: 'America/New_York' }).toFormat('yyyy-MM-dd HH:mm:ss.SSS ZZ'));
    }
  });

  it('refuses an unknown zone', () => {
    expect(() => zonedTimeFormatter('Mars/Olympus_Mons')).toThrow(/unknown time zone/);
  });
});

describe('formula neutralising', () => {
  it('prefixes a quote to cells starting with = + - @ tab or carriage return, and leaves others alone', () => {
    for (const cell of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) expect(neutralizeFormula(cell)).toBe(`'${cell}`);
    for (const cell of ['', 'Ann', '1-1', 'a=b', "'=already", ' =1']) expect(neutralizeFormula(cell)).toBe(cell);
  });
});

describe('export file name', () => {
  it('is ASCII, from the organization name (falling back to its id), with the scope and the days covered', () => {
    const days = { fromDay: '2026-10-27', toDay: '2026-11-25' };
    expect(exportFileName({ orgName: 'Ünïcode & Co. "Ltd"', orgId: 'org-1', scope: 'filtered', ...days })).toBe(
      'audit-logs-unicode-co-ltd-filtered-2026-10-27-to-2026-11-25.csv',
    );
    expect(exportFileName({ orgName: '日本', orgId: 'org-1', scope: 'all', ...days })).toBe(
      'audit-logs-org-1-all-2026-10-27-to-2026-11-25.csv',
    );
  });

  it('names the two date columns differently for an organization in UTC', () => {
    const header = csvHeader('UTC');
    expect(new Set(header).size).toBe(header.length);
    expect(header.slice(1, 3)).toEqual(['Date and time (UTC)', 'Timestamp (UTC, ISO 8601)']);
  });
});
