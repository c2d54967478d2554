import { Worker, type ResourceLimits } from 'node:worker_threads';
import { workerModuleUrl } from '../../core/worker-module-url.js';

/**
 * A worker inherits the process's Node.js options, and `--input-type` (a process started with
 * `node --input-type=module -e …`) makes a worker that loads a file fail with ERR_INPUT_TYPE_NOT_ALLOWED:
 * the option is only for code given as a string. Only such a process gets its options passed on without it;
 * every other keeps the inherited ones (`--cpu-prof` among them, which profiles the threads too).
 */
const EXEC_ARGV_WITHOUT_INPUT_TYPE = process.execArgv.some((arg) => arg.startsWith('--input-type'))
  ? withoutInputType(process.execArgv)
  : undefined;

function withoutInputType(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i += 1) {
    const arg = execArgv[i] as string;
    // `--input-type=module`, or `--input-type module` with its value as the next argument.
    if (arg === '--input-type') i += 1;
    else if (!arg.startsWith('--input-type=')) kept.push(arg);
  }
  return kept;
}

/**
 * Starts one of the SQLite store's threads: `moduleName` is a typed module beside this one
 * (`sqlite-…-worker`), run from the build (see `workerModuleUrl`), with `data` as its `workerData`.
 *
 * Unreferenced: a thread keeps no process alive by itself; reference it while waiting for an answer from it.
 *
 * @example
 * const worker = startSqliteWorker<WalCheckpointWorkerData>('sqlite-wal-checkpoint-worker', { path, minIntervalMs: 10 });
 */
export function startSqliteWorker<Data extends object>(moduleName: string, data: Data, resourceLimits?: ResourceLimits): Worker {
  const worker = new Worker(workerModuleUrl(import.meta.url, moduleName), {
    workerData: data,
    ...(resourceLimits ? { resourceLimits } : {}),
    ...(EXEC_ARGV_WITHOUT_INPUT_TYPE ? { execArgv: EXEC_ARGV_WITHOUT_INPUT_TYPE } : {}),
  });
  worker.unref();
  return worker;
}
