/**
 * How a process uses its PostgreSQL connections (`ATTEST_PG_*`, README "Configuration"). Every limit is there
 * so that one slow query or one unreachable server cannot hold the whole pool, and with it every request.
 */
export interface PostgresConnectionSettings {
  /** Connections the pool opens at most (`ATTEST_PG_POOL_SIZE`); the listener for other processes' commits is one more. */
  poolSize: number;
  /**
   * The server cancels a statement that runs longer (`ATTEST_PG_STATEMENT_TIMEOUT_MS`, PostgreSQL's
   * `statement_timeout`; 0 = no limit). Migrations run without it: an index build may take longer. A transaction
   * left idle that long is ended too (`idle_in_transaction_session_timeout`).
   */
  statementTimeoutMs: number;
  /**
   * How long to wait for a connection (`ATTEST_PG_CONNECT_TIMEOUT_MS`): both opening one to the server and
   * waiting for a free one from the pool when every connection is busy.
   */
  connectTimeoutMs: number;
  /**
   * How long an unused connection stays open in the pool (`ATTEST_PG_IDLE_TIMEOUT_MS`; 0 = until the process
   * ends). A new connection costs a backend start and, on its first statements, the planner reading the
   * catalog of every weekly partition: with pg's default of 10 s an owner who paused between two pages waited
   * for four new connections (a first page of 2M events over HTTP: 115–232 ms after 12 s idle, 19–80 ms warm,
   * on the loaded 2-core machine).
   */
  idleTimeoutMs: number;
}

/** Defaults sized for a 2–4 core machine serving one Attest process per core. */
export const DEFAULT_POSTGRES_CONNECTION_SETTINGS: PostgresConnectionSettings = {
  poolSize: 10,
  statementTimeoutMs: 30_000,
  connectTimeoutMs: 5_000,
  idleTimeoutMs: 300_000,
};
