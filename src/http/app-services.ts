import type { Registry } from 'prom-client';
import type { AttestConfig } from '../config.js';
import type { GroupCommitter } from '../features/ingest/group-committer.js';
import type { AttestStore } from '../store/attest-store.js';
import type { LoginAttemptHooks } from '../auth/login-attempts.js';

/** Everything the HTTP layer needs, built once by the entry point (or a test) and handed to `buildApp`. */
export interface AppServices {
  store: AttestStore;
  config: AttestConfig;
  committer: GroupCommitter;
  metrics: Registry;
  /** Rate limiting and auditing of logins; absent, logins are neither limited nor recorded. */
  loginAttempts?: LoginAttemptHooks;
}
