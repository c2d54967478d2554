import { canonicalCopy, canonicalJson } from '../events/canonical-record.js';
import type { IncomingEvent } from './incoming-event.js';

/**
 * RFC 8785 canonical JSON of an event as its producer sent it: the same bytes as `canonicalJson(event)`, from one
 * `JSON.stringify` of an object literal that lists the ingest schema's members in sorted key order, so that only
 * `changes` and `metadata` (free JSON) need the generic sorted copy. Every event the producer SDK sends carries
 * an idempotency key and so is fingerprinted; the generic copy of the whole event, a key list sorted and an
 * object built per object, was most of what a key cost the server per event.
 *
 * Anything the literal would write differently is left to `canonicalJson` whole, so the bytes stay equal for any
 * input and not only for what the ingest schema admits: an object with a member outside the schema or set to
 * `undefined`, or an object where the schema has a string or a number.
 */
export function canonicalIncomingEventJson(event: IncomingEvent): string {
  return schemaOrderedEventJson(event) ?? canonicalJson(event);
}

/**
 * The fast path of {@link canonicalIncomingEventJson}: the event written from the literal, or undefined when
 * the literal would not write it as RFC 8785 does. Apart so that its tests can tell which path an event took:
 * both give the same bytes, so only here does a check that wrongly sends an ordinary event down the slow path
 * show.
 */
export function schemaOrderedEventJson(event: IncomingEvent): string | undefined {
  if (!isPlainObject(event)) return undefined;
  const { actor, entity, changes, metadata } = event;
  if (!isPlainObject(actor) || !isPlainObject(entity)) return undefined;
  // The checks are written out rather than looped over argument lists: this runs once per keyed event.
  const eventMembers =
    2 + // actor and entity, objects as checked above
    (event.type === undefined ? 0 : 1) +
    (event.orgId === undefined ? 0 : 1) +
    (event.version === undefined ? 0 : 1) +
    (event.occurredAt === undefined ? 0 : 1) +
    (event.description === undefined ? 0 : 1) +
    (changes === undefined ? 0 : 1) +
    (metadata === undefined ? 0 : 1) +
    (event.idempotencyKey === undefined ? 0 : 1);
  const actorMembers =
    (actor.id === undefined ? 0 : 1) +
    (actor.email === undefined ? 0 : 1) +
    (actor.name === undefined ? 0 : 1) +
    (actor.type === undefined ? 0 : 1);
  const entityMembers = (entity.id === undefined ? 0 : 1) + (entity.name === undefined ? 0 : 1) + (entity.type === undefined ? 0 : 1);
  if (
    Object.keys(event).length !== eventMembers ||
    Object.keys(actor).length !== actorMembers ||
    Object.keys(entity).length !== entityMembers ||
    !isScalar(event.type) ||
    !isScalar(event.orgId) ||
    !isScalar(event.version) ||
    !isScalar(event.occurredAt) ||
    !isScalar(event.description) ||
    !isScalar(event.idempotencyKey) ||
    !isScalar(actor.id) ||
    !isScalar(actor.email) ||
    !isScalar(actor.name) ||
    !isScalar(actor.type) ||
    !isScalar(entity.id) ||
    !isScalar(entity.name) ||
    !isScalar(entity.type)
  )
    return undefined;
  const sortedChanges = changes === undefined ? undefined : canonicalCopy(changes);
  const sortedMetadata = metadata === undefined ? undefined : canonicalCopy(metadata);
  if ((sortedChanges === undefined && changes !== undefined) || (sortedMetadata === undefined && metadata !== undefined)) return undefined;
  // Keys in UTF-16 code unit order, as RFC 8785 sorts them; JSON.stringify leaves out the undefined ones.
  return JSON.stringify({
    actor: { email: actor.email, id: actor.id, name: actor.name, type: actor.type },
    changes: sortedChanges,
    description: event.description,
    entity: { id: entity.id, name: entity.name, type: entity.type },
    idempotencyKey: event.idempotencyKey,
    metadata: sortedMetadata,
    occurredAt: event.occurredAt,
    orgId: event.orgId,
    type: event.type,
    version: event.version,
  });
}

/** A value JSON.stringify writes as RFC 8785 does (a string, a number, a boolean, null, or absent): not an object, whose keys it would not sort. */
function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/**
 * An object whose members can only be its own: the count of its own keys then tells whether it has any besides
 * the schema's (a member read through a prototype would not be among them).
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
