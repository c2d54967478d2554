import type { Registry } from 'prom-client';
import type { AttestConfig } from '../config.js';
import type { AppendedEvent, PreparedEvent } from '../events/audit-event.js';
import type { AttestStore } from '../store/attest-store.js';
import type { LoginAttemptHooks } from '../auth/login-attempts.js';

/**
 * Everything the shared HTTP layer and the features' routes need, built once by the service composition
 * (`service/create-services.ts`, or a test) and handed to `buildApp`.
 */
export interface AppServices {
  store: AttestStore;
  config: AttestConfig;
  committer: EventCommitter;
  metrics: Registry;
  /** Rate limiting and auditing of logins; absent, logins are neither limited nor recorded. */
  loginAttempts?: LoginAttemptHooks;
}

/**
 * The ingest group committer as the shared HTTP layer sees it: `features/ingest/group-committer.ts` implements
 * it and the service composition builds it, so this layer, below every feature, names none.
 */
export interface EventCommitter {
  /** Queues a batch; resolves with each event's `logId` and `seq` once committed. */
  append(events: readonly PreparedEvent[]): Promise<AppendedEvent[]>;
  /** Stops taking batches and waits for every queued one to commit (graceful shutdown). */
  close(): Promise<void>;
  /** Committed transactions and batches, for the metrics. */
  readonly commits: number;
}
