import type { AttestStore } from './attest-store.js';

/** The throttle state of one scope; a scope without a row is {@link EMPTY_THROTTLE_STATE}. */
export interface ThrottleState {
  failures: number;
  lastFailureAt: number;
  /** No password check for the scope before this time (ms since the epoch). */
  nextAttemptAt: number;
}

export const EMPTY_THROTTLE_STATE: ThrottleState = { failures: 0, lastFailureAt: 0, nextAttemptAt: 0 };

/** What {@link updateThrottleStates} does with each scope: a new state, or `undefined` to forget the scope. */
export type ThrottleUpdate<T> = { result: T; states: ReadonlyMap<string, ThrottleState | undefined> };

/**
 * Reads the throttle states of `keys` and writes what `decide` makes of them, as one atomic step: in one
 * transaction whose rows are locked from the read to the commit (PostgreSQL: every row is first made to exist,
 * then read `FOR UPDATE` in key order, so two attempts never deadlock; SQLite: the transaction holds the
 * database's write lock from `BEGIN IMMEDIATE`). Parallel attempts on a scope therefore see each other's
 * updates, one after another, which a read followed by a separate write would not.
 */
export async function updateThrottleStates<T>(
  store: AttestStore,
  keys: readonly string[],
  decide: (states: ReadonlyMap<string, ThrottleState>) => ThrottleUpdate<T>,
): Promise<T> {
  const sorted = [...new Set(keys)].sort();
  return store.transaction(async (tx) => {
    await tx
      .insertInto('login_throttle')
      .values(sorted.map((scope_key) => ({ scope_key, failures: 0, last_failure_at: 0, next_attempt_at: 0 })))
      .onConflict((oc) => oc.column('scope_key').doNothing())
      .execute();
    const rows = await tx
      .selectFrom('login_throttle')
      .selectAll()
      .where('scope_key', 'in', sorted)
      .orderBy('scope_key')
      .$if(store.dialect.supportsRowLocks, (qb) => qb.forUpdate())
      .execute();
    const current = new Map<string, ThrottleState>(sorted.map((key) => [key, EMPTY_THROTTLE_STATE]));
    for (const row of rows)
      current.set(row.scope_key, {
        failures: Number(row.failures),
        lastFailureAt: Number(row.last_failure_at),
        nextAttemptAt: Number(row.next_attempt_at),
      });
    const { result, states } = decide(current);
    for (const [key, state] of states) {
      if (state === undefined) await tx.deleteFrom('login_throttle').where('scope_key', '=', key).execute();
      else
        await tx
          .updateTable('login_throttle')
          .set({ failures: state.failures, last_failure_at: state.lastFailureAt, next_attempt_at: state.nextAttemptAt })
          .where('scope_key', '=', key)
          .execute();
    }
    return result;
  });
}

/**
 * Deletes the scopes whose last failure is older than `before`: they start over anyway, and the table stays
 * small. On PostgreSQL it passes over rows an attempt holds locked (`SKIP LOCKED`), so it never waits for,
 * or deadlocks with, {@link updateThrottleStates}; the next sweep takes them.
 */
export async function forgetQuietThrottleScopes(store: AttestStore, before: number): Promise<void> {
  await store.db
    .deleteFrom('login_throttle')
    .where('scope_key', 'in', (eb) =>
      eb
        .selectFrom('login_throttle')
        .select('scope_key')
        .where('last_failure_at', '<', before)
        .$if(store.dialect.supportsRowLocks, (qb) => qb.forUpdate().skipLocked()),
    )
    .execute();
}
