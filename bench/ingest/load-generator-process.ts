import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LoadPlan, LoadResult } from './load-generator.js';

// Compiled beside this file under dist/bench/ingest, or found in dist/ when this runs from the sources (the tests).
const LOAD_GENERATOR_JS = [
  new URL('./load-generator.js', import.meta.url),
  new URL('../../dist/bench/ingest/load-generator.js', import.meta.url),
]
  .map((url) => fileURLToPath(url))
  .find((path) => existsSync(path));

/** Starts the load generator (`load-generator.ts`) as a child process of its own, talking over IPC. */
export function forkLoadGenerator(): ChildProcess {
  if (!LOAD_GENERATOR_JS) throw new Error('dist/bench/ingest/load-generator.js does not exist: run `npm run build` first');
  return fork(LOAD_GENERATOR_JS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** Starts the load generator as a second process with its plan: the child, and its result once it has run. */
export function startLoadGenerator(plan: LoadPlan): { child: ChildProcess; result: Promise<LoadResult> } {
  const child = forkLoadGenerator();
  const result = new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (message: LoadResult | { failed: string }) => {
      if ('failed' in message) reject(new Error(`load generator failed: ${message.failed}`));
      else resolve(message);
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with code ${code}`));
    });
  });
  child.send(plan);
  return { child, result };
}

/** Runs the load generator as a second process and waits for its result. */
export function runLoadGenerator(plan: LoadPlan): Promise<LoadResult> {
  return startLoadGenerator(plan).result;
}
