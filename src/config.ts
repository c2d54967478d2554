import { DEFAULT_DATABASE_URL } from './store/open-store.js';

/** Deployment settings, all from environment variables (README "Configuration"). */
export interface AttestConfig {
  port: number;
  host: string;
  databaseUrl: string;
  /** For PostgreSQL: the schema to use (default `public`). */
  postgresSchema: string | undefined;
  retentionDays: number;
  bootstrapEmail: string;
  bootstrapPassword: string | undefined;
  bootstrapOrgName: string;
  bootstrapTimeZone: string;
  /** Minutes between scheduled purges of expired events. */
  purgeIntervalMinutes: number;
  logLevel: string;
  /** Set the Secure attribute on the session cookie (behind HTTPS). */
  secureCookies: boolean;
  /**
   * Trust X-Forwarded-For from a reverse proxy for the client address (login rate limits, recorded IPs).
   * Off by default: without a proxy in front, any client could claim any address.
   */
  trustProxy: boolean;
  /** The deployment's log name (`ATTEST_LOG_NAME`): names the signing key and starts every checkpoint origin. */
  logName: string;
  /** Where the Ed25519 log key is kept (`ATTEST_LOG_KEY_FILE`), created with mode 0600 when missing. */
  logKeyFile: string;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min} (got "${raw}")`);
  return value;
}

/** Reads the configuration; throws a message naming the variable when one is malformed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AttestConfig {
  return {
    port: intFromEnv(env, 'PORT', 8080, 0),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.ATTEST_DATABASE_URL || DEFAULT_DATABASE_URL,
    postgresSchema: env.ATTEST_POSTGRES_SCHEMA || undefined,
    retentionDays: intFromEnv(env, 'ATTEST_RETENTION_DAYS', 90, 1),
    bootstrapEmail: env.ATTEST_BOOTSTRAP_EMAIL || 'owner@example.com',
    bootstrapPassword: env.ATTEST_BOOTSTRAP_PASSWORD || undefined,
    bootstrapOrgName: env.ATTEST_BOOTSTRAP_ORG_NAME || 'Example Organization',
    bootstrapTimeZone: env.ATTEST_BOOTSTRAP_TIME_ZONE || 'UTC',
    purgeIntervalMinutes: intFromEnv(env, 'ATTEST_PURGE_INTERVAL_MINUTES', 60, 1),
    logLevel: env.LOG_LEVEL || 'info',
    secureCookies: env.ATTEST_SECURE_COOKIES === 'true',
    trustProxy: env.ATTEST_TRUST_PROXY === 'true',
    logName: logNameFromEnv(env),
    logKeyFile: env.ATTEST_LOG_KEY_FILE || './data/log-key',
  };
}

/** `ATTEST_LOG_NAME`: a key name and checkpoint origin prefix, so no white space and no `+` (C2SP signed-note). */
function logNameFromEnv(env: NodeJS.ProcessEnv): string {
  const name = env.ATTEST_LOG_NAME || 'attest.local';
  if (/[\s+]/u.test(name)) throw new Error(`ATTEST_LOG_NAME may hold no white space and no + (got "${name}")`);
  return name;
}

export const DAY_MS = 86_400_000;
