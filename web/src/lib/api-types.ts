/**
 * Shapes the API returns, shared by the features. The audit event is the server's own record type
 * (PRODUCT.md §4), imported as a type only so the page and the service cannot drift apart.
 */
export type { AuditEventRecord as AuditEvent, EventActor, EventEntity, FieldChange, JsonValue } from '../../../src/events/audit-event.js';

/** A user type inside one organization. */
export type UserType = 'owner' | 'admin' | 'standard';

/** One organization the signed-in user belongs to (`GET /api/v1/me`). */
export interface Membership {
  orgId: string;
  orgName: string;
  userType: UserType;
  viaProxy: boolean;
  /** IANA time zone the organization's days are counted in, e.g. `Pacific/Kiritimati`. */
  timeZone: string;
}

/** A pending membership: an organization added this account; no access until its holder accepts through the link. */
export interface Invitation {
  orgId: string;
  orgName: string;
  userType: UserType;
  /** ISO-8601. */
  invitedAt: string;
}

/** `GET /api/v1/me`. */
export interface Me {
  user: { id: string; email: string; name: string };
  organizations: Membership[];
  invitations: Invitation[];
}

/** A one-time welcome link, shown once to whoever added the person: `url` is a path on this server. */
export interface WelcomeLink {
  id: string;
  token: string;
  url: string;
  /** ISO-8601. */
  expiresAt: string;
}

/** Names people read for each user type. */
export const USER_TYPE_LABELS: Record<UserType, string> = {
  owner: 'Organization owner',
  admin: 'Admin',
  standard: 'Standard user',
};
