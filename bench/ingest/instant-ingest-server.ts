import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Compiled beside this file under dist/bench/ingest, or found in dist/ when this runs from the sources (the tests).
const SERVER_JS = [
  new URL('./instant-ingest-server-child.js', import.meta.url),
  new URL('../../dist/bench/ingest/instant-ingest-server-child.js', import.meta.url),
]
  .map((url) => fileURLToPath(url))
  .find((path) => existsSync(path));

/**
 * A stand-in for Attest that answers every `POST /api/v1/events` at once with a fixed 201 for 100 events, in a
 * child process of its own (`instant-ingest-server-child.ts`). Against it the load generator's CPU per event
 * is the client's cost alone: no server competes for the cores, so the figure barely moves with the load.
 */
export async function startInstantIngestServer(): Promise<{ url: string; stop(): void }> {
  if (!SERVER_JS) throw new Error('dist/bench/ingest/instant-ingest-server-child.js does not exist: run `npm run build` first');
  const child: ChildProcess = fork(SERVER_JS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: number) => resolve(message));
    child.once('exit', (code) => reject(new Error(`the instant ingest server exited with code ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}
