import type pg from 'pg';
import { encodeCommitPayloads } from './postgres-commit-channel.js';

// synchronous_commit off for this one transaction: a notification is not durable anyway (PostgreSQL keeps
// the queue in memory), so waiting for its commit record to reach the disk would only delay it.
const NOTIFY_SQL = `select pg_notify($1, payload) from (select set_config('synchronous_commit', 'off', true)) as local_setting, unnest($2::text[]) as payload`;

/**
 * Tells the other processes on the schema, by NOTIFY, how far each organization's log reaches, after the
 * commit and without holding up its acknowledgement. Announcements that arrive while one is being sent are
 * merged (per organization, the highest seq) and go out together next, so a burst of commits costs one NOTIFY
 * round trip at a time. A failed NOTIFY is dropped: the listeners' fallback poll finds those events.
 *
 * NOTIFY is not issued inside the appending transaction: PostgreSQL takes one lock for the whole database's
 * notification queue while a notifying transaction commits, which would serialize every process's commits,
 * fsyncs included.
 */
export class PostgresCommitAnnouncer {
  private pending = new Map<string, number>();
  private sending: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
    private readonly origin: string,
  ) {}

  /** Queues `heads` (organization → last seq committed) and starts sending unless a send is under way. */
  announce(heads: ReadonlyMap<string, number>): void {
    if (this.closed || heads.size === 0) return;
    for (const [orgId, lastSeq] of heads) this.pending.set(orgId, Math.max(this.pending.get(orgId) ?? -1, lastSeq));
    this.sending ??= this.sendAll().finally(() => (this.sending = undefined));
  }

  /** Sends what is queued, then stops announcing. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sending;
  }

  private async sendAll(): Promise<void> {
    while (this.pending.size > 0) {
      const heads = this.pending;
      this.pending = new Map();
      try {
        await this.pool.query(NOTIFY_SQL, [this.channel, encodeCommitPayloads(this.origin, heads)]);
      } catch {
        // The database is unreachable or the pool was closed: nobody can be told now, and the listeners' fallback
        // poll reads these events anyway.
      }
    }
  }
}
