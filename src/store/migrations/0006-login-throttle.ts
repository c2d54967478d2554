import type { Kysely, Migration } from 'kysely';

/**
 * Login throttling by scope (an account at a client address, or a client address) with growing delays, in
 * place of counting failed logins per email: one row per scope, which a login attempt locks and updates
 * before the password is checked, so parallel guesses take turns on it instead of all reading "no failures
 * yet". The old per-failure rows only ever held one 15-minute window; they are dropped, not converted.
 */
export const loginThrottle: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('login_failures').ifExists().execute();
    await db.schema
      .createTable('login_throttle')
      .addColumn('scope_key', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .execute();
    // For sweeping scopes that have been quiet long enough to be forgotten.
    await db.schema.createIndex('login_throttle_by_last_failure').on('login_throttle').column('last_failure_at').execute();
  },
};
