import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { systemClock } from '../../core/clock.js';
import { AttestError } from '../../core/errors.js';
import { appendEventsInTransaction, type AppendingDialect } from '../event-log-writer.js';
import type { AppendReply, AppendRequest, AppendWorkerData } from './sqlite-append-thread.js';
import { openSqliteFile, sqliteWriterKysely } from './sqlite-connections.js';
import { sqliteEventRowInserter } from './sqlite-event-row-inserter.js';

// The append thread's own code (see sqlite-append-thread.ts): a writer connection of its own, on which each
// request is one transaction, answered only once it has committed.

if (!parentPort) throw new Error('sqlite-append-worker runs as a worker thread');
const port = parentPort;
const { path } = workerData as AppendWorkerData;
const writer = openSqliteFile(path, 'writer');
const db = sqliteWriterKysely(writer);
const insertRows = sqliteEventRowInserter(writer);
const dialect: AppendingDialect = {
  supportsRowLocks: false,
  insertEventRows: (_tx, rows) => Promise.resolve(insertRows(rows)),
};

port.on('message', (message: AppendRequest | 'stop') => {
  if (message === 'stop') {
    void db.destroy().finally(() => {
      if (writer.open) writer.close();
      port.close();
    });
    return;
  }
  // Kysely runs the transactions of its one connection one after another, in the order they were asked for.
  db.transaction()
    .execute((tx) => appendEventsInTransaction(tx, dialect, message.events, systemClock))
    .then(
      (appended) => port.postMessage({ id: message.id, appended } satisfies AppendReply),
      (error: unknown) => port.postMessage({ id: message.id, error: describeError(error) } satisfies AppendReply),
    );
});

function describeError(error: unknown): Extract<AppendReply, { error: unknown }>['error'] {
  if (error instanceof Database.SqliteError) return { message: error.message, sqliteCode: error.code };
  if (error instanceof AttestError) return { message: error.message, attest: { code: error.code, errors: error.errors } };
  return { message: error instanceof Error ? error.message : String(error) };
}
