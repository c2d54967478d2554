import { createRequire } from 'node:module';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/** better-sqlite3 as this module resolves it, for a worker script to `require`. */
const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * Starts a worker thread of the SQLite store: `source` is its code, evaluated as a CommonJS script rather than
 * loaded from a file, so it runs the same from the build and from the TypeScript sources under test. Its
 * `workerData` is `data` plus `driver`, the path to require better-sqlite3 from.
 *
 * Unreferenced: these threads only ever help (checkpointing, reading ahead, reading a page's rows), so none
 * of them keeps a process alive; reference one while waiting for it.
 */
export function startSqliteScriptWorker(source: string, data: Record<string, unknown>, resourceLimits?: ResourceLimits): Worker {
  const worker = new Worker(source, { eval: true, workerData: { ...data, driver: DRIVER }, ...(resourceLimits ? { resourceLimits } : {}) });
  worker.unref();
  return worker;
}
