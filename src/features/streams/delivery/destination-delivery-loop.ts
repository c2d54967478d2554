import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
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
import type { StreamSender } from '../senders/stream-sender.js';
import { filterAccepts, type StreamFilter } from '../stream-destination.js';
import { nextRetryDelayMs } from './retry-policy.js';
import type { StreamMetrics } from './stream-metrics.js';

/** Most events in one request (PRODUCT.md §9). */
export const MAX_BATCH_EVENTS = 100;
/** Events read past the cursor at a time, then sent batch after batch without reading again; a filter may skip most. */
const READ_AHEAD_EVENTS = 1000;
/** A run over what was read ends after this long, so an owner's change (a pause) or a new lease check is not held up. */
const RUN_BUDGET_MS = 2000;
/**
 * The cursor is saved at most this often (sooner only when the destination stops, fails, is paused or changed,
 * or had been failing); a destination that has caught up saves within this time. Each save is a write of its
 * own, with its fsync, that waits for the write lock beside ingest: saved after every batch, ten busy
 * destinations held ingest up and fell behind it. A crash repeats at most this long's events, which
 * at-least-once delivery allows.
 */
export const CURSOR_SAVE_INTERVAL_MS = 500;
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
  /** How many of the events given were examined (the next batch starts after them). */
  examined: number;
}

