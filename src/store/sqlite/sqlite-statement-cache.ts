import type Database from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept prepared per connection: every query Attest builds, with room to spare. */
const CAPACITY = 256;

/**
 * A better-sqlite3 connection as Kysely sees it, except that `prepare` reuses the statements it prepared
 * before (least recently used dropped first). Kysely prepares every query it runs; on the append path that
 * was a twentieth of the server's CPU, compiling the same handful of statements again for each commit.
 * Reuse is safe because Kysely runs one query at a time per connection, a stream included, and SQLite
 * recompiles a statement by itself when the schema it was compiled against changes.
 */
export function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      const cached = statements.get(sql);
      if (cached) {
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > CAPACITY) statements.delete(statements.keys().next().value as string);
      return statement;
    },
  };
}
