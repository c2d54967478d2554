import type { FastifyBaseLogger } from 'fastify';
import type { StreamsConfig } from '../../../config.js';
import type { AttestStore } from '../../../store/attest-store.js';
import {
  advanceStreamCursor,
  claimDeliveryLease,
  findStreamDestinationById,
  findStreamedEventsAfter,
  recordStreamFailure,
  releaseDeliveryLease,
  type StreamDestinationRow,
  type StreamedEventRow,
} from '../../../store/stream-destination-queries.js';
import { senderForDestination } from '../senders/sender-for-destination.js';
import { filterAccepts, type StreamFilter } from '../stream-destination.js';
import { nextRetryDelayMs } from './retry-policy.js';
import type { StreamMetrics } from './stream-metrics.js';

/** Most events in one request (PRODUCT.md §9). */
export const MAX_BATCH_EVENTS = 100;
/** Events read past the cursor at a time; a filter may skip most of them. */
const READ_AHEAD_EVENTS = 500;

/** What every destination's loop shares: the store, the settings, this process's identity and the metrics. */
export interface DeliveryContext {
  store: AttestStore;
  config: StreamsConfig;
  metrics: StreamMetrics;
  log: FastifyBaseLogger;
  /** This process's lease owner id. */
  processId: string;
  credentialKey: () => Promise<Buffer>;
  /** How long a lease lasts; longer than any delivery (three times the request limit). */
  leaseMs: number;
  /** How often an idle loop looks for events another process committed (this process's commits wake it at once). */
  idlePollMs: number;
  random: () => number;
}

/** The next batch of a destination: the events it receives, and the seq the cursor moves to once they are accepted. */
export interface PlannedBatch {
  events: StreamedEventRow[];
  /** The last seq examined: the last event sent, or past events the filter skips. */
  throughSeq: number;
}

/** Picks up to 100 events the filter accepts, in seq order, from those after the cursor. */
export function planBatch(filter: StreamFilter, after: readonly StreamedEventRow[], cursor: number): PlannedBatch {
  const events: StreamedEventRow[] = [];
  let throughSeq = cursor;
  for (const row of after) {
    if (filterAccepts(filter, { type: row.type, action: row.action, security: row.security === 1 })) events.push(row);
    throughSeq = Number(row.seq);
    if (events.length === MAX_BATCH_EVENTS) break;
  }
  return { events, throughSeq };
}

/**
 * Delivers one destination's events, in seq order, from its cursor on: reads what follows the cursor, sends a
 * batch, and moves the cursor only once the receiver accepted it (so a crash or a failure repeats a batch,
 * never skips one). Only the lease holder sends, so of several processes one delivers at a time. Sleeps when
 * there is nothing to do, until a commit of the organization (or the idle poll, or an owner's change) wakes it.
 */
export class DestinationDeliveryLoop {
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private leaseUntil = 0;
  readonly done: Promise<void>;

  constructor(
    readonly streamId: string,
    private readonly delivery: DeliveryContext,
  ) {
    this.done = this.run();
  }

  /** Looks again now (a commit, a resumed or changed destination). */
  wake(): void {
    this.wakeUp?.();
  }

  /** Ends the loop after the delivery under way, giving up the lease. */
  stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    return this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let pauseMs: number;
      try {
        pauseMs = await this.step();
      } catch (error) {
        if (this.stopped) break;
        this.delivery.log.warn({ err: error, streamId: this.streamId }, 'stream delivery step failed');
        pauseMs = this.delivery.idlePollMs;
      }
      if (pauseMs > 0 && !this.stopped) await this.sleep(pauseMs);
    }
    this.unsubscribe?.();
    if (this.leaseUntil > 0)
      await releaseDeliveryLease(this.delivery.store.db, this.streamId, this.delivery.processId).catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = finish;
    });
  }

  /** One round: returns how long to wait before the next (0: go on at once). */
  private async step(): Promise<number> {
    const { store, idlePollMs } = this.delivery;
    const row = await findStreamDestinationById(store.dialect.readDb, this.streamId);
    if (!row) {
      this.stopped = true;
      return 0;
    }
    this.unsubscribe ??= store.notifier.subscribe(row.org_id, () => this.wake());
    if (!row.enabled) return idlePollMs;
    const now = store.clock.now();
    if (row.next_attempt_at !== null && Number(row.next_attempt_at) > now)
      return Math.min(Number(row.next_attempt_at) - now, this.delivery.leaseMs / 3);
    const cursor = Number(row.last_delivered_seq);
    const after = await findStreamedEventsAfter(store.dialect.readDb, row.org_id, cursor, READ_AHEAD_EVENTS);
    if (after.length === 0) return idlePollMs;
    if (!(await this.holdLease(now))) return this.delivery.leaseMs / 3;

    const batch = planBatch(JSON.parse(row.filter) as StreamFilter, after, cursor);
    if (batch.events.length === 0) {
      await advanceStreamCursor(store.db, this.streamId, this.delivery.processId, batch.throughSeq, undefined);
      return 0;
    }
    try {
      const sender = senderForDestination(row, await this.delivery.credentialKey(), this.delivery.config, () => store.clock.now());
      const first = batch.events[0]?.seq;
      await sender.send({ deliveryId: `${this.streamId}.${first}-${batch.throughSeq}`, events: batch.events });
    } catch (error) {
      return this.recordFailure(row, error);
    }
    if (await advanceStreamCursor(store.db, this.streamId, this.delivery.processId, batch.throughSeq, store.clock.now())) {
      this.delivery.metrics.countDelivered(this.streamId, row.org_id, batch.events.length);
    }
    return 0;
  }

  /** Takes or renews the lease when less than half of it is left; false when another process holds it. */
  private async holdLease(now: number): Promise<boolean> {
    if (this.leaseUntil - now > this.delivery.leaseMs / 2) return true;
    const until = now + this.delivery.leaseMs;
    if (!(await claimDeliveryLease(this.delivery.store.db, this.streamId, this.delivery.processId, now, until))) {
      this.leaseUntil = 0;
      return false;
    }
    this.leaseUntil = until;
    return true;
  }

  private async recordFailure(row: StreamDestinationRow, error: unknown): Promise<number> {
    const { store, config } = this.delivery;
    const now = store.clock.now();
    const message = error instanceof Error ? error.message : String(error);
    const delay = nextRetryDelayMs({
      failedAttempts: row.failed_attempts + 1,
      failingSinceMs: row.failing_since === null ? now : Number(row.failing_since),
      nowMs: now,
      retryAfterMs: (error as { retryAfterMs?: number }).retryAfterMs,
      baseMs: config.retryBaseMs,
      maxMs: config.retryMaxMs,
      random: this.delivery.random(),
    });
    await recordStreamFailure(store.db, this.streamId, this.delivery.processId, {
      error: message.slice(0, 500),
      nowMs: now,
      nextAttemptAtMs: now + delay,
    });
    this.delivery.metrics.countFailed(this.streamId, row.org_id);
    this.delivery.log.warn({ streamId: this.streamId, error: message, retryInMs: delay }, 'stream delivery failed');
    return Math.min(delay, this.delivery.leaseMs / 3);
  }
}
