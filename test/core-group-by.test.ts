import { describe, expect, it } from 'vitest';
import { groupBy } from '../src/core/group-by.js';

describe('groupBy', () => {
  it('groups values by key, keeping the order of the items within each group and of first appearance across groups', () => {
    const rows = [
      { org: 'b', seq: 7 },
      { org: 'a', seq: 3 },
      { org: 'b', seq: 8 },
      { org: 'a', seq: 4 },
    ];
    const groups = groupBy(
      rows,
      (row) => row.org,
      (row) => row.seq,
    );
    expect([...groups.entries()]).toEqual([
      ['b', [7, 8]],
      ['a', [3, 4]],
    ]);
    expect(
      groupBy(
        [],
        (n: number) => n,
        (n) => n,
      ).size,
    ).toBe(0);
  });
});
