import pg from 'pg';

const SAMPLE_INTERVAL_MS = 100;

/** What the lock-wait samples showed over a phase. */
export interface LockWaits {
  samples: number;
  /** Samples in which at least one of the benchmark's server connections waited for a lock. */
  samplesWithWaits: number;
  /** The most connections seen waiting at once. */
  maxWaiting: number;
  /** The locks waited for (`pg_locks.locktype` of the ungranted lock), with how many sightings each. */
  lockTypes: Record<string, number>;
  /** The statements that waited (their first 60 characters), with how many sightings each. */
  waitingStatements: Record<string, number>;
}

/**
 * Samples `pg_stat_activity` joined to `pg_locks` every 100 ms for backends of one `application_name` (the
 * benchmark sets its own on the servers' connection string, so other work on the shared PostgreSQL does not
 * count): how many of the servers' connections wait for a lock, and for which kind.
 */
export class LockWaitSampler {
  private readonly client: pg.Client;
  private readonly result: LockWaits = { samples: 0, samplesWithWaits: 0, maxWaiting: 0, lockTypes: {}, waitingStatements: {} };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  private constructor(
    connectionString: string,
    private readonly applicationName: string,
  ) {
    this.client = new pg.Client({ connectionString });
  }

  static async start(connectionString: string, applicationName: string): Promise<LockWaitSampler> {
    const sampler = new LockWaitSampler(connectionString, applicationName);
    await sampler.client.connect();
    sampler.timer = setInterval(() => {
      sampler.running = sampler.running.then(() => sampler.sample());
    }, SAMPLE_INTERVAL_MS);
    return sampler;
  }

  private async sample(): Promise<void> {
    const { rows } = await this.client.query<{ pid: number; locktype: string; statement: string }>(
      `select a.pid, l.locktype, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 60) as statement from pg_stat_activity a join pg_locks l on l.pid = a.pid and not l.granted
       where a.application_name = $1`,
      [this.applicationName],
    );
    this.result.samples += 1;
    const waiting = new Set(rows.map((row) => row.pid)).size;
    if (waiting > 0) this.result.samplesWithWaits += 1;
    this.result.maxWaiting = Math.max(this.result.maxWaiting, waiting);
    for (const row of rows) {
      this.result.lockTypes[row.locktype] = (this.result.lockTypes[row.locktype] ?? 0) + 1;
      this.result.waitingStatements[row.statement] = (this.result.waitingStatements[row.statement] ?? 0) + 1;
    }
  }

  async stop(): Promise<LockWaits> {
    clearInterval(this.timer);
    await this.running.catch(() => undefined);
    await this.client.end();
    return this.result;
  }
}
