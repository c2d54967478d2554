import { createHash } from 'node:crypto';

/**
 * The PostgreSQL notification channel that carries commits between the Attest processes of one schema, and its
 * messages. Channels are per database, not per schema, so the schema is part of the name: two deployments (or
 * two test schemas) in one database never wake each other.
 */
export function commitChannel(schema: string | undefined): string {
  const name = schema === undefined || schema === 'public' ? 'attest_events' : `attest_events_${schema}`;
  // A channel name is an identifier: at most 63 bytes. A long schema name is replaced by a digest of it.
  return name.length <= 63
    ? name
    : `attest_events_${createHash('sha256')
        .update(schema ?? '')
        .digest('hex')
        .slice(0, 32)}`;
}

/** PostgreSQL refuses a payload of 8000 bytes or more; stay well below. */
const MAX_PAYLOAD_BYTES = 7000;

/**
 * The payloads announcing that each organization's log now reaches a seq: `<origin> <orgId>:<lastSeq> …`, as
 * few as fit. `origin` names the sending process, so it can ignore its own announcements (it told its own
 * subscribers already, in-process).
 */
export function encodeCommitPayloads(origin: string, heads: ReadonlyMap<string, number>): string[] {
  const payloads: string[] = [];
  let current = origin;
  for (const [orgId, lastSeq] of heads) {
    const entry = ` ${orgId}:${lastSeq}`;
    if (current.length > origin.length && current.length + entry.length > MAX_PAYLOAD_BYTES) {
      payloads.push(current);
      current = origin;
    }
    current += entry;
  }
  if (current.length > origin.length) payloads.push(current);
  return payloads;
}

/** A payload read back; undefined for one that is not Attest's (anyone may notify on a channel). */
export function decodeCommitPayload(payload: string): { origin: string; heads: Map<string, number> } | undefined {
  const [origin, ...entries] = payload.split(' ');
  if (!origin || entries.length === 0) return undefined;
  const heads = new Map<string, number>();
  for (const entry of entries) {
    const colon = entry.lastIndexOf(':');
    const lastSeq = Number(entry.slice(colon + 1));
    if (colon <= 0 || !Number.isSafeInteger(lastSeq) || lastSeq < 0) return undefined;
    heads.set(entry.slice(0, colon), lastSeq);
  }
  return { origin, heads };
}
