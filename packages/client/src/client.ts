import { randomUUID } from 'node:crypto';
import { AttestProblemError, ClientClosedError, QueueFullError, RetriesExhaustedError, type Problem } from './errors.js';
import type { AttestEvent, EventFields, EventType, SentEvent } from './events.js';
import { DEFAULT_RETRY, isRetryableStatus, retryDelayMs, type RetryOptions } from './retry.js';

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
  /** A fetch to use instead of the global one (e.g. one that routes to an in-process app). */
  fetch?: typeof fetch;
}

/** Per-send options. */
export interface SendOptions {
  /** The W3C traceparent the event belongs to; events of one traceparent share requests, so Attest records its trace id. */
  traceparent?: string;
}

interface Pending {
  event: AttestEvent & { idempotencyKey: string };
  traceparent: string | undefined;
  resolve(sent: SentEvent): void;
  reject(error: unknown): void;
  settled: Promise<void>;
}

/**
 * Sends audit events to Attest in batches. send() queues an event and resolves with its logId once Attest has
 * durably committed it; events are grouped by size (maxBatchSize) and time (flushIntervalMs), retried with
 * backoff, and carry an idempotency key so a retry never stores an event twice. See the README for semantics.
 */
export class AttestClient {
  private readonly url: string;
  private readonly producerKey: string;
  private readonly maxBatchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxQueuedEvents: number;
  private readonly maxConcurrentRequests: number;
  private readonly retry: RetryOptions;
  private readonly requestTimeoutMs: number;
  private readonly traceparentOf: () => string | undefined;
  private readonly fetchFn: typeof fetch;

  private readonly queue: Pending[] = [];
  private readonly unsettled = new Set<Promise<void>>();
  private inFlight = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** flush() calls waiting: while any does, partial batches go without waiting for their window. */
  private flushing = 0;

  constructor(options: AttestClientOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/api/v1/events`;
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
    this.fetchFn = options.fetch ?? fetch;
  }

  /** Events held: waiting in the queue or in a request not yet answered. */
  get pendingEvents(): number {
    return this.unsettled.size;
  }

  /**
   * Queues an event; resolves once Attest committed it, rejects with AttestProblemError (refused),
   * RetriesExhaustedError, QueueFullError (maxQueuedEvents reached: nothing queued) or ClientClosedError.
   */
  send(event: AttestEvent, options: SendOptions = {}): Promise<SentEvent> {
    if (this.closed) return Promise.reject(new ClientClosedError());
    if (this.unsettled.size >= this.maxQueuedEvents) return Promise.reject(new QueueFullError(this.maxQueuedEvents));
    const withKey = { ...event, idempotencyKey: event.idempotencyKey ?? randomUUID() } as Pending['event'];
    let resolve!: (sent: SentEvent) => void;
    let reject!: (error: unknown) => void;
    const result = new Promise<SentEvent>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.unsettled.add(settled);
    void settled.then(() => this.unsettled.delete(settled));
    this.queue.push({ event: withKey, traceparent: options.traceparent ?? this.traceparentOf(), resolve, reject, settled });
    this.schedule();
    return result;
  }

  /** send() with the type first: `client.event('loyalty.points.adjusted', { orgId, actor, entity, metadata })`. */
  event<T extends EventType>(type: T, fields: EventFields<T>, options?: SendOptions): Promise<SentEvent> {
    return this.send({ type, ...fields } as unknown as AttestEvent, options);
  }

  /** Sends everything queued now and resolves when every event sent before the call has been answered (either way). */
  async flush(): Promise<void> {
    const waiting = [...this.unsettled];
    this.flushing += 1;
    try {
      this.dispatch(true);
      await Promise.all(waiting);
    } finally {
      this.flushing -= 1;
    }
  }

  /** Graceful shutdown: refuses new events, sends and awaits the queued ones. Call it on SIGTERM before exiting. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.unsettled.size > 0) await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
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
    const body = JSON.stringify({ events: batch.map((p) => p.event) });
    const headers: Record<string, string> = { authorization: `Bearer ${this.producerKey}`, 'content-type': 'application/json' };
    const traceparent = batch[0]?.traceparent;
    if (traceparent) headers.traceparent = traceparent;
    let lastFailure = '';
    for (let attempt = 0; attempt < this.retry.maxAttempts; attempt += 1) {
      let response: Response;
      try {
        response = await this.fetchFn(this.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.requestTimeoutMs) });
      } catch (error) {
        lastFailure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        await sleep(retryDelayMs(attempt, null, this.retry));
        continue;
      }
      if (response.status === 201) {
        const answer = (await response.json()) as { events: Array<{ logId: string; seq: number; duplicate: boolean }>; traceId: string };
        batch.forEach((p, i) => {
          const sent = answer.events[i];
          if (sent) p.resolve({ ...sent, traceId: answer.traceId });
          else p.reject(new Error(`Attest answered ${answer.events.length} results for ${batch.length} events`));
        });
        return;
      }
      const text = await response.text();
      if (isRetryableStatus(response.status)) {
        lastFailure = `HTTP ${response.status}`;
        await sleep(retryDelayMs(attempt, response.headers.get('retry-after'), this.retry));
        continue;
      }
      const problem = parseProblem(text, response.status);
      for (const p of batch) p.reject(new AttestProblemError(response.status, problem));
      return;
    }
    const error = new RetriesExhaustedError(this.retry.maxAttempts, lastFailure);
    for (const p of batch) p.reject(error);
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
