import type { Agent as HttpAgent } from 'node:http';
import type { StreamedEventRow } from '../../../store/stream-destination-queries.js';
import type { StreamEndpoint } from '../stream-destination.js';

/** One batch for a destination: up to 100 events in seq order, and an id the receiver may log. */
export interface OutgoingBatch {
  /** The same for every attempt at the same events, so a receiver can tell a retry from a new batch. */
  deliveryId: string;
  events: readonly StreamedEventRow[];
}

/** How a sender connects: the limits and the address guard. */
export interface SendLimits {
  /** Limit on connecting and on the whole exchange. */
  timeoutMs: number;
  /** Skip the public-address check (ATTEST_STREAMS_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** PEM CAs to trust instead of the system's, for this destination. */
  caBundle: string | undefined;
  /**
   * The delivery loop's keep-alive agent for HTTP destinations: one connection reused batch after batch instead
   * of a connection (and a TLS handshake) per batch. Absent: a connection of its own (the test event).
   */
  agent?: HttpAgent | undefined;
}

/** Delivers batches to one destination; resolves once the receiver accepted, throws {@link DeliveryFailure} otherwise. */
export interface StreamSender {
  send(batch: OutgoingBatch): Promise<void>;
}

/** A delivery the receiver did not accept, and when it asked to be tried again (`Retry-After`). */
export class DeliveryFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DeliveryFailure';
  }
}

/** A destination's settings as a sender needs them, its credential decrypted. */
export interface SenderTarget {
  streamId: string;
  url: string;
  endpoint: StreamEndpoint;
  /** The webhook secret or HEC token. */
  credential: string | undefined;
}
