import { AttestProblemError, ClientClosedError, QueueFullError, RetriesExhaustedError, type Problem } from './errors.js';
import type { AttestEvent, EventFields, EventType, SentEvent } from './events.js';
import { idempotencyKeys } from './idempotency-keys.js';
import { DEFAULT_RETRY, isRetryableStatus, retryDelayMs, type RetryOptions } from './retry.js';
import { fetchTransport, nodeHttpTransport, type Transport, type TransportAnswer } from './transport.js';

/** The server's most events per request (PRODUCT.md §7). */
export const MAX_BATCH_SIZE = 1000;

export interface AttestClientOptions {
  /** Where Attest serves, e.g. https://audit.example.com (no trailing /api). */
  baseUrl: string;
  /** A producer key (`attest producer-key create --product …`). */
  producerKey: string;
  /** Most events per request, 1 … 1000 (default 100). */
  maxBatchSize?: number;
  /** How long an event waits for others to share its request, in ms (default 200). */
  flushIntervalMs?: number;
  /** Most events held (waiting or being sent) before send() rejects with QueueFullError (default 10 000). */
  maxQueuedEvents?: number;
  /** Requests in flight at once (default 2). */
  maxConcurrentRequests?: number;
  /** Retry budget and backoff for 429/502/503/504 and network errors. */
  retry?: Partial<RetryOptions>;
  /** One attempt's timeout in ms (default 30 000); a timeout is retried like a network error. */
  requestTimeoutMs?: number;
  /** The W3C traceparent of the current operation, read at send() when the call passes none (e.g. from your tracer). */
  traceparent?: () => string | undefined;
  /** A fetch to send with instead of node:http(s) (e.g. one that routes to an in-process app). */
  fetch?: typeof fetch;
}

/** Per-send options. */
export interface SendOptions {
  /** The W3C traceparent the event belongs to; events of one traceparent share requests, so Attest records its trace id. */
  traceparent?: string;
}

/** Where the answers of queued events go: one promise per send(), one per sendAll(). */
interface Sink {
  ok(index: number, sent: SentEvent): void;
  fail(index: number, error: unknown): void;
}

interface Pending {
  /** The event as JSON, its idempotency key included: serialized once, at send(), and a snapshot of it. */
  json: string;
  traceparent: string | undefined;
  sink: Sink;
  /** Its place in its sendAll() call (0 for send()). */
  index: number;
  /** Order of arrival: flush() waits for the events that came before it. */
  arrival: number;
}

/** A flush() waiting for `remaining` events that arrived before `before`. */
interface FlushWaiter {
  before: number;
  remaining: number;
  resolve(): void;
}

/**
 * Sends audit events to Attest in batches. send() queues an event and resolves with its logId once Attest has
 * durably committed it; events are grouped by size (maxBatchSize) and time (flushIntervalMs), retried with
 * backoff, and carry an idempotency key so a retry never stores an event twice. See the README for semantics.
 */
export class AttestClient {
  private readonly producerKey: string;
  private readonly maxBatchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxQueuedEvents: number;
  private readonly maxConcurrentRequests: number;
  private readonly retry: RetryOptions;
  private readonly requestTimeoutMs: number;
  private readonly traceparentOf: () => string | undefined;
  private readonly transport: Transport;
  private readonly nextKey = idempotencyKeys();

  private readonly queue: Pending[] = [];
  /** Events held: queued or in a request not yet answered. */
  private held = 0;
  private arrivals = 0;
  private flushWaiters: FlushWaiter[] = [];
  private inFlight = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** flush() calls waiting: while any does, partial batches go without waiting for their window. */
  private flushing = 0;

