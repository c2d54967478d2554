import type { StreamsConfig } from '../../config.js';
import { AttestError, invalidField } from '../../core/errors.js';
import { newId, newSecret } from '../../core/ids.js';
import type { FieldChange, JsonValue } from '../../events/audit-event.js';
import type { AttestStore } from '../../store/attest-store.js';
import type { StreamKind } from '../../store/database-schema.js';
import {
  deleteStreamDestination,
  findStreamDestination,
  insertStreamDestination,
  newStreamDestinationRow,
  orgLastSeq,
  streamCredentialKey,
  updateStreamSettings,
  type StreamDestinationRow,
  type StreamSettingsChange,
} from '../../store/stream-destination-queries.js';
import { checkCaBundle } from './ca-bundle.js';
import { assertPublicHost, PrivateAddressError } from './private-address-guard.js';
import { prepareStreamEvent, type StreamChangeContext, type StreamEventType } from './stream-audit-events.js';
import { encryptCredential } from './stream-credentials.js';
import { parseStreamUrl, validateStreamFilter, type StreamFilter } from './stream-destination.js';

// Owners' changes to destinations. Each change and its audit event (product AuditLogs, a security action)
// commit in one transaction; the secret or token is encrypted before it is stored and never recorded.

/** A destination as an owner creates it (PRODUCT.md §9). */
export interface NewStream {
  kind: StreamKind;
  url: string;
  secret?: string;
  token?: string;
  filter?: StreamFilter;
  enabled?: boolean;
  caBundle?: string;
}

/** What an owner may change; `rotateSecret` makes a new webhook secret, returned once. */
export interface StreamChange {
  url?: string;
  filter?: StreamFilter;
  enabled?: boolean;
  secret?: string;
  token?: string;
  rotateSecret?: boolean;
  caBundle?: string | null;
}

/** A destination as a command leaves it, with the webhook secret when one was just made (shown once). */
export interface StreamCommandResult {
  row: StreamDestinationRow;
  secret?: string;
}

/** What the commands need: the store, the streams settings, and who acts. */
export interface StreamCommandContext extends StreamChangeContext {
  store: AttestStore;
  config: StreamsConfig;
}

/** Webhook secrets Attest generates carry this prefix, like Attest's other secrets. */
const WEBHOOK_SECRET_PREFIX = 'whsec';
const MIN_SECRET_LENGTH = 16;