/** Picks up to 100 events the filter accepts, in seq order, from those after the cursor. */
export function planBatch(filter: StreamFilter, after: readonly StreamedEventRow[], cursor: number): PlannedBatch {
  const events: StreamedEventRow[] = [];
  let throughSeq = cursor;
  let examined = 0;
  for (const row of after) {
    if (filterAccepts(filter, { type: row.type, action: row.action, security: row.security === 1 })) events.push(row);
    throughSeq = Number(row.seq);
    examined += 1;
    if (events.length === MAX_BATCH_EVENTS) break;
  }
  return { events, throughSeq, examined };
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
  /** Set when the destination's settings changed (in this process): the run under way ends after its batch. */
  private settingsChanged = false;
  /** The last seq this process's deliveries moved the cursor to, not yet saved, and when an event was last accepted. */
  private unsaved: { seq: number; deliveredAtMs: number | undefined } | undefined;
  /** When the cursor was last saved. */
  private savedAtMs = 0;
  /** A keep-alive agent for an HTTP destination, for the URL and CA bundle it was made for. */
  private connection: { key: string; agent: HttpAgent } | undefined;
  readonly done: Promise<void>;

  constructor(
    readonly streamId: string,
    private readonly delivery: DeliveryContext,
  ) {
    this.done = this.run();
  }

  /** Looks again now (a commit of the organization). */
  wake(): void {
    this.wakeUp?.();
  }

  /** The owner changed the destination (paused, resumed, re-pointed, filtered): finish the batch in flight, then read it again. */
  reload(): void {
    this.settingsChanged = true;
    this.wake();
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
    this.connection?.agent.destroy();
    await this.saveCursor().catch((error: unknown) =>
      this.delivery.log.warn({ err: error, streamId: this.streamId }, 'could not save the stream cursor at stop'),
    );
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
    // Cleared before the row is read, so a change committed after the read ends the run that follows.
    this.settingsChanged = false;
    const row = await findStreamDestinationById(store.dialect.readDb, this.streamId);
    if (!row) {
      this.unsaved = undefined;
      this.stopped = true;
      return 0;
    }
    this.unsubscribe ??= store.notifier.subscribe(row.org_id, () => this.wake());
    if (!row.enabled) {
      await this.saveCursor();
      return idlePollMs;
    }
    const now = store.clock.now();
    if (row.next_attempt_at !== null && Number(row.next_attempt_at) > now)
      return Math.min(Number(row.next_attempt_at) - now, this.delivery.leaseMs / 3);
    // What this process accepted but has not saved yet is ahead of the stored cursor (only the lease holder moves it).
    const cursor = Math.max(Number(row.last_delivered_seq), this.unsaved?.seq ?? -1);
    const after = await findStreamedEventsAfter(store.dialect.readDb, row.org_id, cursor, READ_AHEAD_EVENTS);
    if (after.length === 0) return this.whenCaughtUp(now);
    if (!(await this.holdLease(now))) {
      // Another process holds the lease: what this one did not save is its to deliver again.
      this.unsaved = undefined;
      return this.delivery.leaseMs / 3;
    }
    return this.deliverRun(row, after, cursor);
  }

  /**
   * Sends what was read after the cursor, batch after batch, each only after the previous one was accepted.
   * Stops early on a failure, a lost lease, an owner's change, a stop, or when the run took its time. The
   * cursor moves in memory with each accepted batch and is saved per {@link CURSOR_SAVE_INTERVAL_MS}.
   */
  private async deliverRun(row: StreamDestinationRow, after: readonly StreamedEventRow[], cursor: number): Promise<number> {
    const { store } = this.delivery;
    const filter = JSON.parse(row.filter) as StreamFilter;
    const started = store.clock.now();
    let sender: StreamSender | undefined;
    let accepted = cursor;
    let rest = after;
    while (rest.length > 0) {
      const batch = planBatch(filter, rest, accepted);
      rest = rest.slice(batch.examined);
      if (batch.events.length > 0) {
        try {
          sender ??= senderForDestination(
            row,
            await this.delivery.credentialKey(),
            this.delivery.config,
            () => store.clock.now(),
            this.agentFor(row),
          );
          await sender.send({ deliveryId: `${this.streamId}.${batch.events[0]?.seq}-${batch.throughSeq}`, events: batch.events });
        } catch (error) {
          // The batches accepted before it are saved first; the failure count then starts from there.
          const progressed = await this.saveCursor();
          return this.recordFailure(progressed ? { ...row, failed_attempts: 0, failing_since: null } : row, error);
        }
        this.delivery.metrics.countDelivered(this.streamId, row.org_id, batch.events.length);
      }
      accepted = batch.throughSeq;
      this.unsaved = {
        seq: accepted,
        deliveredAtMs: batch.events.length > 0 ? store.clock.now() : this.unsaved?.deliveredAtMs,
      };
      if (this.stopped || this.settingsChanged || rest.length === 0) break;
      const now = store.clock.now();
      if (now - started >= RUN_BUDGET_MS || !(await this.holdLease(now))) break;
    }
    const now = store.clock.now();
    // A destination that was failing shows "ok" again at once; otherwise the next save can wait a little.
    if (this.stopped || this.settingsChanged || row.failed_attempts > 0 || now - this.savedAtMs >= CURSOR_SAVE_INTERVAL_MS)
      await this.saveCursor();
    return 0;
  }

  /**
   * The connection pool of an HTTP destination (webhook, Splunk HEC): at most one socket, kept open between
   * batches, made again when the owner changes the URL or CA bundle. Syslog connects per batch (it has no
   * answer to wait for; closing the connection is how a batch ends).
   */
  private agentFor(row: StreamDestinationRow): HttpAgent | undefined {
    if (row.kind === 'syslog') return undefined;
    const key = `${row.url}\n${row.ca_bundle ?? ''}`;
    if (this.connection?.key === key) return this.connection.agent;
    this.connection?.agent.destroy();
    // An idle connection is closed after 4 s, before a receiver's own idle limit would (Node's is 5 s).
    const options = { keepAlive: true, maxSockets: 1, timeout: 4000, ...(row.ca_bundle ? { ca: row.ca_bundle } : {}) };
    const agent = new URL(row.url).protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
    this.connection = { key, agent };
    return agent;
  }

  /**
   * Nothing more to send: the cursor is saved once the save interval has passed since the last save (a commit
   * may wake the loop before then, and a busy log catches a destination up after every commit: saving each
   * time was a write per destination per commit). Returns how long to sleep.
   */
  private async whenCaughtUp(now: number): Promise<number> {
    const { idlePollMs } = this.delivery;
    if (!this.unsaved) return idlePollMs;
    const wait = this.savedAtMs + CURSOR_SAVE_INTERVAL_MS - now;
    if (wait > 0) return Math.min(wait, idlePollMs);
    await this.saveCursor();
    return idlePollMs;
  }

  /**
   * Saves the cursor this process moved in memory (only while it holds the lease: the write changes nothing
   * otherwise). Returns true when the stored cursor moved.
   */
  private async saveCursor(): Promise<boolean> {
    const unsaved = this.unsaved;
    if (!unsaved) return false;
    this.unsaved = undefined;
    this.savedAtMs = this.delivery.store.clock.now();
    return advanceStreamCursor(this.delivery.store.db, this.streamId, this.delivery.processId, unsaved.seq, unsaved.deliveredAtMs);
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
