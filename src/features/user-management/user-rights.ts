import { AttestError } from '../../core/errors.js';
import type { UserType } from '../../store/database-schema.js';

/**
 * Who may manage whom (issue 3): an owner manages everyone; an admin manages standard users and admins but
 * can neither create nor promote owners nor touch an owner; a standard user manages nobody. A proxy user acts
 * with the type they were granted.
 */

/** Standard users cannot manage users (403). */
export function assertCanManageUsers(actorType: UserType): void {
  if (actorType === 'standard') throw new AttestError('FORBIDDEN', 'Standard users cannot manage users.');
}

/** Nobody grants more than they hold: only an owner can make an owner. */
export function assertCanAssignType(actorType: UserType, userType: UserType): void {
  assertCanManageUsers(actorType);
  if (userType === 'owner' && actorType !== 'owner')
    throw new AttestError('FORBIDDEN', 'Only organization owners can make organization owners.', [
      { field: 'userType', reason: 'an admin cannot make an owner' },
    ]);
}

/** Only an owner may change, remove or update the access of an owner. */
export function assertCanManageMember(actorType: UserType, memberType: UserType): void {
  assertCanManageUsers(actorType);
  if (memberType === 'owner' && actorType !== 'owner')
    throw new AttestError('FORBIDDEN', 'Only organization owners can manage organization owners.');
}

/** Organization-wide settings and proxy access are for owners. */
export function assertOwner(actorType: UserType, what: string): void {
  if (actorType !== 'owner') throw new AttestError('FORBIDDEN', `Only organization owners can ${what}.`);
}

/** True for the types whose events are security actions ("owner or admin"). */
export function isPrivileged(userType: UserType): boolean {
  return userType !== 'standard';
}
