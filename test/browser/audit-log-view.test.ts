import { describe, expect, it } from 'vitest';
import {
  apiParams,
  defaultRange,
  defaultView,
  NO_FILTERS,
  oldestRetainedDay,
  parseView,
  rangeProblem,
  reachesPastRetention,
  viewToSearch,
  whollyPastRetention,
} from '../../web/src/features/audit-logs/utils/audit-log-view.js';

/** The Audit Logs page's view model: days in the organization's zone, the URL form, and the API range. */
describe('audit log view', () => {
  const noon = Date.parse('2026-11-25T12:00:00Z');

  it('defaults to today and the 29 days before it, in the organization zone', () => {
    // At 12:00 UTC it is already 02:00 the next day in Kiritimati (UTC+14) and still 02:00 the same day in Honolulu.
    expect(defaultRange('Pacific/Kiritimati', noon)).toEqual({ from: '2026-10-28', to: '2026-11-26' });
    expect(defaultRange('Pacific/Honolulu', noon)).toEqual({ from: '2026-10-27', to: '2026-11-25' });
  });

  it('sends whole days as UTC instants, the end exclusive', () => {
    const params = apiParams(
      { from: '2026-11-01', to: '2026-11-02' },
      {
        actions: ['Create', 'Delete'],
        products: ['LoyaltyPlus'],
        types: ['loyalty.reward.approved'],
        actor: 'ana@example.com',
        securityOnly: true,
        hideRoutine: false,
      },
      'Pacific/Kiritimati',
    );
    expect(params).toEqual({
      from: '2026-10-31T10:00:00.000Z',
      to: '2026-11-02T10:00:00.000Z',
      action: ['Create', 'Delete'],
      product: ['LoyaltyPlus'],
      type: ['loyalty.reward.approved'],
      actor: 'ana@example.com',
      security: true,
      excludeType: [],
    });
  });

  it('hides sign-ins and views by default, through excludeType, and keeps failed sign-ins and exports', () => {
    expect(NO_FILTERS.hideRoutine).toBe(true);
    expect(apiParams({ from: '2026-11-01', to: '2026-11-02' }, NO_FILTERS, 'UTC').excludeType).toEqual([
      'session.login.succeeded',
      'audit_log.viewed',
    ]);
    expect(parseView(new URLSearchParams(''), 'UTC', noon).filters.hideRoutine).toBe(true);
    expect(parseView(new URLSearchParams('routine=show'), 'UTC', noon).filters.hideRoutine).toBe(false);
    expect(viewToSearch({ ...defaultView('UTC', noon), filters: { ...NO_FILTERS, hideRoutine: false } }, 'UTC', noon)).toBe(
      '?routine=show',
    );
  });

  it('keeps a 30-day range across a daylight-saving change within 30 × 24 hours by starting late, never ending early', () => {
    // Paris falls back on 2026-10-25: these 30 whole days last 30 × 24 h + 1 h; the first hour is left out.
    const thirty = apiParams({ from: '2026-10-10', to: '2026-11-08' }, NO_FILTERS, 'Europe/Paris');
    expect(thirty.from).toBe('2026-10-09T23:00:00.000Z');
    expect(thirty.to).toBe('2026-11-08T23:00:00.000Z');
    expect(Date.parse(String(thirty.to)) - Date.parse(String(thirty.from))).toBe(30 * 86_400_000);
    // A longer range is the API's to refuse, not shortened here.
    const thirtyOne = apiParams({ from: '2026-10-10', to: '2026-11-09' }, NO_FILTERS, 'Europe/Paris');
    expect(thirtyOne).toMatchObject({ from: '2026-10-09T22:00:00.000Z', to: '2026-11-09T23:00:00.000Z' });
  });

  it('covers the moment it is shown in the default range, also in the last hour of a day after a daylight-saving change', () => {
    // 23:30 in Los Angeles on Nov 25, 2026; the last 30 days include the change of Nov 1. Ending the range an hour
    // early left out everything from 23:00 on.
    const lateEvening = Date.parse('2026-11-26T07:30:00Z');
    const params = apiParams(defaultRange('America/Los_Angeles', lateEvening), NO_FILTERS, 'America/Los_Angeles');
    expect(Date.parse(String(params.from))).toBeLessThan(lateEvening);
    expect(Date.parse(String(params.to))).toBeGreaterThan(lateEvening);
    expect(params.to).toBe('2026-11-26T08:00:00.000Z');
  });

  it('refuses more than 30 days and a reversed range, in words', () => {
    expect(rangeProblem('2026-11-01', '2026-11-30')).toBeNull();
    expect(rangeProblem('2026-11-01', '2026-12-01')).toBe('The range spans 31 days; choose at most 30 days.');
    expect(rangeProblem('2026-11-02', '2026-11-01')).toBe('The start day must not be after the end day.');
  });

  it('warns only when the range starts before the 90 retained days, and knows a range wholly past them', () => {
    expect(oldestRetainedDay('UTC', noon)).toBe('2026-08-27');
    expect(reachesPastRetention('2026-08-27', 'UTC', noon)).toBe(false);
    expect(reachesPastRetention('2026-08-26', 'UTC', noon)).toBe(true);
    expect(whollyPastRetention('2026-08-27', 'UTC', noon)).toBe(false);
    expect(whollyPastRetention('2026-08-26', 'UTC', noon)).toBe(true);
  });

  it('round-trips through the URL and falls back to the default for a malformed range', () => {
    const view = {
      from: '2026-11-01',
      to: '2026-11-10',
      filters: { ...NO_FILTERS, actions: ['Delete'], actor: 'bob@example.com', securityOnly: true },
      logId: '01a2',
    };
    const search = viewToSearch(view, 'UTC', noon);
    expect(search).toBe('?from=2026-11-01&to=2026-11-10&action=Delete&actor=bob%40example.com&security=true&log=01a2');
    expect(parseView(new URLSearchParams(search), 'UTC', noon)).toEqual(view);
    expect(parseView(new URLSearchParams('from=2026-13-01&to=yesterday'), 'UTC', noon)).toMatchObject(defaultRange('UTC', noon));
    expect(viewToSearch({ ...defaultRange('UTC', noon), filters: NO_FILTERS, logId: null }, 'UTC', noon)).toBe('');
  });
});
