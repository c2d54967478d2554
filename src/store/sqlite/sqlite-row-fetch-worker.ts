import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { StoredEvent } from '../event-rows.js';
import type { FetchReply, FetchRequest, RowFetchWorkerData } from './sqlite-row-fetchers.js';

// A row fetch thread's own code (see sqlite-row-fetchers.ts): one read-only connection with a small cache of
// its own, since the pages are wanted in the operating system's cache, where the next page and the other
// connections find them.

if (!parentPort) throw new Error('sqlite-row-fetch-worker runs as a worker thread');
const port = parentPort;
const { path } = workerData as RowFetchWorkerData;
const db = new Database(path, { readonly: true, fileMustExist: true });
db.pragma('cache_size = -2048');
const byRowId = db.prepare<[number, string], StoredEvent>(
  'select record, leaf_hash, occurred_at, seq from audit_events where rowid = ? and org_id = ?',
);

port.on('message', (message: FetchRequest | 'stop') => {
  if (message === 'stop') {
    db.close();
    port.close();
    return;
  }
  try {
    const rows: StoredEvent[] = [];
    for (const rowId of message.rowIds) {
      const row = byRowId.get(rowId, message.orgId);
      if (row) rows.push(row);
    }
    port.postMessage({ id: message.id, rows } satisfies FetchReply);
  } catch (error) {
    port.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies FetchReply);
  }
});
