import { describe, expect, it } from 'vitest';
import { allEventTypes, eventTypesMeeting } from '../src/catalog/catalog-registry.js';

// The reader turns action, security and product filters into the set of catalog types they allow; a wrong
// set would silently drop or add events, so the set is checked against the catalog's own fields.
describe('catalog types meeting filter criteria', () => {
  it('needs no narrowing when no criterion is present', () => {
    expect(eventTypesMeeting({})).toBeUndefined();
    expect(eventTypesMeeting({ types: [], actions: [], products: [], securityOnly: false })).toBeUndefined();
  });

  it('keeps exactly the types whose action, product and security flag meet every criterion', () => {
    const criteria = { actions: ['Create', 'Delete'], products: ['UserManagement'], securityOnly: true };
    const expected = allEventTypes()
      .filter((def) => criteria.actions.includes(def.action) && def.product === 'UserManagement' && def.securityAction)
      .map((def) => def.type);
    expect(expected.length).toBeGreaterThan(1);
    expect(eventTypesMeeting(criteria)).toEqual(expected);
  });

  it('intersects named types with the other criteria, and leaves none when they exclude each other', () => {
    expect(eventTypesMeeting({ types: ['user.privileged.added', 'user.standard.added'], securityOnly: true })).toEqual([
      'user.privileged.added',
    ]);
    expect(eventTypesMeeting({ types: ['user.standard.added'], actions: ['Delete'] })).toEqual([]);
    expect(eventTypesMeeting({ types: ['no.such.type'] })).toEqual([]);
  });
});
