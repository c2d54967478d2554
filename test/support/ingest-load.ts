import type { AppendedEvent } from '../../src/events/audit-event.js';
import { incomingEvent } from './ingest-harness.js';
import { postEvents, type RawResponse } from './raw-http.js';

/** One acknowledged request: what it sent (by idempotency key) and what the server answered. */
export interface Acknowledgement {
  keys: string[];
  events: AppendedEvent[];
}

/** What a load run saw: every acknowledgement and every other outcome. */
export interface LoadOutcome {
  acknowledged: Acknowledgement[];
  /** Status codes of complete answers that were not 201. */
  otherStatuses: number[];
  /** Requests that ended with a connection error (refused, reset) instead of an answer. */
  connectionErrors: number;
  /** Requests started but not yet answered at the moment `interrupt` ran. */
  inFlightAtInterrupt: number;
}

/**
 * Sends batches from `senders` concurrent loops, back to back, until the server stops answering. After the
 * `interruptAfter`-th acknowledgement, `interrupt` runs synchronously inside the response callback (e.g. a
 * SIGKILL of the server), with other requests still in flight; answers that still arrive afterwards (already on
 * the wire) are acknowledgements too.
 */
export async function loadUntilInterrupted(options: {
  port: number;
  producerKey: string;
  orgId: string;
  senders: number;
  eventsPerRequest: number;
  interruptAfter: number;
  interrupt: () => void;
  /** Upper bound of requests per sender, so the loop ends even if the interrupt never stops the server. */
  maxRequestsPerSender?: number;
}): Promise<LoadOutcome> {
  const outcome: LoadOutcome = { acknowledged: [], otherStatuses: [], connectionErrors: 0, inFlightAtInterrupt: 0 };
  let inFlight = 0;
  let interrupted = false;
  let stopSending = false;
  const onComplete = (keys: string[]) => (response: RawResponse) => {
    inFlight -= 1;
    if (response.status !== 201) {
      outcome.otherStatuses.push(response.status);
      return;
    }
    outcome.acknowledged.push({ keys, events: (JSON.parse(response.body) as { events: AppendedEvent[] }).events });
    if (!interrupted && outcome.acknowledged.length >= options.interruptAfter) {
      interrupted = true;
      outcome.inFlightAtInterrupt = inFlight;
      options.interrupt();
    }
  };
  const sender = async (senderIndex: number) => {
    for (let r = 0; r < (options.maxRequestsPerSender ?? 500) && !stopSending; r += 1) {
      const keys = Array.from({ length: options.eventsPerRequest }, (_, i) => `s${senderIndex}-r${r}-e${i}`);
      inFlight += 1;
      try {
        await postEvents(
          options.port,
          options.producerKey,
          keys.map((idempotencyKey) => incomingEvent(options.orgId, { idempotencyKey })),
          onComplete(keys),
        );
        if (interrupted && outcome.otherStatuses.length > 0) stopSending = true;
      } catch {
        inFlight -= 1;
        outcome.connectionErrors += 1;
        // The server is gone (or closing): this sender is done.
        if (interrupted) return;
      }
    }
  };
  await Promise.all(Array.from({ length: options.senders }, (_, i) => sender(i)));
  return outcome;
}
