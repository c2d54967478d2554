import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where Debian installs rsyslog's daemon. */
const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((path) => existsSync(path));

/**
 * True when rsyslog is installed; with CI=true a missing rsyslog is an error (`apt-get install rsyslog`),
 * outside CI the syslog cases skip loudly.
 */
export function rsyslogAvailable(): boolean {
  if (RSYSLOGD && spawnSync(RSYSLOGD, ['-v']).status === 0) return true;
  if (process.env.CI === 'true') throw new Error('rsyslog is required in CI (apt-get install -y rsyslog) but rsyslogd was not found');
  console.warn('\n!!! SKIPPING syslog cases: rsyslogd is not installed (apt-get install -y rsyslog) !!!\n');
  return false;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One message as rsyslog parsed it: APP-NAME, MSGID, STRUCTURED-DATA and MSG. */
export interface SyslogLine {
  appName: string;
  msgId: string;
  structuredData: string;
  msg: string;
}

/**
 * Debian's rsyslogd, started in a temporary folder with imtcp on a free port of 127.0.0.1, writing every
 * message it parses to a file as `APP-NAME|MSGID|STRUCTURED-DATA|MSG`.
 */
export class RsyslogReceiver {
  private readonly dir = mkdtempSync(join(tmpdir(), 'attest-rsyslog-'));
  private child: ChildProcess | undefined;
  port = 0;

  get output(): string {
    return join(this.dir, 'received.log');
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const config = join(this.dir, 'rsyslog.conf');
    writeFileSync(
      config,
      [
        `global(workDirectory="${this.dir}")`,
        'module(load="imtcp")',
        'template(name="parsed" type="string" string="%app-name%|%msgid%|%structured-data%|%msg%\\n")',
        `ruleset(name="attest") { action(type="omfile" file="${this.output}" template="parsed") }`,
        `input(type="imtcp" address="127.0.0.1" port="${this.port}" ruleset="attest")`,
        '',
      ].join('\n'),
    );
    if (!RSYSLOGD) throw new Error('rsyslogd not found');
    this.child = spawn(RSYSLOGD, ['-n', '-f', config, '-i', join(this.dir, 'rsyslogd.pid')], { stdio: 'ignore' });
    for (let i = 0; i < 100; i += 1) {
      if (await this.listening()) return;
      await sleep(100);
    }
    throw new Error(`rsyslogd did not listen on ${this.port}`);
  }

  private listening(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = createConnection(this.port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
  }

  /** The messages written so far. */
  lines(): SyslogLine[] {
    if (!existsSync(this.output)) return [];
    return readFileSync(this.output, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const [appName = '', msgId = '', structuredData = '', ...rest] = line.split('|');
        return { appName, msgId, structuredData, msg: rest.join('|') };
      });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
