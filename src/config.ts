import { DEFAULT_DATABASE_URL } from './store/open-store.js';
import { DEFAULT_POSTGRES_CONNECTION_SETTINGS, type PostgresConnectionSettings } from './store/postgres/postgres-connection-settings.js';

/** Deployment settings, all from environment variables (README "Configuration"). */
export interface AttestConfig {
  port: number;
  host: string;
  databaseUrl: string;
  /** For PostgreSQL: the schema to use (default `public`). */
  postgresSchema: string | undefined;
  /** For PostgreSQL: pool size, statement and connection timeouts (`ATTEST_PG_*`). */
  postgres: PostgresConnectionSettings;
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
   * Which X-Forwarded-For entries to believe for the client address (login throttling, recorded IPs), in
   * Fastify's `trustProxy` terms: `false` (none, the default: without a proxy in front, any client could
   * claim any address), a number of proxy hops, the proxies' addresses or CIDR ranges, or `true` (every hop).
   */
  trustProxy: boolean | number | string[];
  /**
   * The origin browsers reach Attest at (`ATTEST_PUBLIC_URL`, e.g. `https://audit.example.com`), when a
   * reverse proxy makes it differ from the scheme and Host the server sees; a browser request that changes
   * something must come from it (or from the origin the server sees).
   */
  publicOrigin: string | undefined;
  /** Live feeds (`…/audit-logs/stream`) one account may hold open at once in a process. */
  streamsPerPrincipal: number;
  /** Live feeds a process serves at most, over every account. */
  streamsTotal: number;
  /** When set, `GET /metrics` answers only requests with `Authorization: Bearer <this token>`. */
  metricsToken: string | undefined;
  /** Streams to SIEMs, webhooks and syslog (PRODUCT.md §9). */
  streams: StreamsConfig;
  /** The deployment's log name (`ATTEST_LOG_NAME`): names the signing key and starts every checkpoint origin. */
  logName: string;
  /** Where the Ed25519 log key is kept (`ATTEST_LOG_KEY_FILE`), created with mode 0600 when missing. */
  logKeyFile: string;
  /**
   * Whether this process grows the Merkle trees and signs checkpoints (default true). Internal: only the
   * benchmark turns it off (`ATTEST_INTERNAL_CHECKPOINTER=off`), to measure ingest without the tree beside
   * the same run with it. A deployment without a checkpointer proves nothing.
   */
  checkpointer: boolean;
  /** A folder of extra product-area files (`ATTEST_CATALOG_DIR`, PRODUCT.md §10), loaded at start. */
  catalogDir: string | undefined;
}

/** How streams connect and retry. */
export interface StreamsConfig {
  /** Let destinations point at loopback, link-local and private addresses (tests, on-premises receivers). */
  allowPrivate: boolean;
  /** First retry delay after a failed delivery; it doubles per failure (with jitter) up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Limit on connecting and on a whole delivery request. */
  timeoutMs: number;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min} (got "${raw}")`);
  return value;
}

/** `ATTEST_TRUST_PROXY`: `true`/`false`, a hop count, or a comma-separated list of proxy addresses or CIDR ranges. */
function trustProxyFromEnv(raw: string | undefined): AttestConfig['trustProxy'] {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const proxies = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (proxies.some((entry) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry))) {
    throw new Error(`ATTEST_TRUST_PROXY must be true, false, a hop count or comma-separated proxy addresses/CIDR ranges (got "${raw}")`);
  }
  return proxies;
}

/** `ATTEST_PUBLIC_URL` reduced to its origin (`https://host[:port]`). */
function originFromEnv(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`ATTEST_PUBLIC_URL must be an absolute http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`ATTEST_PUBLIC_URL must be an absolute http(s) URL (got "${raw}")`);
  return url.origin;
}

/** Reads the configuration; throws a message naming the variable when one is malformed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AttestConfig {
  return {
    port: intFromEnv(env, 'PORT', 8080, 0),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.ATTEST_DATABASE_URL || DEFAULT_DATABASE_URL,
    postgresSchema: env.ATTEST_POSTGRES_SCHEMA || undefined,
    postgres: {
      poolSize: intFromEnv(env, 'ATTEST_PG_POOL_SIZE', DEFAULT_POSTGRES_CONNECTION_SETTINGS.poolSize, 1),
      statementTimeoutMs: intFromEnv(env, 'ATTEST_PG_STATEMENT_TIMEOUT_MS', DEFAULT_POSTGRES_CONNECTION_SETTINGS.statementTimeoutMs, 0),
      connectTimeoutMs: intFromEnv(env, 'ATTEST_PG_CONNECT_TIMEOUT_MS', DEFAULT_POSTGRES_CONNECTION_SETTINGS.connectTimeoutMs, 1),
      idleTimeoutMs: intFromEnv(env, 'ATTEST_PG_IDLE_TIMEOUT_MS', DEFAULT_POSTGRES_CONNECTION_SETTINGS.idleTimeoutMs, 0),
    },
    retentionDays: intFromEnv(env, 'ATTEST_RETENTION_DAYS', 90, 1),
    bootstrapEmail: env.ATTEST_BOOTSTRAP_EMAIL || 'owner@example.com',
    bootstrapPassword: env.ATTEST_BOOTSTRAP_PASSWORD || undefined,
    bootstrapOrgName: env.ATTEST_BOOTSTRAP_ORG_NAME || 'Example Organization',
    bootstrapTimeZone: env.ATTEST_BOOTSTRAP_TIME_ZONE || 'UTC',
    purgeIntervalMinutes: intFromEnv(env, 'ATTEST_PURGE_INTERVAL_MINUTES', 60, 1),
    logLevel: env.LOG_LEVEL || 'info',
    secureCookies: env.ATTEST_SECURE_COOKIES === 'true',
    trustProxy: trustProxyFromEnv(env.ATTEST_TRUST_PROXY),
    publicOrigin: originFromEnv(env.ATTEST_PUBLIC_URL),
    streamsPerPrincipal: intFromEnv(env, 'ATTEST_STREAMS_PER_PRINCIPAL', 20, 1),
    streamsTotal: intFromEnv(env, 'ATTEST_STREAMS_TOTAL', 500, 1),
    metricsToken: env.ATTEST_METRICS_TOKEN || undefined,
    streams: {
      allowPrivate: env.ATTEST_STREAMS_ALLOW_PRIVATE === 'true',
      retryBaseMs: intFromEnv(env, 'ATTEST_STREAMS_RETRY_BASE_MS', 1000, 1),
      retryMaxMs: intFromEnv(env, 'ATTEST_STREAMS_RETRY_MAX_MS', 300_000, 1),
      timeoutMs: intFromEnv(env, 'ATTEST_STREAMS_TIMEOUT_MS', 10_000, 1),
    },
    logName: logNameFromEnv(env),
    logKeyFile: env.ATTEST_LOG_KEY_FILE || './data/log-key',
    checkpointer: env.ATTEST_INTERNAL_CHECKPOINTER !== 'off',
    catalogDir: env.ATTEST_CATALOG_DIR || undefined,
  };
}

/** `ATTEST_LOG_NAME`: a key name and checkpoint origin prefix, so no white space and no `+` (C2SP signed-note). */
function logNameFromEnv(env: NodeJS.ProcessEnv): string {
  const name = env.ATTEST_LOG_NAME || 'attest.local';
  if (/[\s+]/u.test(name)) throw new Error(`ATTEST_LOG_NAME may hold no white space and no + (got "${name}")`);
  return name;
}

export const DAY_MS = 86_400_000;
