/**
 * A source of the current time. Operations take a clock instead of calling `Date.now()` so that tests and
 * `attest demo` can place actions in the past without writing audit rows by hand.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that always returns the given instant; `set` moves it. */
export class FixedClock implements Clock {
  constructor(private instant: number) {}
  now(): number {
    return this.instant;
  }
  set(instant: number): void {
    this.instant = instant;
  }
}
