import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AsyncLock } from '../src/core/async-lock.js';
import type { AttestDatabase } from '../src/store/database-schema.js';
import { openSqliteFile, sqliteWriterKysely } from '../src/store/sqlite/sqlite-connections.js';

/**
 * The server thread's writer connection and the append thread take turns through one AsyncLock, held by the
 * append thread while it commits. Whatever writes on the server thread waits for its turn on the event loop
 * (never in SQLite's busy handler, which would stop the thread): its transactions, and its single write
 * statements too. Reads need no turn.
 */
describe('SQLite writer connection and the transaction lock', () => {
  let dir: string;
  let writer: Database.Database;
  let db: Kysely<AttestDatabase>;
  let lock: AsyncLock;
  let commits: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'attest-writer-lock-'));
    writer = openSqliteFile(join(dir, 'store.db'), 'writer');
    writer.exec(
      'create table login_throttle (scope_key text primary key, failures integer not null, last_failure_at integer not null, next_attempt_at integer not null)',
    );
    lock = new AsyncLock();
    commits = 0;
    db = sqliteWriterKysely(writer, { transactionLock: lock, afterCommit: () => (commits += 1) });
  });
  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const rowsInFile = () => (writer.prepare('select count(*) as n from login_throttle').get() as { n: number }).n;
  /** Lets the event loop turn a few times: a write that did not wait for the lock would be done by then. */
  const severalTurns = async () => {
    for (let turn = 0; turn < 5; turn += 1) await nextTurn();
  };
  /** Releases the lock held by the test, waits for the write, and checks it committed once and gave its turn back. */
  const releaseAndSettle = async (write: Promise<unknown>) => {
    lock.release();
    await write;
    expect(rowsInFile()).toBe(1);
    expect(commits).toBe(1);
    // Otherwise this waits until the test times out.
    await lock.acquire();
    lock.release();
  };

  it('holds a single write statement until the lock is free, with the event loop running meanwhile', async () => {
    await lock.acquire();
    let written = false;
    const write = db
      .insertInto('login_throttle')
      .values({ scope_key: 'address:10.0.0.1', failures: 1, last_failure_at: 1, next_attempt_at: 1 })
      .execute()
      .then(() => (written = true));
    await severalTurns();
    expect(written).toBe(false);
    expect(rowsInFile()).toBe(0);
    await releaseAndSettle(write);
  });

  it('answers reads while the lock is held', async () => {
    writer.exec("insert into login_throttle values ('address:10.0.0.2', 1, 2, 2)");
    await lock.acquire();
    try {
      const rows = await db.selectFrom('login_throttle').select('scope_key').execute();
      expect(rows).toEqual([{ scope_key: 'address:10.0.0.2' }]);
      expect(commits).toBe(0);
    } finally {
      lock.release();
    }
  });

  it('holds a transaction until the lock is free, and its statements take no second turn', async () => {
    await lock.acquire();
    let committed = false;
    const transaction = db
      .transaction()
      .execute(async (tx) => {
        await tx
          .insertInto('login_throttle')
          .values({ scope_key: 'address:10.0.0.3', failures: 1, last_failure_at: 3, next_attempt_at: 3 })
          .execute();
        await sql`delete from login_throttle where last_failure_at < 0`.execute(tx);
      })
      .then(() => (committed = true));
    await severalTurns();
    expect(committed).toBe(false);
    await releaseAndSettle(transaction);
  });
});
