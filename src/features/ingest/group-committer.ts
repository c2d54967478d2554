import type { AppendedEvent, PreparedEvent } from '../../events/audit-event.js';
import type { AttestStore } from '../../store/attest-store.js';
import { isStoreTimeoutError, isStoreUnavailableError } from '../../store/store-unavailable.js';

interface PendingBatch {
  events: readonly PreparedEvent[];
  resolve(result: AppendedEvent[]): void;
  reject(error: unknown): void;
}

/** Upper bound of events one group commit takes, so one transaction (and its lock) stays short. */
const MAX_EVENTS_PER_COMMIT = 5000;

/**
 * Group commit: batches that arrive while a commit is running wait, then all commit together in the next
 * transaction, so a burst of concurrent requests costs one transaction (and one fsync), not one each. Each
 * caller is answered only after the transaction holding its events has committed, so an acknowledged event is
 * durable.
 *
 * A failed group is retried batch by batch, so one request's failure never fails its neighbours, and each
 * request stays all-or-nothing; only when the store itself is unreachable do all the group's batches fail.
 */
export class GroupCommitter {
  private queue: PendingBatch[] = [];
  private running: Promise<void> | undefined;
  private closed = false;
  /** Committed transactions and batches, for the metrics. */
  commits = 0;

  constructor(private readonly store: AttestStore) {}

  /** Queues a batch; resolves with each event's `logId` and `seq` once committed. */
  append(events: readonly PreparedEvent[]): Promise<AppendedEvent[]> {
    if (this.closed) return Promise.reject(new Error('group committer is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Stops taking batches and waits for every queued one to commit (graceful shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    // Yield once so that requests arriving in the same tick join the first group.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const group = this.takeGroup();
      await this.commitGroup(group);
    }
    this.running = undefined;
  }

  private takeGroup(): PendingBatch[] {
    const group: PendingBatch[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as PendingBatch;
      if (group.length > 0 && size + next.events.length > MAX_EVENTS_PER_COMMIT) break;
      group.push(next);
      size += next.events.length;
      this.queue.shift();
    }
    return group;
  }

  private async commitGroup(group: PendingBatch[]): Promise<void> {
    try {
      const results = await this.store.appendEvents(group.flatMap((b) => b.events));
      this.commits += 1;
      let offset = 0;
      for (const batch of group) {
        batch.resolve(results.slice(offset, offset + batch.events.length));
        offset += batch.events.length;
      }
    } catch (error) {
      // A store that cannot answer fails every batch alike: retrying them one by one would only wait out the
      // same timeout once per batch (on SQLite, with the event loop blocked each time); nor would one that ran
      // past the statement timeout.
      if (group.length === 1 || isStoreUnavailableError(error) || isStoreTimeoutError(error)) {
        for (const batch of group) batch.reject(error);
        return;
      }
      for (const batch of group) {
        try {
          batch.resolve(await this.store.appendEvents(batch.events));
          this.commits += 1;
        } catch (batchError) {
          batch.reject(batchError);
        }
      }
    }
  }
}
