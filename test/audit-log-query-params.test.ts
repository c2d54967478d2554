import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../src/config.js';
import { AttestError } from '../src/core/errors.js';
import {
  hasAnyFilter,
  matchesFilters,
  parseAuditLogFilters,
  resolveAuditLogQuery,
  resolveExportQuery,
  type AuditLogQueryContext,
} from '../src/features/audit-logs/query/audit-log-query.js';
import { variedEvent } from './support/audit-fixtures.js';
import { toRecord } from '../src/store/event-rows.js';

/** The pure query module the list, the export and the CLI share: defaults, range rules, filters, cursors. */

const NOW = Date.UTC(2026, 10, 20, 15, 17, 0, 123);
const ctx: AuditLogQueryContext = {
  orgId: '0190a0a0-0000-7000-8000-000000000001',
  nowMs: NOW,
  retentionDays: 90,
  timeZone: 'Europe/Paris',
};

function rejection(work: () => unknown): AttestError {
  try {
    work();
  } catch (error) {
    if (error instanceof AttestError) return error;
    throw error;
  }
  throw new Error('expected an AttestError');
}

describe('resolveAuditLogQuery', () => {
  it('defaults to the 30 days ending now, without a warning', () => {
    const query = resolveAuditLogQuery({}, ctx);
    expect(query.filter).toMatchObject({ orgId: ctx.orgId, fromMs: NOW - 30 * DAY_MS, toMs: NOW, securityOnly: false });
    expect(query.warnings).toEqual([]);
  });

  it('reads a date without an offset as midnight in the organization zone, and honours explicit offsets', () => {
    const query = resolveAuditLogQuery({ from: '2026-11-01', to: '2026-11-10T00:00:00Z' }, ctx);
    expect(new Date(query.filter.fromMs).toISOString()).toBe('2026-10-31T23:00:00.000Z');
    expect(new Date(query.filter.toMs).toISOString()).toBe('2026-11-10T00:00:00.000Z');
  });

  it('allows exactly 30 days and refuses one millisecond more, naming the field', () => {
    expect(() => resolveAuditLogQuery({ from: new Date(NOW - 30 * DAY_MS).toISOString() }, ctx)).not.toThrow();
    const error = rejection(() => resolveAuditLogQuery({ from: new Date(NOW - 30 * DAY_MS - 1).toISOString() }, ctx));
    expect(error.code).toBe('RANGE_TOO_LONG');
    expect(error.errors[0]?.field).toBe('from');
    const onlyTo = rejection(() =>
      resolveAuditLogQuery({ to: new Date(NOW).toISOString(), from: new Date(NOW - 40 * DAY_MS).toISOString() }, ctx),
    );
    expect(onlyTo.code).toBe('RANGE_TOO_LONG');
  });

  it('clamps an explicit from to the retention horizon with a warning in words, in the organization zone', () => {
    const query = resolveAuditLogQuery(
      { from: new Date(NOW - 95 * DAY_MS).toISOString(), to: new Date(NOW - 70 * DAY_MS).toISOString() },
      ctx,
    );
    expect(query.filter.fromMs).toBe(NOW - 90 * DAY_MS);
    expect(query.warnings.map((w) => w.code)).toEqual(['RANGE_CLAMPED']);
    // 90 days before 2026-11-20 15:17 UTC is 2026-08-22 15:17 UTC, 17:17 in Paris (summer time).
    expect(query.warnings[0]?.message).toBe(
      'Events are kept 90 days: this range starts at Aug 22, 2026 at 17:17 (Europe/Paris), the oldest moment still kept; the days before it have no events any more.',
    );
    expect(query.warnings[0]?.message).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('says a range wholly older than retention has expired, without claiming it starts later', () => {
    const entirelyExpired = resolveAuditLogQuery(
      { from: new Date(NOW - 120 * DAY_MS).toISOString(), to: new Date(NOW - 100 * DAY_MS).toISOString() },
      ctx,
    );
    expect(entirelyExpired.filter.fromMs).toBe(entirelyExpired.filter.toMs);
    expect(entirelyExpired.warnings.map((w) => w.code)).toEqual(['RANGE_EXPIRED']);
    expect(entirelyExpired.warnings[0]?.message).toMatch(
      /^Events are kept 90 days and the whole range is older than that: its events have expired\./,
    );
    expect(entirelyExpired.warnings[0]?.message).not.toMatch(/range starts|\d{4}-\d{2}-\d{2}T/);
  });

  it('normalizes filters (trimmed, deduplicated, sorted, lowercased email) and rejects unknown values', () => {
    const filters = parseAuditLogFilters({
      action: ['Update', 'Create', 'Update'],
      actor: '  Ann@Example.COM ',
      security: 'true',
      type: 'user.standard.added',
      product: ['UserManagement'],
    });
    expect(filters).toEqual({
      actions: ['Create', 'Update'],
      actorEmail: 'ann@example.com',
      securityOnly: true,
      types: ['user.standard.added'],
      products: ['UserManagement'],
      excludedTypes: [],
    });
    expect(hasAnyFilter(filters)).toBe(true);
    expect(hasAnyFilter(parseAuditLogFilters({ actor: ' ', security: 'false' }))).toBe(false);
    for (const [params, field] of [
      [{ action: 'Destroy' }, 'action'],
      [{ type: 'nope' }, 'type'],
      [{ product: 'Nope' }, 'product'],
      [{ security: 'yes' }, 'security'],
      [{ excludeType: 'nope' }, 'excludeType'],
    ] as const) {
      expect(rejection(() => parseAuditLogFilters(params)).errors[0]?.field).toBe(field);
    }
  });
});

describe('resolveExportQuery', () => {
  it('all: everything retained up to the ingest clock skew, ignoring filters and range', () => {
    const query = resolveExportQuery('all', { action: 'Create', from: new Date(NOW - DAY_MS).toISOString() }, ctx);
    expect(query.filter).toEqual({ orgId: ctx.orgId, fromMs: NOW - 90 * DAY_MS, toMs: NOW + 5 * 60_000 + 1, securityOnly: false });
  });

  it('filtered: needs a filter proper; a range alone is not one', () => {
    expect(rejection(() => resolveExportQuery('filtered', { from: new Date(NOW - DAY_MS).toISOString() }, ctx)).code).toBe(
      'FILTER_REQUIRED',
    );
    expect(resolveExportQuery('filtered', { security: true }, ctx).filter.securityOnly).toBe(true);
    expect(resolveExportQuery('filtered', { excludeType: 'audit_log.viewed' }, ctx).filter.excludedTypes).toEqual(['audit_log.viewed']);
  });
});

describe('matchesFilters', () => {
  it('agrees with each filter proper', () => {
    const event = {
      ...toRecord(
        variedEvent(ctx.orgId, NOW, 1, () => 0.01),
        7,
        NOW,
      ),
      leafHash: '',
    };
    expect(event).toMatchObject({ type: 'user.standard.added', action: 'Create', actor: { email: 'ann@example.com' } });
    expect(matchesFilters(event, parseAuditLogFilters({}))).toBe(true);
    expect(
      matchesFilters(event, parseAuditLogFilters({ action: ['Create', 'Delete'], actor: 'ANN@example.com', product: 'UserManagement' })),
    ).toBe(true);
    expect(matchesFilters(event, parseAuditLogFilters({ action: 'Delete' }))).toBe(false);
    expect(matchesFilters(event, parseAuditLogFilters({ actor: 'bob@example.com' }))).toBe(false);
    expect(matchesFilters(event, parseAuditLogFilters({ security: true }))).toBe(false);
    expect(matchesFilters(event, parseAuditLogFilters({ type: 'user.standard.removed' }))).toBe(false);
    expect(matchesFilters(event, parseAuditLogFilters({ product: 'AuditLogs' }))).toBe(false);
    expect(matchesFilters(event, parseAuditLogFilters({ excludeType: ['user.standard.added', 'audit_log.viewed'] }))).toBe(false);
    expect(matchesFilters(event, parseAuditLogFilters({ excludeType: ['audit_log.viewed'] }))).toBe(true);
  });
});
