import type { ProducerKey } from './credentials.js';
import type { UserAccount } from '../tenancy/tenancy-queries.js';

/** Who is calling: a signed-in user (session cookie or owner API token) or a producer service. */
export type Principal =
  | { kind: 'user'; user: UserAccount; via: 'session' | 'apiToken'; credentialId: string }
  | { kind: 'producer'; key: ProducerKey };

/** A stable string naming the principal, e.g. for "at most once per principal" rules. */
export function principalKey(principal: Principal): string {
  return principal.kind === 'user' ? `${principal.via}:${principal.credentialId}` : `producer:${principal.key.id}`;
}
