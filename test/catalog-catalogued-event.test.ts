import { describe, expect, it } from 'vitest';
import { findEventType } from '../src/catalog/catalog-registry.js';
import { cataloguedEvent } from '../src/catalog/catalogued-event.js';

const DAY_MS = 86_400_000;
const base = {
  orgId: '0190f7a2-0000-7000-8000-000000000001',
  occurredAtMs: Date.UTC(2026, 11, 1, 9, 30),
  retentionMs: 90 * DAY_MS,
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  actor: { id: 'u-1', name: 'Ann Owner', email: 'ann@example.com', type: 'user' as const },
  entity: { id: 'u-2', name: 'Bo Standard' },
};

describe('an event built from its catalog entry', () => {
  const def = findEventType('user.privileged.added');
  // A template with both placeholders.
  const streamCreated = findEventType('audit_log.stream.created');
  if (!def || !streamCreated) throw new Error('the test types are catalogued');

  it('takes product, action, activity, the security flag and the entity type from the catalog', () => {
    const event = cataloguedEvent(def, base);
    expect(event).toMatchObject({
      orgId: base.orgId,
      product: def.product,
      type: def.type,
      action: def.action,
      activity: def.activity,
      securityAction: def.securityAction,
      entity: { id: 'u-2', name: 'Bo Standard', type: def.entityType, product: def.product },
      traceId: base.traceId,
    });
    expect(event.expiresAtMs - event.occurredAtMs).toBe(90 * DAY_MS);
    // A UUIDv7 of the time it occurred: its first 48 bits are that time in milliseconds.
    expect(parseInt(event.logId.replaceAll('-', '').slice(0, 12), 16)).toBe(base.occurredAtMs);
  });

  it('fills the description template with the actor name (else email, else id) and the entity name (else id)', () => {
    expect(cataloguedEvent(streamCreated, base).description).toBe('Ann Owner created the stream Bo Standard');
    const anonymous = cataloguedEvent(streamCreated, {
      ...base,
      actor: { ...base.actor, name: null, email: null },
      entity: { id: 'u-2', name: null },
    });
    expect(anonymous.description).toBe('u-1 created the stream u-2');
    expect(cataloguedEvent(streamCreated, { ...base, actor: { ...base.actor, name: '' } }).description).toBe(
      'ann@example.com created the stream Bo Standard',
    );
    expect(cataloguedEvent(def, { ...base, description: 'As sent' }).description).toBe('As sent');
  });

  it('keeps an entity type it is given, and leaves out changes and metadata unless given', () => {
    const event = cataloguedEvent(def, { ...base, entity: { ...base.entity, type: 'service_account' } });
    expect(event.entity.type).toBe('service_account');
    expect('changes' in event || 'metadata' in event).toBe(false);
    const full = cataloguedEvent(def, { ...base, changes: [{ field: 'type', from: 'standard', to: 'admin' }], metadata: { via: 'test' } });
    expect(full.changes).toEqual([{ field: 'type', from: 'standard', to: 'admin' }]);
    expect(full.metadata).toEqual({ via: 'test' });
  });
});
