import { describe, expect, it } from 'vitest';
import type { QueryDataset } from '../../bench/dataset/query-dataset.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import { auditLogQueryString, queryCases, queryScenarios } from '../../bench/query/query-scenarios.js';
import { DAY_MS } from '../../src/config.js';

const anchorMs = Date.parse('2026-06-30T12:00:00.000Z');
const dataset = {
  bigOrgId: 'big',
  smallOrgIds: ['small-1', 'small-2'],
  actorEmails: ['actor-000@bench.example'],
  anchorMs,
  spreadMs: 89 * DAY_MS,
} as QueryDataset;

describe('query cases', () => {
  it('covers every scenario, the big and one small organization and three windows, each range at most 30 days inside the data', () => {
    const cases = queryCases(dataset, 2, seededRandom(1));
    expect(cases).toHaveLength(2 * queryScenarios('x').length * 2 * 3);
    expect(new Set(cases.map((c) => c.orgId))).toEqual(new Set(['big', 'small-1']));
    for (const c of cases) {
      expect(c.filter.toMs - c.filter.fromMs).toBeLessThanOrEqual(30 * DAY_MS);
      expect(c.filter.fromMs).toBeGreaterThanOrEqual(anchorMs - dataset.spreadMs);
      expect(c.filter.toMs).toBeLessThanOrEqual(anchorMs + 1);
    }
  });

  it('writes the API query string with repeated action parameters and the other filters by their public names', () => {
    const query = auditLogQueryString(
      {
        orgId: 'big',
        fromMs: anchorMs - DAY_MS,
        toMs: anchorMs,
        actions: ['Create', 'Delete'],
        actorEmail: 'a@b.example',
        securityOnly: true,
        types: ['user.privileged.added'],
        products: ['UserManagement'],
      },
      50,
    );
    const params = new URLSearchParams(query);
    expect(params.getAll('action')).toEqual(['Create', 'Delete']);
    expect(params.get('actor')).toBe('a@b.example');
    expect(params.get('security')).toBe('true');
    expect(params.get('type')).toBe('user.privileged.added');
    expect(params.get('product')).toBe('UserManagement');
    expect(params.get('from')).toBe('2026-06-29T12:00:00.000Z');
    expect(params.get('to')).toBe('2026-06-30T12:00:00.000Z');
    expect(params.get('limit')).toBe('50');
  });
});
