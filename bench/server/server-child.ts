import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The compiled service entry point (`npm start` runs the same file): beside this file when it runs from
 * `dist/bench/server/`, under `dist/` when it runs from the TypeScript sources (the tests).
 */
const MAIN_JS = [new URL('../../src/main.js', import.meta.url), new URL('../../dist/src/main.js', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((path) => existsSync(path));
const READY_TIMEOUT_MS = 120_000;

/** Resident memory of a process from `/proc/<pid>/status`, in megabytes. */
export interface ProcessMemory {
  /** Current resident set size (VmRSS). */
  rssMb: number;
  /** Peak resident set size over the process's life so far (VmHWM). */
  peakRssMb: number;
}

/** The Attest server running as a child process, as the benchmark sees it. */
export interface ServerChild {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  pid: number;
  /** Current and peak RSS of the server process. */
  memory(): ProcessMemory;
  /** SIGTERM (graceful shutdown: in-flight commits finish), then waits for the exit. */
  stop(): Promise<void>;
}

/** How to start the server child. */
export interface ServerChildOptions {
  databaseUrl: string;
  /** Extra Node.js flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  logLevel?: string;
  /** Extra environment, e.g. `ATTEST_STREAMS_ALLOW_PRIVATE`. */
  env?: Record<string, string>;
}

/** Reads VmRSS and VmHWM of a live process (Linux). */
export function readProcessMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before it was ready:\n${output()}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
}

/**
 * Starts `dist/src/main.js` as a separate process on a free port of 127.0.0.1 over the given database and waits
 * until `/readyz` answers. A separate process keeps the load generator's and the benchmark's own CPU and
 * memory out of the server's figures.
 */
export async function startServerChild(options: ServerChildOptions): Promise<ServerChild> {
  if (!MAIN_JS) throw new Error('dist/src/main.js does not exist: run `npm run build` first');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN_JS], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ATTEST_DATABASE_URL: options.databaseUrl,
      LOG_LEVEL: options.logLevel ?? 'warn',
      // The bench organizations already exist, so no bootstrap happens; a fixed password avoids printing one.
      ATTEST_BOOTSTRAP_PASSWORD: 'bench-bootstrap-password-unused',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilReady(url, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const pid = child.pid as number;
  return {
    url,
    pid,
    memory: () => readProcessMemory(pid),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
