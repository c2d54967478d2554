import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from '../src/store/sqlite/sqlite-statement-cache.js';

// Kysely prepares every query it runs; the cache hands back the statement prepared for the same SQL before.
describe('SQLite statement cache', () => {
  const database = new Database(':memory:');
  afterEach(() => database.exec('drop table if exists t'));

  it('reuses the statement prepared for the same SQL text, and prepares a new one for other text', () => {
    const cached = withStatementCache(database);
    database.exec('create table t (a integer)');
    const first = cached.prepare('insert into t (a) values (?)');
    expect(cached.prepare('insert into t (a) values (?)')).toBe(first);
    expect(cached.prepare('select a from t')).not.toBe(first);
  });

  it('keeps answering correctly after the schema it was prepared against changes', () => {
    const cached = withStatementCache(database);
    database.exec('create table t (a integer)');
    cached.prepare('insert into t (a) values (?)').run([1]);
    database.exec('alter table t add column b text');
    database.exec('create index t_by_a on t (a)');
    cached.prepare('insert into t (a) values (?)').run([2]);
    expect(cached.prepare('select a, b from t order by a').all([])).toEqual([
      { a: 1, b: null },
      { a: 2, b: null },
    ]);
  });

  it('holds a bounded number of statements, dropping the least recently used', () => {
    const cached = withStatementCache(database);
    const kept = cached.prepare('select 0 as n');
    const firstOfMany = cached.prepare('select 1 as n');
    for (let i = 2; i <= 300; i += 1) {
      cached.prepare(`select ${i} as n`);
      // Used again and again, so it stays while hundreds of others come and go.
      expect(cached.prepare('select 0 as n')).toBe(kept);
    }
    // Not used since: dropped, and prepared afresh when asked for again.
    const again = cached.prepare('select 1 as n');
    expect(again).not.toBe(firstOfMany);
    expect(again.all([])).toEqual([{ n: 1 }]);
  });
});
