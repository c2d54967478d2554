import { spawn } from 'node:child_process';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { CpuMeter } from '../../bench/postgres/cpu-meter.js';
import { LockWaitSampler } from '../../bench/postgres/lock-wait-sampler.js';
import { postgresAvailable, TEST_POSTGRES_URL } from '../support/test-stores.js';

const available = await postgresAvailable();

describe.skipIf(!available)('the lock-wait sampler of `npm run bench -- --store postgres`', () => {
  it('sees a connection of its application name wait for a row lock, and none of another name', async () => {
    const schema = `attest_test_locks_${process.pid}_${Date.now() % 100000}`;
    const named = (name: string) => new pg.Client({ connectionString: `${TEST_POSTGRES_URL}?application_name=${name}` });
    const [holder, waiter, admin] = [
      named('bench_holder'),
      named(`${schema}_waiter`),
      new pg.Client({ connectionString: TEST_POSTGRES_URL }),
    ];
    await Promise.all([holder.connect(), waiter.connect(), admin.connect()]);
    try {
      await admin.query(
        `create schema ${schema}; create table ${schema}.heads (org_id text primary key); insert into ${schema}.heads values ('a')`,
      );
      const ours = await LockWaitSampler.start(TEST_POSTGRES_URL, `${schema}_waiter`);
      const theirs = await LockWaitSampler.start(TEST_POSTGRES_URL, 'bench_holder');
      await holder.query('begin');
      await holder.query(`select * from ${schema}.heads where org_id = 'a' for update`);
      const waiting = waiter.query(`select * from ${schema}.heads where org_id = 'a' for update`);
      await new Promise((resolve) => setTimeout(resolve, 600));
      await holder.query('commit');
      await waiting;
      const [seen, notSeen] = [await ours.stop(), await theirs.stop()];
      expect(seen.samplesWithWaits).toBeGreaterThan(0);
      expect(seen.maxWaiting).toBe(1);
      expect(Object.keys(seen.waitingStatements)).toEqual([`select * from ${schema}.heads where org_id = 'a' for update`.slice(0, 60)]);
      expect(notSeen.samplesWithWaits).toBe(0);
      expect(notSeen.samples).toBeGreaterThan(0);
    } finally {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await Promise.all([holder.end(), waiter.end(), admin.end()]);
    }
  });
});

describe('the CPU meter of `npm run bench -- --store postgres`', () => {
  it('counts a busy process and not an idle one', async () => {
    const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end);']);
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1500)']);
    const meter = new CpuMeter({ busy: () => [busy.pid ?? 0], idle: () => [idle.pid ?? 0] });
    await Promise.all([new Promise((resolve) => busy.on('exit', resolve)), new Promise((resolve) => idle.on('exit', resolve))]);
    const shares = meter.stop();
    expect(shares.busy).toBeGreaterThan(shares.idle ?? 0);
    expect(shares.busy).toBeGreaterThan(0.02);
    expect(shares.idle).toBeLessThan(0.05);
  });
});
