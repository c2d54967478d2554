import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
