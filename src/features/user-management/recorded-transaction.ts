import { AttestError } from '../../core/errors.js';
import type { PreparedEvent } from '../../events/audit-event.js';
import type { StoreTransaction } from '../../store/event-log-writer.js';
import type { CommandContext } from './command-context.js';

/** What a command's transaction body returns: its result and the events that record it. */
export interface RecordedChange<T> {
  result: T;
  events: PreparedEvent[];
}

/**
 * Runs a User Management change and appends its audit events in ONE store transaction, so the change and its
 * record commit together or not at all (PRODUCT.md §1). A body that throws (validation, a rights check, a
 * failing audit write) rolls everything back. The store tells live-feed subscribers only after the commit.
 *
 * @example
 * return recordedTransaction(ctx, async (tx) => { await insertMembership(tx, row); return { result, events: [event] }; });
 */
export async function recordedTransaction<T>(ctx: CommandContext, body: (tx: StoreTransaction) => Promise<RecordedChange<T>>): Promise<T> {
  return ctx.store
    .transaction(async (tx) => {
      const change = await body(tx);
      if (change.events.length > 0) await ctx.store.appendEventsIn(tx, change.events);
      return change.result;
    })
    .catch((error: unknown) => {
      // Two requests creating the same thing at once (PostgreSQL runs them side by side): the loser's unique
      // violation is a conflict to retry, not a server error. Its transaction, event included, was rolled back.
      if (ctx.store.dialect.isUniqueViolation(error))
        throw new AttestError('CONFLICT', 'The same change was made concurrently; reload and try again.');
      throw error;
    });
}
