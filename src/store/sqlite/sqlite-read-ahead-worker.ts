import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { ReadAheadWorkerData } from './sqlite-read-ahead.js';

// The read-ahead thread's own code (see sqlite-read-ahead.ts). It walks the organization's rows down from
// where the reader is a whole chunk at a time, each chunk oldest first, until it is `aheadRows` below the last
// position the reader reported; a reader that overtakes it pulls it down to where the reader is. After each
// chunk it reports the lowest seq it has warmed.

if (!parentPort) throw new Error('sqlite-read-ahead-worker runs as a worker thread');
const port = parentPort;
const { path, orgId, fromSeq, seqBits, chunkRows, aheadRows } = workerData as ReadAheadWorkerData;
const db = new Database(path, { readonly: true, fileMustExist: true });
// Its own cache is not the point: the pages are wanted in the operating system's, where the reader finds them.
db.pragma('cache_size = -1024');
const head = db
  .prepare<[string], { org_no: number | null; next_seq: number }>('select org_no, next_seq from org_log_heads where org_id = ?')
  .get(orgId);
// Counting a row id range steps through every row of it without decoding one: each leaf page is read once,
// in file order (a third cheaper than reading each row's header, measured warm).
const warm = db.prepare<[bigint, bigint]>('select count(*) from audit_events where rowid >= ? and rowid < ?').pluck();
// The organization's first row id (sqlite-event-row-inserter.ts: its number above the seq bits).
const base = head && head.org_no !== null ? BigInt(head.org_no) << BigInt(seqBits) : undefined;
// Rows below the position the reader has reached, and none above the head.
let next = head ? Math.min(head.next_seq, fromSeq) : 0;
let target = next - aheadRows;
let scheduled = false;

function step(): void {
  scheduled = false;
  if (base === undefined || next <= 0 || next <= target) return;
  const from = Math.max(0, next - chunkRows);
  warm.get(base + BigInt(from), base + BigInt(next));
  next = from;
  port.postMessage(next);
  schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  // One chunk per turn of the event loop, so a new position or 'stop' is seen between chunks.
  setImmediate(step);
}

port.on('message', (message: number | 'stop') => {
  if (message === 'stop') {
    db.close();
    port.close();
    return;
  }
  next = Math.min(next, message);
  target = message - aheadRows;
  schedule();
});
schedule();
