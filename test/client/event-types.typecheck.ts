// Compile-time test of the SDK's generated event types: `npm run typecheck` fails when a line marked as an
// expected error stops being one, i.e. when the types stop rejecting a wrong event. Never run, only checked.
import type { AttestClient, AttestEvent } from '../../packages/client/src/index.js';

const base = { orgId: 'org', actor: { id: 'u1' }, entity: { id: 'm1' } };

export const accepted: AttestEvent[] = [
  { ...base, type: 'loyalty.points.adjusted', metadata: { points: 250, reason: 'Goodwill', ledgerEntryId: 'L-1' } },
  { ...base, type: 'loyalty.reward.created' },
  { ...base, type: 'session.login.succeeded', metadata: { anything: ['goes', 1] } },
];

export const wrongTypeName: AttestEvent = {
  ...base,
  // @ts-expect-error an event type the catalog does not have
  type: 'loyalty.points.adjustd',
};

// @ts-expect-error metadata is required: loyalty.points.adjusted's schema requires points, reason and ledgerEntryId
export const missingMetadata: AttestEvent = { ...base, type: 'loyalty.points.adjusted' };

// @ts-expect-error ledgerEntryId (required since version 2) is missing
export const missingRequiredField: AttestEvent = {
  ...base,
  type: 'loyalty.points.adjusted',
  metadata: { points: 250, reason: 'Goodwill' },
};

// @ts-expect-error points is an integer, not a string
export const wrongMetadataType: AttestEvent = {
  ...base,
  type: 'loyalty.points.adjusted',
  metadata: { points: '250', reason: 'Goodwill', ledgerEntryId: 'L-1' },
};

export function builders(client: AttestClient): void {
  void client.event('loyalty.points.adjusted', { ...base, metadata: { points: 1, reason: 'r', ledgerEntryId: 'L' } });
  // @ts-expect-error a wrong type name in the builder
  void client.event('loyalty.nope', base);
  // @ts-expect-error the builder also requires the metadata
  void client.event('loyalty.points.adjusted', base);
  // @ts-expect-error wrong metadata type in the builder
  void client.event('loyalty.points.adjusted', { ...base, metadata: { points: 1, reason: 2, ledgerEntryId: 'L' } });
}
