import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/support/child-processes.ts). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Throws a clear message when the compiled service is missing: `npm test` builds first, `npx vitest` does not. */
export function requireBuild(): void {
  if (!existsSync(join(REPO_ROOT, 'dist', 'src', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` before these tests (`npm test` does).');
}

/** The environment a child gets: this process's, without any ATTEST_* setting that could leak in, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('ATTEST_') && name !== 'PORT'));
  return { ...base, ...env };
}

/** What a finished child printed and how it ended. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a Node script (path relative to the repository) to completion. */
export function runNode(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ChildResult> {
  requireBuild();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `attest …` exactly as an operator runs it: `node bin/attest.js …`. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<ChildResult> {
  return runNode(['bin/attest.js', ...args], env);
}

/** A running `node dist/src/main.js`. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** Everything printed so far on stdout (JSON log lines and the bootstrap banner). */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the process if it still runs, and waits for it. */
  stop(): Promise<void>;
}

/**
 * Starts the real service (`node dist/src/main.js`) on 127.0.0.1 with PORT=0, and resolves once it listens,
 * with the port the operating system chose (read from Fastify's "Server listening at" log line).
 */
export function startServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  requireBuild();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: REPO_ROOT,
    env: childEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const server: Omit<ServerProcess, 'port'> = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not listen within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ ...server, port: Number(match[1]) });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}
