import { AttestError } from '../core/errors.js';
import type { AttestStore } from '../store/attest-store.js';
import { EMPTY_THROTTLE_STATE, forgetQuietThrottleScopes, updateThrottleStates, type ThrottleState } from '../store/login-throttle-rows.js';

/**
 * The login throttle's numbers. A scope may fail a few password checks freely; after that each failure
 * doubles the wait before its next check, from {@link LOGIN_THROTTLE.firstDelayMs} up to
 * {@link LOGIN_THROTTLE.maxDelayMs}. Scopes are an account at one client address (guessing one password)
 * and a client address over every account (spraying one password over many), never an account alone: a
 * flood of wrong passwords from one address must not lock the account's owner out everywhere else.
 */
export const LOGIN_THROTTLE = {
  /** Failed checks of one account from one address before delays start. */
  accountAtAddressFreeFailures: 5,
  /** Failed checks from one address, over every account, before delays start. */
  addressFreeFailures: 20,
  firstDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  /** A scope without a failure for this long starts over. */
  forgetAfterMs: 60 * 60_000,
  /** How often a process deletes the scopes that were forgotten. */
  sweepEveryMs: 60_000,
} as const;

/** The wait before the next password check of a scope that has failed `failures` times. */
export function loginDelayAfter(failures: number, freeFailures: number): number {
  if (failures < freeFailures) return 0;
  return Math.min(LOGIN_THROTTLE.firstDelayMs * 2 ** (failures - freeFailures), LOGIN_THROTTLE.maxDelayMs);
}

/** A password check reserved by {@link LoginThrottle.reserve}, and what became of it. */
export interface LoginReservation {
  /** The password was right: the account's count at this address starts over; the address gets the check back. */
  passwordAccepted(): Promise<void>;
}

interface Scope {
  key: string;
  freeFailures: number;
}

/**
 * Throttles password checks in the store, so every process of a deployment counts together. A check is
 * reserved, counted as a failure, before the password is hashed, in one atomic step per scope
 * (`store/login-throttle-rows.ts`); guesses sent in parallel therefore cannot all pass the check before any
 * of them is counted. A right password gives its reservation back.
 */
export class LoginThrottle {
  private lastSweepAt = 0;

  constructor(private readonly store: AttestStore) {}

  /**
   * Reserves one password check of `email` from `address`, or throws RATE_LIMITED (with the seconds to wait)
   * when the account at this address, or the address, must wait.
   */
  async reserve(email: string, address: string): Promise<LoginReservation> {
    const scopes: Scope[] = [
      { key: `account:${address}|${email.trim().toLowerCase()}`, freeFailures: LOGIN_THROTTLE.accountAtAddressFreeFailures },
      { key: `address:${address}`, freeFailures: LOGIN_THROTTLE.addressFreeFailures },
    ];
    const reservedAt = this.store.clock.now();
    const waitMs = await updateThrottleStates(
      this.store,
      scopes.map((s) => s.key),
      (states) => {
        const current = scopes.map((scope) => ({ scope, state: remembered(states.get(scope.key), reservedAt) }));
        const wait = Math.max(0, ...current.map(({ state }) => state.nextAttemptAt - reservedAt));
        if (wait > 0) return { result: wait, states: new Map() };
        const counted = current.map(({ scope, state }): [string, ThrottleState] => {
          const failures = state.failures + 1;
          return [
            scope.key,
            { failures, lastFailureAt: reservedAt, nextAttemptAt: reservedAt + loginDelayAfter(failures, scope.freeFailures) },
          ];
        });
        return { result: 0, states: new Map(counted) };
      },
    );
    await this.sweepNowAndThen(reservedAt);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new AttestError(
        'RATE_LIMITED',
        `Too many failed logins; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
        [],
        seconds,
      );
    }
    const [accountAtAddress] = scopes;
    return { passwordAccepted: () => this.giveBack(scopes, reservedAt, accountAtAddress?.key) };
  }

  /**
   * Uncounts a reserved check that was no failure: the scope `startOver` is forgotten; every other scope has
   * its failures less one and its wait as if the check had not been made.
   */
  private async giveBack(scopes: readonly Scope[], reservedAt: number, startOver: string | undefined): Promise<void> {
    await updateThrottleStates(
      this.store,
      scopes.map((s) => s.key),
      (states) => {
        const updates = scopes.map(({ key, freeFailures }): [string, ThrottleState | undefined] => {
          const state = states.get(key) ?? EMPTY_THROTTLE_STATE;
          if (key === startOver) return [key, undefined];
          const failures = Math.max(0, state.failures - 1);
          return [
            key,
            { ...state, failures, nextAttemptAt: Math.min(state.nextAttemptAt, reservedAt + loginDelayAfter(failures, freeFailures)) },
          ];
        });
        return { result: undefined, states: new Map(updates) };
      },
    );
  }

  private async sweepNowAndThen(now: number): Promise<void> {
    if (now - this.lastSweepAt < LOGIN_THROTTLE.sweepEveryMs) return;
    this.lastSweepAt = now;
    await forgetQuietThrottleScopes(this.store, now - LOGIN_THROTTLE.forgetAfterMs);
  }
}

/** The state that still counts: a scope quiet for {@link LOGIN_THROTTLE.forgetAfterMs} starts over. */
function remembered(state: ThrottleState | undefined, now: number): ThrottleState {
  return state && now - state.lastFailureAt < LOGIN_THROTTLE.forgetAfterMs ? state : EMPTY_THROTTLE_STATE;
}
