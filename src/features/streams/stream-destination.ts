import { ACTION_TYPES } from '../../catalog/event-catalog.js';
import { findEventType } from '../../catalog/catalog-registry.js';
import { DAY_MS } from '../../config.js';
import { invalidField } from '../../core/errors.js';
import type { StreamKind } from '../../store/database-schema.js';
import type { StreamDestinationRow } from '../../store/stream-destination-queries.js';

/** Which events a destination receives; absent criteria let everything through ("alert me on security actions" is `{ security: true }`). */
export interface StreamFilter {
  types?: string[];
  actions?: string[];
  security?: true;
}

/** A destination's delivery state as an owner sees it (PRODUCT.md §9). */
export type StreamState = 'ok' | 'retrying' | 'failing' | 'paused';

/** A destination as the API returns it: its settings and how far delivery has got; never its secret or token. */
export interface StreamView {
  id: string;
  kind: StreamKind;
  url: string;
  filter: StreamFilter;
  enabled: boolean;
  state: StreamState;
  lastDeliveredSeq: number;
  lagEvents: number;
  /** Seconds since the oldest event the destination has not accepted was committed; null when caught up. */
  lagSeconds: number | null;
  lastError: string | null;
  lastDeliveredAt: string | null;
  failingSince: string | null;
  nextAttemptAt: string | null;
  hasCaBundle: boolean;
  createdAt: string;
}

/** After this long failing without a success, a destination is `failing` (and retried hourly). */
export const FAILING_AFTER_MS = DAY_MS;

/** The state of a destination at `nowMs`. */
export function streamStateOf(row: StreamDestinationRow, nowMs: number): StreamState {
  if (!row.enabled) return 'paused';
  if (row.failing_since !== null && nowMs - Number(row.failing_since) >= FAILING_AFTER_MS) return 'failing';
  if (row.failed_attempts > 0) return 'retrying';
  return 'ok';
}

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** How far the organization's log has gone past a destination's cursor (read from the store beside its row). */
export interface StreamProgress {
  /** The organization's last committed seq. */
  orgLastSeq: number;
  /** `recorded_at` of the first event after the destination's cursor; null when there is none. */
  oldestUndeliveredAtMs: number | null;
}

/**
 * The lag in time: how long ago the oldest event the destination still lacks was committed, in seconds (to the
 * millisecond); null when it lacks none. Commit time, not `occurredAt`: a producer may send events that
 * happened days ago, which says nothing about how far delivery is behind.
 */
export function lagSecondsOf(oldestUndeliveredAtMs: number | null, nowMs: number): number | null {
  if (oldestUndeliveredAtMs === null) return null;
  return Math.max(0, nowMs - oldestUndeliveredAtMs) / 1000;
}

/** The API view of a destination, given how far its organization's log has gone. */
export function toStreamView(row: StreamDestinationRow, progress: StreamProgress, nowMs: number): StreamView {
  const lastDeliveredSeq = Number(row.last_delivered_seq);
  const lagEvents = Math.max(0, progress.orgLastSeq - lastDeliveredSeq);
  return {
    id: row.id,
    kind: row.kind,
    url: row.url,
    filter: JSON.parse(row.filter) as StreamFilter,
    enabled: row.enabled === 1,
    state: streamStateOf(row, nowMs),
    lastDeliveredSeq,
    lagEvents,
    lagSeconds: lagEvents === 0 ? null : lagSecondsOf(progress.oldestUndeliveredAtMs, nowMs),
    lastError: row.last_error,
    lastDeliveredAt: isoOrNull(row.last_delivered_at),
    failingSince: isoOrNull(row.failing_since),
    nextAttemptAt: isoOrNull(row.next_attempt_at),
    hasCaBundle: row.ca_bundle !== null,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

/** Where a destination is: its host and port, and whether the connection is TLS. */
export interface StreamEndpoint {
  host: string;
  port: number;
  tls: boolean;
}

const URL_SCHEMES: Record<StreamKind, readonly string[]> = {
  webhook: ['https:', 'http:'],
  'splunk-hec': ['https:', 'http:'],
  syslog: ['tls:', 'tcp:'],
};

/**
 * Checks a destination URL for its kind and returns where it points. Plain `http:` is accepted only with
 * `allowPlainHttp` (ATTEST_STREAMS_ALLOW_PRIVATE, for tests and on-premises receivers): the log must not cross
 * a network in clear text.
 */
export function parseStreamUrl(kind: StreamKind, raw: string, allowPlainHttp: boolean): StreamEndpoint {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidField('url', 'is not a valid URL');
  }
  const schemes = URL_SCHEMES[kind];
  if (!schemes.includes(url.protocol))
    throw invalidField('url', `must start with ${schemes.map((s) => `${s}//`).join(' or ')} for a ${kind} destination`);
  if (url.protocol === 'http:' && !allowPlainHttp)
    throw invalidField('url', 'must use https:// (plain http:// is allowed only with ATTEST_STREAMS_ALLOW_PRIVATE=true)');
  if (url.username || url.password) throw invalidField('url', 'must not carry a user name or password; use the secret or token');
  if (!url.hostname) throw invalidField('url', 'needs a host');
  const tls = url.protocol === 'https:' || url.protocol === 'tls:';
  if (kind === 'syslog') {
    if (!url.port) throw invalidField('url', 'needs a port, e.g. tls://siem.example.com:6514');
    if (url.pathname && url.pathname !== '/') throw invalidField('url', 'must not have a path for a syslog destination');
  }
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, tls };
}

/** Checks a filter against the catalog; every problem names its field. */
export function validateStreamFilter(filter: StreamFilter): StreamFilter {
  const checked: StreamFilter = {};
  if (filter.types !== undefined) {
    filter.types.forEach((type, i) => {
      if (!findEventType(type)) throw invalidField(`filter.types[${i}]`, `unknown event type "${type}"`);
    });
    checked.types = [...new Set(filter.types)];
  }
  if (filter.actions !== undefined) {
    filter.actions.forEach((action, i) => {
      if (!(ACTION_TYPES as readonly string[]).includes(action))
        throw invalidField(`filter.actions[${i}]`, `unknown action type "${action}" (one of ${ACTION_TYPES.join(', ')})`);
    });
    checked.actions = [...new Set(filter.actions)];
  }
  if (filter.security === true) checked.security = true;
  return checked;
}

/** True when an event of this type, action and security flag passes the filter. */
export function filterAccepts(filter: StreamFilter, event: { type: string; action: string; security: boolean }): boolean {
  if (filter.types && !filter.types.includes(event.type)) return false;
  if (filter.actions && !filter.actions.includes(event.action)) return false;
  if (filter.security && !event.security) return false;
  return true;
}
