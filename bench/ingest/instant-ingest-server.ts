import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

/**
 * A stand-in for Attest that answers every `POST /api/v1/events` at once with a fixed 201 for 100 events, in a
 * child process of its own. Against it the load generator's CPU per event is the client's cost alone: no
 * server competes for the cores, so the figure barely moves with the machine's load.
 */
export async function startInstantIngestServer(): Promise<{ url: string; stop(): void }> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: number) => resolve(message));
    child.once('exit', (code) => reject(new Error(`the instant ingest server exited with code ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

// Run as the forked child: serve, tell the parent the port.
if (process.send) {
  const answer = JSON.stringify({
    events: Array.from({ length: 100 }, (_, i) => ({
      logId: `0195b0c4-8d0e-7000-8000-${String(i).padStart(12, '0')}`,
      seq: i,
      duplicate: false,
    })),
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.(typeof address === 'object' && address ? address.port : 0);
  });
}