/** Checks the URL for the kind and, unless private addresses are allowed, that its host resolves only to public addresses. */
async function checkDestinationUrl(kind: StreamKind, url: string, config: StreamsConfig): Promise<void> {
  const endpoint = parseStreamUrl(kind, url, config.allowPrivate);
  if (config.allowPrivate) return;
  try {
    await assertPublicHost(endpoint.host);
  } catch (error) {
    if (error instanceof PrivateAddressError) throw invalidField('url', error.message);
    throw invalidField('url', `${endpoint.host} does not resolve (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Which credential a kind takes: a webhook a secret, Splunk HEC a token, syslog none. */
function credentialOf(
  kind: StreamKind,
  input: { secret?: string; token?: string },
  generate: boolean,
): { plain?: string; generated: boolean } {
  if (kind === 'webhook') {
    if (input.token !== undefined) throw invalidField('token', 'is for splunk-hec destinations; a webhook takes a secret');
    if (input.secret !== undefined) {
      if (input.secret.length < MIN_SECRET_LENGTH) throw invalidField('secret', `must be at least ${MIN_SECRET_LENGTH} characters`);
      return { plain: input.secret, generated: false };
    }
    return generate ? { plain: newSecret(WEBHOOK_SECRET_PREFIX), generated: true } : { generated: false };
  }
  if (input.secret !== undefined)
    throw invalidField('secret', `is for webhook destinations; a ${kind} destination takes ${kind === 'splunk-hec' ? 'a token' : 'none'}`);
  if (kind === 'splunk-hec') {
    if (input.token !== undefined) {
      if (!input.token.trim()) throw invalidField('token', 'must not be empty');
      return { plain: input.token, generated: false };
    }
    if (generate) throw invalidField('token', 'is required for a splunk-hec destination');
    return { generated: false };
  }
  if (input.token !== undefined) throw invalidField('token', 'is for splunk-hec destinations');
  return { generated: false };
}

/** Creates a destination whose cursor starts at the log's current end: it receives what is committed from now on, its own creation event first. */
export async function createStream(ctx: StreamCommandContext, input: NewStream): Promise<StreamCommandResult> {
  await checkDestinationUrl(input.kind, input.url, ctx.config);
  const filter = validateStreamFilter(input.filter ?? {});
  if (input.caBundle !== undefined) checkCaBundle(input.caBundle, ctx.nowMs);
  const credential = credentialOf(input.kind, input, true);
  const key = await streamCredentialKey(ctx.store.db, ctx.nowMs);
  const id = newId(ctx.nowMs);
  const row = newStreamDestinationRow({
    id,
    org_id: ctx.orgId,
    kind: input.kind,
    url: input.url,
    filter: JSON.stringify(filter),
    enabled: input.enabled === false ? 0 : 1,
    credential: credential.plain === undefined ? null : encryptCredential(key, id, credential.plain),
    ca_bundle: input.caBundle ?? null,
    // Set to the log's end inside the transaction below.
    last_delivered_seq: -1,
    created_at: ctx.nowMs,
  });
  await ctx.store.transaction(async (tx) => {
    row.last_delivered_seq = await orgLastSeq(tx, ctx.orgId);
    await insertStreamDestination(tx, row);
    const metadata: Record<string, JsonValue> = { filter: filter as Record<string, JsonValue>, enabled: row.enabled === 1 };
    await ctx.store.appendEventsIn(tx, [prepareStreamEvent('audit_log.stream.created', row, ctx, { metadata })]);
  });
  return credential.generated && credential.plain !== undefined ? { row, secret: credential.plain } : { row };
}

/** Finds a destination of the organization, else 404. */
export async function requireStream(store: AttestStore, orgId: string, id: string): Promise<StreamDestinationRow> {
  const row = await findStreamDestination(store.dialect.readDb, orgId, id);
  if (!row) throw new AttestError('NOT_FOUND', 'Stream destination not found.');
  return row;
}

/**
 * Changes a destination. Each kind of change is its own event: settings (`updated`, with before/after),
 * `paused` / `resumed`, and `secret_rotated` (never with the secret).
 */
export async function changeStream(ctx: StreamCommandContext, id: string, change: StreamChange): Promise<StreamCommandResult> {
  const before = await requireStream(ctx.store, ctx.orgId, id);
  if (change.url !== undefined && change.url !== before.url) await checkDestinationUrl(before.kind, change.url, ctx.config);
  if (change.rotateSecret && before.kind !== 'webhook')
    throw invalidField('rotateSecret', 'only webhook destinations have a secret Attest makes; send a new token instead');
  if (change.rotateSecret && change.secret !== undefined)
    throw invalidField('rotateSecret', 'send either a secret or rotateSecret, not both');
  if (change.caBundle !== undefined && change.caBundle !== null) checkCaBundle(change.caBundle, ctx.nowMs);
  const credential = credentialOf(before.kind, change, change.rotateSecret === true);

  const update: StreamSettingsChange = { updated_at: ctx.nowMs };
  const settingChanges: FieldChange[] = [];
  if (change.url !== undefined && change.url !== before.url) {
    update.url = change.url;
    settingChanges.push({ field: 'url', from: before.url, to: change.url });
  }
  if (change.filter !== undefined) {
    const filter = JSON.stringify(validateStreamFilter(change.filter));
    if (filter !== before.filter) {
      update.filter = filter;
      settingChanges.push({ field: 'filter', from: JSON.parse(before.filter) as JsonValue, to: JSON.parse(filter) as JsonValue });
    }
  }
  if (change.caBundle !== undefined && change.caBundle !== before.ca_bundle) {
    update.ca_bundle = change.caBundle;
    settingChanges.push({
      field: 'caBundle',
      from: before.ca_bundle === null ? 'none' : 'set',
      to: change.caBundle === null ? 'none' : 'set',
    });
  }
  const enabledChange = change.enabled !== undefined && change.enabled !== (before.enabled === 1);
  if (enabledChange) update.enabled = change.enabled ? 1 : 0;
  if (credential.plain !== undefined)
    update.credential = encryptCredential(await streamCredentialKey(ctx.store.db, ctx.nowMs), id, credential.plain);

  const subject = { id, kind: before.kind, url: update.url ?? before.url };
  const events: Array<[StreamEventType, FieldChange[]]> = [];
  if (settingChanges.length > 0) events.push(['audit_log.stream.updated', settingChanges]);
  if (enabledChange)
    events.push([
      change.enabled ? 'audit_log.stream.resumed' : 'audit_log.stream.paused',
      [{ field: 'enabled', from: !change.enabled, to: change.enabled === true }],
    ]);
  if (credential.plain !== undefined) events.push(['audit_log.stream.secret_rotated', []]);
  if (events.length > 0) {
    await ctx.store.transaction(async (tx) => {
      await updateStreamSettings(tx, ctx.orgId, id, update);
      await ctx.store.appendEventsIn(
        tx,
        events.map(([type, changes]) => prepareStreamEvent(type, subject, ctx, { changes })),
      );
    });
  }
  const row = await requireStream(ctx.store, ctx.orgId, id);
  return credential.generated && credential.plain !== undefined ? { row, secret: credential.plain } : { row };
}

/** Deletes a destination and records it. */
export async function deleteStream(ctx: StreamCommandContext, id: string): Promise<void> {
  const before = await requireStream(ctx.store, ctx.orgId, id);
  await ctx.store.transaction(async (tx) => {
    await deleteStreamDestination(tx, ctx.orgId, id);
    await ctx.store.appendEventsIn(tx, [prepareStreamEvent('audit_log.stream.deleted', before, ctx)]);
  });
}
