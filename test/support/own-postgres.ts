import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the PostgreSQL 15 server programs are installed (Debian's layout). */
export const POSTGRES_BIN = process.env.ATTEST_TEST_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL cluster of a test's own (initdb into a temporary folder, a free port), for tests that stop and
 * start the server. Never the machine's shared server: other people's tests run on that one.
 */
export interface OwnPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  /** Stops the server (`pg_ctl stop -m fast`: connections are terminated, as in a restart by an operator). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it if running and deletes its folder. */
  dispose(): Promise<void>;
}

/** True when the PostgreSQL server programs are here; with CI=true their absence is an error, not a skip. */
export function ownPostgresAvailable(): boolean {
  if (existsSync(join(POSTGRES_BIN, 'initdb')) && existsSync(join(POSTGRES_BIN, 'pg_ctl'))) return true;
  if (process.env.CI === 'true') throw new Error(`PostgreSQL server programs are required in CI but missing from ${POSTGRES_BIN}`);
  console.warn(`\n!!! SKIPPING tests that start their own PostgreSQL: no initdb/pg_ctl in ${POSTGRES_BIN} !!!\n`);
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Creates and starts a cluster. PostgreSQL refuses to run as root, so under root its programs run as the
 * `postgres` account (uid/gid from `id`), which then owns the folder.
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'attest-own-pg-'));
  const data = join(dir, 'data');
  let account: { uid: number; gid: number } | undefined;
  if (userInfo().uid === 0) {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    account = { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
    chownSync(dir, account.uid, account.gid);
  }
  const pgRun = (program: string, args: string[]) =>
    run(join(POSTGRES_BIN, program), args, { ...(account ?? {}), cwd: dir, env: { ...process.env, LC_ALL: 'C.UTF-8' }, timeout: 120_000 });
  await pgRun('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c max_connections=50`;
  let running = false;
  const start = async () => {
    await pgRun('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', serverOptions, '-w', '-t', '60', 'start']);
    running = true;
  };
  const stop = async () => {
    await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    running = false;
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async dispose() {
      if (running) await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
