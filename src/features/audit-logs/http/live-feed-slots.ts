import { AttestError } from '../../../core/errors.js';

/** How long a client refused a live feed is told to wait before trying again. */
export const LIVE_FEED_RETRY_AFTER_SECONDS = 30;

/** The live feeds one process serves at most: per principal, and in all. */
export interface LiveFeedLimits {
  perPrincipal: number;
  total: number;
}

/**
 * Counts the open live feeds of this process, so that no principal, and no crowd of them, can hold more
 * connections (each with its poll timer and store queries) than the limits allow. A slot is taken before the
 * feed starts and given back when it ends, synchronously, so two requests racing for the last slot cannot
 * both get it.
 *
 * @example
 * const giveBack = slots.take(`user:${userId}`); // throws RATE_LIMITED past a limit
 * response.on('close', giveBack);
 */
export class LiveFeedSlots {
  private readonly byPrincipal = new Map<string, number>();
  private open = 0;

  constructor(private readonly limits: LiveFeedLimits) {}

  /** Takes a slot for `principal`, or throws RATE_LIMITED; returns the function that gives it back (once). */
  take(principal: string): () => void {
    const held = this.byPrincipal.get(principal) ?? 0;
    if (held >= this.limits.perPrincipal) {
      throw new AttestError(
        'RATE_LIMITED',
        `You already follow ${held} live feeds, the most one account may (ATTEST_STREAMS_PER_PRINCIPAL); close one and retry.`,
        [],
        LIVE_FEED_RETRY_AFTER_SECONDS,
      );
    }
    if (this.open >= this.limits.total) {
      throw new AttestError(
        'RATE_LIMITED',
        `The server already serves ${this.open} live feeds, its limit (ATTEST_STREAMS_TOTAL); retry later.`,
        [],
        LIVE_FEED_RETRY_AFTER_SECONDS,
      );
    }
    this.byPrincipal.set(principal, held + 1);
    this.open += 1;
    let givenBack = false;
    return () => {
      if (givenBack) return;
      givenBack = true;
      this.open -= 1;
      const left = (this.byPrincipal.get(principal) ?? 1) - 1;
      if (left === 0) this.byPrincipal.delete(principal);
      else this.byPrincipal.set(principal, left);
    };
  }
}
