/** An RFC 9457 problem document as Attest sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Array<{ index?: number; field?: string; reason: string }>;
  [key: string]: unknown;
}

/** The server refused the batch (a 4xx other than 429): every event of the batch is rejected with this. */
export class AttestProblemError extends Error {
  override readonly name = 'AttestProblemError';
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`Attest answered ${status}: ${problem.detail ?? problem.title ?? 'no detail'}`);
  }
}

/** The batch could not be delivered within the retry budget (429/5xx/network errors every time). */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  constructor(
    readonly attempts: number,
    readonly lastFailure: string,
  ) {
    super(`Attest did not accept the batch after ${attempts} attempts; last failure: ${lastFailure}`);
  }
}

/** send() was called while maxQueuedEvents events were already waiting: the event was not queued. */
export class QueueFullError extends Error {
  override readonly name = 'QueueFullError';
  constructor(readonly maxQueuedEvents: number) {
    super(`the Attest client already holds ${maxQueuedEvents} unsent events (maxQueuedEvents); the event was not queued`);
  }
}

/** send() was called after close(). */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  constructor() {
    super('the Attest client is closed');
  }
}