  constructor(options: AttestClientOptions) {
    const url = `${options.baseUrl.replace(/\/+$/, '')}/api/v1/events`;
    this.producerKey = options.producerKey;
    this.maxBatchSize = options.maxBatchSize ?? 100;
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1 || this.maxBatchSize > MAX_BATCH_SIZE) {
      throw new RangeError(`maxBatchSize must be an integer from 1 to ${MAX_BATCH_SIZE}`);
    }
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.maxQueuedEvents = options.maxQueuedEvents ?? 10_000;
    this.maxConcurrentRequests = Math.max(1, options.maxConcurrentRequests ?? 2);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.traceparentOf = options.traceparent ?? (() => undefined);
    this.transport = options.fetch ? fetchTransport(url, options.fetch) : nodeHttpTransport(url, this.maxConcurrentRequests);
  }

  /** Events held: waiting in the queue or in a request not yet answered. */
  get pendingEvents(): number {
    return this.held;
  }

  /**
   * Queues an event; resolves once Attest committed it, rejects with AttestProblemError (refused),
   * RetriesExhaustedError, QueueFullError (maxQueuedEvents reached: nothing queued) or ClientClosedError.
   */
  send(event: AttestEvent, options: SendOptions = {}): Promise<SentEvent> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    if (this.held >= this.maxQueuedEvents) return Promise.reject(new QueueFullError(this.maxQueuedEvents));
    return new Promise<SentEvent>((resolve, reject) => {
      this.enqueue(
        this.serialize(event),
        options.traceparent ?? this.traceparentOf(),
        { ok: (_i, sent) => resolve(sent), fail: (_i, error) => reject(error) },
        0,
      );
      this.schedule();
    });
  }

  /**
   * Queues several events with one promise for all of them, which resolves once each has been answered, in
   * order: `{ status: 'fulfilled', value: SentEvent }` or `{ status: 'rejected', reason }` (the errors of send()),
   * as `Promise.allSettled` over send() would, without a promise per event. Rejects at once, queuing none, with
   * QueueFullError when they do not all fit within maxQueuedEvents, or ClientClosedError.
   */
  sendAll(events: readonly AttestEvent[], options: SendOptions = {}): Promise<Array<PromiseSettledResult<SentEvent>>> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    if (this.held + events.length > this.maxQueuedEvents) return Promise.reject(new QueueFullError(this.maxQueuedEvents));
    if (events.length === 0) return Promise.resolve([]);
    const traceparent = options.traceparent ?? this.traceparentOf();
    let serialized: string[];
    try {
      serialized = events.map((event) => this.serialize(event));
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve) => {
      const results = new Array<PromiseSettledResult<SentEvent>>(events.length);
      let remaining = events.length;
      const answered = () => {
        remaining -= 1;
        if (remaining === 0) resolve(results);
      };
      const sink: Sink = {
        ok(index, value) {
          results[index] = { status: 'fulfilled', value };
          answered();
        },
        fail(index, reason) {
          results[index] = { status: 'rejected', reason };
          answered();
        },
      };
      serialized.forEach((json, index) => this.enqueue(json, traceparent, sink, index));
      this.schedule();
    });
  }

  /** send() with the type first: `client.event('loyalty.points.adjusted', { orgId, actor, entity, metadata })`. */
  event<T extends EventType>(type: T, fields: EventFields<T>, options?: SendOptions): Promise<SentEvent> {
    return this.send({ type, ...fields } as unknown as AttestEvent, options);
  }

  /** Sends everything queued now and resolves when every event sent before the call has been answered (either way). */
  async flush(): Promise<void> {
    if (this.held === 0) return;
    this.flushing += 1;
    try {
      const answered = new Promise<void>((resolve) => this.flushWaiters.push({ before: this.arrivals, remaining: this.held, resolve }));
      this.dispatch(true);
      await answered;
    } finally {
      this.flushing -= 1;
    }
  }

  /** Graceful shutdown: refuses new events, sends and awaits the queued ones. Call it on SIGTERM before exiting. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.held > 0) await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.transport.close();
  }

  /** The event as JSON with its idempotency key, a fresh one when it has none (throws for what JSON cannot hold). */
  private serialize(event: AttestEvent): string {
    const json = JSON.stringify(event);
    if (event.idempotencyKey !== undefined) return json;
    // The key goes first, without copying the event: the generated keys need no JSON escaping.
    const key = `"idempotencyKey":"${this.nextKey()}"`;
    return json.length === 2 ? `{${key}}` : `{${key},${json.slice(1)}`;
  }

  private enqueue(json: string, traceparent: string | undefined, sink: Sink, index: number): void {
    this.held += 1;
    this.queue.push({ json, traceparent, sink, index, arrival: this.arrivals++ });
  }

  /** An event was answered (either way, its sink told): any flush() waiting for it hears of it. */
  private settled(pending: Pending): void {
    this.held -= 1;
    if (this.flushWaiters.length === 0) return;
    for (const waiter of this.flushWaiters) {
      if (pending.arrival < waiter.before) waiter.remaining -= 1;
      if (waiter.remaining === 0) waiter.resolve();
    }
    this.flushWaiters = this.flushWaiters.filter((waiter) => waiter.remaining > 0);
  }

  private succeed(pending: Pending, sent: SentEvent): void {
    pending.sink.ok(pending.index, sent);
    this.settled(pending);
  }

  private fail(pending: Pending, error: unknown): void {
    pending.sink.fail(pending.index, error);
    this.settled(pending);
  }

  /** After a send: a full batch goes at once, else the first event of a batch starts the time window. */
  private schedule(): void {
    if (this.queue.length >= this.maxBatchSize) this.dispatch(false);
    else this.startWindow();
  }

  private startWindow(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dispatch(true);
    }, this.flushIntervalMs);
  }

  /**
   * Starts requests while a slot is free: full batches always, partial ones when `all` (the window is over, or a
   * flush asked). What cannot go yet waits for a slot (a request ending dispatches again) or its window.
   */
  private dispatch(all: boolean): void {
    const sendPartial = all || this.flushing > 0;
    while (this.queue.length > 0 && this.inFlight < this.maxConcurrentRequests) {
      if (!sendPartial && this.queue.length < this.maxBatchSize) break;
      const batch = this.takeBatch();
      this.inFlight += 1;
      void this.deliver(batch).finally(() => {
        this.inFlight -= 1;
        this.dispatch(this.timer === undefined);
      });
    }
    this.startWindow();
  }

  /** The oldest event and up to maxBatchSize - 1 more of the same traceparent, in order (one trace id per request). */
  private takeBatch(): Pending[] {
    const first = this.queue[0] as Pending;
    // Usual case, one traceparent at the head: one splice instead of one per event.
    let run = 1;
    while (run < this.queue.length && run < this.maxBatchSize && this.queue[run]?.traceparent === first.traceparent) run += 1;
    if (run === this.maxBatchSize || run === this.queue.length) return this.queue.splice(0, run);
    const batch: Pending[] = [];
    for (let i = 0; i < this.queue.length && batch.length < this.maxBatchSize;) {
      const item = this.queue[i] as Pending;
      if (item.traceparent === first.traceparent) {
        batch.push(item);
        this.queue.splice(i, 1);
      } else {
        i += 1;
      }
    }
    return batch;
  }

  private async deliver(batch: Pending[]): Promise<void> {
    let body = '{"events":[';
    for (let i = 0; i < batch.length; i += 1) body += (i === 0 ? '' : ',') + (batch[i] as Pending).json;
    body += ']}';
    const headers: Record<string, string> = { authorization: `Bearer ${this.producerKey}`, 'content-type': 'application/json' };
    const traceparent = batch[0]?.traceparent;
    if (traceparent) headers.traceparent = traceparent;
    let lastFailure = '';
    for (let attempt = 0; attempt < this.retry.maxAttempts; attempt += 1) {
      let answer: TransportAnswer;
      try {
        answer = await this.transport.post(body, headers, this.requestTimeoutMs);
      } catch (error) {
        lastFailure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        await sleep(retryDelayMs(attempt, null, this.retry));
        continue;
      }
      if (answer.status === 201) {
        this.answer(batch, answer.text);
        return;
      }
      if (isRetryableStatus(answer.status)) {
        lastFailure = `HTTP ${answer.status}`;
        await sleep(retryDelayMs(attempt, answer.retryAfter, this.retry));
        continue;
      }
      const error = new AttestProblemError(answer.status, parseProblem(answer.text, answer.status));
      for (const p of batch) this.fail(p, error);
      return;
    }
    const error = new RetriesExhaustedError(this.retry.maxAttempts, lastFailure);
    for (const p of batch) this.fail(p, error);
  }

  /** Each event of a committed batch gets its result, in the order sent. */
  private answer(batch: Pending[], text: string): void {
    let answer: { events: Array<{ logId: string; seq: number; duplicate: boolean }>; traceId: string };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch (error) {
      for (const p of batch) this.fail(p, error);
      return;
    }
    batch.forEach((p, i) => {
      const sent = answer.events[i];
      if (sent) this.succeed(p, { logId: sent.logId, seq: sent.seq, duplicate: sent.duplicate, traceId: answer.traceId });
      else this.fail(p, new Error(`Attest answered ${answer.events.length} results for ${batch.length} events`));
    });
  }
}

function parseProblem(text: string, status: number): Problem {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return parsed as Problem;
  } catch {
    // Not JSON (a proxy's HTML page): keep the text as the detail.
  }
  return { status, detail: text.slice(0, 500) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
