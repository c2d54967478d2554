import { createRequire } from 'node:module';
import { Worker, type ResourceLimits } from 'node:worker_threads';

/**
 * A worker inherits the process's Node.js options, and `--input-type=module` (a process started with
 * `node --input-type=module -e …`) would make it read the CommonJS source as a module, where `require` does
 * not exist. Only such a process gets its options passed on without it; every other keeps the inherited ones
 * (`--cpu-prof` among them, which profiles the threads too).
 */
const EXEC_ARGV_WITHOUT_INPUT_TYPE = process.execArgv.some((arg) => arg.startsWith('--input-type')) ? withoutInputType(process.execArgv) : undefined;

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
  const worker = new Worker(source, {
    eval: true,
    workerData: { ...data, driver: DRIVER },
    ...(resourceLimits ? { resourceLimits } : {}),
    ...(EXEC_ARGV_WITHOUT_INPUT_TYPE ? { execArgv: EXEC_ARGV_WITHOUT_INPUT_TYPE } : {}),
  });
  worker.unref();
  return worker;
}
