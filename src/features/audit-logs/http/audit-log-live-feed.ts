import type { ServerResponse } from 'node:http';
import type { AuditEventRecord } from '../../../events/audit-event.js';
import type { EventNotifier } from '../../../store/event-notifier.js';
import { matchesFilters, type AuditLogFilters } from '../query/audit-log-query.js';
import type { EventLogReader } from '../../../store/event-log-reader.js';

/** How often the feed looks for events committed by another process while the notifier does not announce them (SQLite). */
export const LIVE_FEED_POLL_MS = 1000;
/**
 * How often it looks while the notifier announces other processes' commits too (PostgreSQL's LISTEN/NOTIFY):
 * only to find an event whose announcement was lost (its process died between commit and NOTIFY).
 */
export const LIVE_FEED_FALLBACK_POLL_MS = 10_000;
/** A comment line this often keeps proxies from closing a quiet connection. */
export const LIVE_FEED_HEARTBEAT_MS = 15_000;
/** Events read per query while catching up. */
const CATCH_UP_BATCH = 500;

/** One server-sent event (WHATWG HTML §9.2): the seq as its id, so `Last-Event-ID` resumes right after it. */
export function sseMessage(event: AuditEventRecord): string {
  return `id: ${event.seq}\nevent: audit-event\ndata: ${JSON.stringify(event)}\n\n`;
}

/** What a live feed reads from and writes to. */
export interface LiveFeedOptions {
  reader: EventLogReader;
  notifier: EventNotifier;
  orgId: string;
  filters: AuditLogFilters;
  /** Send events with a seq greater than this. */
  afterSeq: number;
  response: ServerResponse;
  onError(error: unknown): void;
  /**
   * Defaults to {@link LIVE_FEED_FALLBACK_POLL_MS} while the notifier covers other processes, else
   * {@link LIVE_FEED_POLL_MS}; chosen again before each poll, so a lost listening connection shortens it.
   */
  pollMs?: number;
  /** Defaults to {@link LIVE_FEED_HEARTBEAT_MS}. */
  heartbeatMs?: number;
}

/**
 * Follows an organization's log into a `text/event-stream` response: first everything after `afterSeq`, then
 * each commit as it happens. It wakes on the store's notifier (this process's commits, and on PostgreSQL the
 * other processes' too) and also polls, so an event whose announcement never came arrives as well. Events are sent in seq order; one pump runs at a time and respects the socket's
 * backpressure, so a slow client holds back the feed instead of buffering it in memory.
 *
 * @returns a function that stops the feed (also called when the client goes away).
 */
export function startLiveFeed(options: LiveFeedOptions): () => void {
  const { reader, orgId, filters, response } = options;
  let position = options.afterSeq;
  let closed = false;
  let pumping = false;
  let wokenWhilePumping = false;

  const waitForDrain = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });

  const pump = async (): Promise<void> => {
    if (closed) return;
    if (pumping) {
      wokenWhilePumping = true;
      return;
    }
    pumping = true;
    try {
      do {
        wokenWhilePumping = false;
        for (;;) {
          const events = await reader.findAfterSeq(orgId, position, CATCH_UP_BATCH);
          for (const event of events) {
            if (closed) return;
            if (matchesFilters(event, filters) && !response.write(sseMessage(event))) await waitForDrain();
            position = event.seq;
          }
          if (events.length < CATCH_UP_BATCH) break;
        }
      } while (wokenWhilePumping && !closed);
    } catch (error) {
      options.onError(error);
      stop();
    } finally {
      pumping = false;
    }
  };

  const unsubscribe = options.notifier.subscribe(orgId, (lastSeq) => {
    if (lastSeq > position) void pump();
  });
  let poll: NodeJS.Timeout | undefined;
  const schedulePoll = () => {
    const pollMs = options.pollMs ?? (options.notifier.coversOtherProcesses ? LIVE_FEED_FALLBACK_POLL_MS : LIVE_FEED_POLL_MS);
    poll = setTimeout(() => {
      void pump();
      if (!closed) schedulePoll();
    }, pollMs);
  };
  schedulePoll();
  const heartbeat = setInterval(() => {
    if (!closed) response.write(': heartbeat\n\n');
  }, options.heartbeatMs ?? LIVE_FEED_HEARTBEAT_MS);

  function stop(): void {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearTimeout(poll);
    clearInterval(heartbeat);
    if (!response.writableEnded) response.end();
  }

  response.on('close', stop);
  // A write racing a client that just left can fail; that is the client leaving, not a server error.
  response.on('error', stop);
  void pump();
  return stop;
}
