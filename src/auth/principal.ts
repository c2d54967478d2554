import type { OperatorToken, ProducerKey } from '../store/queries/credential-queries.js';
import type { UserAccount } from '../store/queries/tenancy-queries.js';

/**
 * Who is calling: a signed-in user (session cookie or owner API token), a producer service, or the platform's
 * operator (operator token), which creates organizations and reads nothing.
 */
export type Principal =
  | { kind: 'user'; user: UserAccount; via: 'session' | 'apiToken'; credentialId: string }
  | { kind: 'producer'; key: ProducerKey }
  | { kind: 'operator'; token: OperatorToken };
