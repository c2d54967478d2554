import { FixedClock } from '../../../core/clock.js';
import { newId } from '../../../core/ids.js';
import { newTraceId } from '../../../core/trace-context.js';
import type { AttestStore } from '../../../store/attest-store.js';
import type { UserType } from '../../../store/database-schema.js';
import { findUserByEmail, insertMembership, insertUser, type Organization } from '../../../store/queries/tenancy-queries.js';
import { bulkImportUsers } from '../bulk-user-commands.js';
import type { ActingPrincipal, CommandContext, OrgCommandContext } from '../command-context.js';
import { createCustomPermission } from '../custom-permission-commands.js';
import { activateAccount } from '../account-activation-commands.js';
import { acceptInvitation } from '../invitation-commands.js';
import { inviteLinkOf, joinViaInviteLink, regenerateInviteLink } from '../invite-link-commands.js';
import { createOrganization } from '../organization-commands.js';
import { recordLoginOutcome } from '../login-attempt-recorder.js';
import { countMembershipRows, firstOwnOwner, type Member } from '../../../store/queries/user-management/member-queries.js';
import { updateMultiOrgVisibility } from '../multi-org-visibility.js';
import { entitiesOf } from '../org-entities.js';
import { createPermissionSet, deletePermissionSet, updatePermissionSet } from '../permission-set-commands.js';
import { grantProxyAccess } from '../proxy-access-commands.js';
import { updateUserAccess } from '../user-access-commands.js';
import { addUser, changeUserType, removeUser } from '../user-commands.js';
import { exportUserList } from '../user-list-export.js';
import { seededRandom } from '../../../core/seeded-random.js';
import { DEMO_ACCOUNTS, FIRST_NAMES, LAST_NAMES, ORIGINS } from './demo-people.js';

const DAY_MS = 86_400_000;

/** What the demo did, for the summary it prints. */
export interface DemoResult {
  org: Organization;
  events: number;
  members: number;
  credentials: { email: string; password: string; userType: string }[];
}

/**
 * Fills an organization with about three weeks of realistic User Management activity by calling the real
 * commands with a clock set in the past: every event is written by the operation it records, in the same
 * transaction, never by hand. Actors are the organization's owner and the demo admins it creates.
 */
export async function fillDemoActivity(
  store: AttestStore,
  org: Organization,
  options: { retentionMs: number; nowMs: number },
): Promise<DemoResult> {
  const random = seededRandom(20_260_301);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const clock = new FixedClock(options.nowMs - 21 * DAY_MS);
  // Time only moves forward, in working hours: each action a little after the previous one, a new day now and then.
  // Whole milliseconds: the stores keep times as integers.
  const later = (minMinutes: number, maxMinutes: number) =>
    clock.set(Math.round(Math.min(clock.now() + (minMinutes + random() * (maxMinutes - minMinutes)) * 60_000, options.nowMs - 60_000)));
  const nextDay = () =>
    clock.set(
      Math.round(
        Math.min(
          Math.floor(clock.now() / DAY_MS + 1 + Math.floor(random() * 2)) * DAY_MS + (8 + random() * 3) * 3_600_000,
          options.nowMs - 3_600_000,
        ),
      ),
    );
  const seqBefore = await store.events.lastSeq(org.id);

  const ownerRow = await firstOwnOwner(store.db, org.id);
  const actorOf = (user: { id: string; name: string; email: string }, origin: { ip: string; userAgent: string }): ActingPrincipal => ({
    userId: user.id,
    name: user.name,
    email: user.email,
    ...origin,
  });
  const owner = actorOf(ownerRow, ORIGINS[0]);
  const as = (actor: ActingPrincipal, actorType: UserType): OrgCommandContext => ({
    store,
    clock,
    actor,
    retentionMs: options.retentionMs,
    traceId: newTraceId(),
    org: { id: org.id, name: org.name },
    actorType,
  });
  const base = () => ({ store, clock, retentionMs: options.retentionMs, traceId: newTraceId() });
  const login = (actor: ActingPrincipal, ok = true) =>
    recordLoginOutcome(base(), { ip: actor.ip, userAgent: actor.userAgent }, ok ? 'session.login.succeeded' : 'session.login.failed', {
      id: actor.userId,
      name: actor.name,
      email: actor.email,
    });

  // Week 1: the owner sets up permissions and the first people.
  await login(owner);
  later(5, 20);
  for (const [name, description] of [
    ['menu.prices.edit', 'Edit menu prices'],
    ['refunds.approve', 'Approve refunds above the store limit'],
    ['loyalty.points.adjust', 'Adjust loyalty points by hand'],
  ] as const) {
    await createCustomPermission(as(owner, 'owner'), { name, description });
    later(2, 10);
  }
  const sets: Record<string, string> = {};
  for (const [name, permissions] of [
    ['Cashiers', ['orders.refund']],
    ['Store managers', ['orders.refund', 'stores.settings.manage', 'refunds.approve', 'menu.prices.edit']],
    ['Regional managers', ['users.view', 'insights.reports.view', 'stores.settings.manage']],
    ['Marketing', ['loyalty.campaigns.manage', 'engage.messages.send', 'loyalty.points.adjust']],
    ['Auditors', ['users.view', 'insights.reports.view', 'insights.reports.export']],
    ['Temporary staff', ['orders.refund']],
  ] as const) {
    sets[name] = (await createPermissionSet(as(owner, 'owner'), { name, permissions: [...permissions] })).id;
    later(3, 15);
  }
  const entities = await entitiesOf(store, org.id);
  const entityIds = (...names: string[]) => entities.filter((e) => names.includes(e.name)).map((e) => e.id);

  const demo: Record<string, ActingPrincipal> = {};
  for (const account of DEMO_ACCOUNTS) {
    const added = await addUser(as(owner, 'owner'), { email: account.email, name: account.name, userType: account.userType });
    const person = actorOf({ id: added.member.userId, name: added.member.name, email: added.member.email }, pick(ORIGINS));
    later(1, 5);
    // The demo people set their passwords the way every new user does: through their one-time welcome link.
    // (An account left by a demo of another organization is invited instead, and accepts through the link.)
    if (added.status === 'active') await activateAccount({ store, clock }, { token: added.welcomeLink.token, password: account.password });
    else await acceptInvitation({ ...base(), actor: person }, { token: added.welcomeLink.token });
    demo[account.email] = person;
    later(10, 40);
  }
  const ava = demo['ava.admin@demo.attest.dev'] as ActingPrincipal;
  const omar = demo['omar.admin@demo.attest.dev'] as ActingPrincipal;
  const liam = demo['liam.standard@demo.attest.dev'] as ActingPrincipal;
  await updateUserAccess(as(owner, 'owner'), {
    userId: ava.userId,
    permissionSetIds: [sets['Regional managers'] as string],
    customPermissionIds: [],
    entityIds: entityIds('North Zone', 'South Zone'),
  });
  later(5, 30);

  const people: Member[] = [];
  let n = 0;
  const person = () => {
    n += 1;
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const ascii = (s: string) =>
      s
        .normalize('NFD')
        .replace(/[^a-zA-Z]/g, '')
        .toLowerCase();
    // The organization's id in the domain keeps a demo of another organization from reusing these accounts.
    return { name: `${first} ${last}`, email: `${ascii(first)}.${ascii(last)}.${n}@org-${org.id.slice(-6)}.demo.attest.dev` };
  };
  for (let day = 0; day < 4; day += 1) {
    nextDay();
    const actor = day % 2 === 0 ? ava : owner;
    await login(actor);
    for (let i = 0; i < 3; i += 1) {
      later(5, 45);
      const { member } = await addUser(as(actor, actor === owner ? 'owner' : 'admin'), { ...person(), userType: 'standard' });
      people.push(member);
      later(1, 10);
      await updateUserAccess(as(actor, actor === owner ? 'owner' : 'admin'), {
        userId: member.userId,
        permissionSetIds: [sets.Cashiers as string],
        customPermissionIds: [],
        entityIds: entityIds(pick(['Downtown Store', 'Airport Store', 'Harbour Store'])),
      });
    }
  }

  // Week 2: a store opening brings a bulk import, then the admins tidy up.
  nextDay();
  await login(ava);
  later(20, 60);
  const newcomers = Array.from({ length: 30 }, () => person());
  const rows = newcomers.map(
    (p, i) =>
      `${p.email},${p.name},standard,${i % 5 === 0 ? 'Store managers' : 'Cashiers'},,${i % 2 === 0 ? 'Harbour Store' : 'Airport Store'}`,
  );
  await bulkImportUsers(as(ava, 'admin'), {
    mode: 'add',
    csv: ['email,name,userType,permissionSets,customPermissions,entities', ...rows].join('\n'),
  });
  nextDay();
  await login(liam, false);
  later(1, 3);
  await login(liam);
  later(30, 90);
  await login(omar);
  await updateUserAccess(as(omar, 'admin'), {
    userId: liam.userId,
    permissionSetIds: [sets.Auditors as string],
    customPermissionIds: [],
    entityIds: entityIds('Coffee Concept'),
  });
  later(10, 40);
  await updateUserAccess(as(omar, 'admin'), {
    userId: ava.userId,
    permissionSetIds: [sets['Regional managers'] as string, sets.Marketing as string],
    customPermissionIds: [],
    entityIds: entityIds('North Zone', 'South Zone'),
  });
  later(15, 60);
  const promoted = people[1] as Member;
  await changeUserType(as(owner, 'owner'), { userId: promoted.userId, userType: 'admin' });
  later(30, 120);
  await changeUserType(as(owner, 'owner'), { userId: promoted.userId, userType: 'standard' });
  nextDay();
  await removeUser(as(ava, 'admin'), { userId: (people[4] as Member).userId });
  later(10, 30);
  // A contractor admin who helped with the opening leaves again.
  const { member: contractor } = await addUser(as(owner, 'owner'), { ...person(), userType: 'admin' });
  later(120, 240);
  await removeUser(as(owner, 'owner'), { userId: contractor.userId });
  later(10, 30);
  await updatePermissionSet(as(owner, 'owner'), sets.Cashiers as string, {
    name: 'Cashiers',
    permissions: ['orders.refund', 'users.view'],
  });
  later(5, 20);
  await deletePermissionSet(as(owner, 'owner'), sets['Temporary staff'] as string);

  // Week 3: campaigns, a franchise partner, an invite round and the audit-season export.
  nextDay();
  await login(omar);
  await bulkImportUsers(as(omar, 'admin'), {
    mode: 'append',
    csv: ['email,permissionSets', ...newcomers.slice(0, 10).map((p) => `${p.email},Marketing`)].join('\n'),
  });
  later(60, 180);
  await bulkImportUsers(as(omar, 'admin'), {
    mode: 'overwrite',
    csv: ['email,permissionSets,entities', ...newcomers.slice(10, 18).map((p) => `${p.email},Store managers,Downtown Store`)].join('\n'),
  });
  nextDay();
  await login(owner);
  // Created "now", not in the demo's past, so the bootstrap organization stays the oldest one.
  const franchise = await sisterOrganization({ ...base(), clock: new FixedClock(options.nowMs) }, org, owner);
  await updateMultiOrgVisibility(as(owner, 'owner'), { visibleOrgIds: [franchise.id] });
  later(10, 30);
  const partner = await franchisePartner(store, franchise, options.nowMs);
  await grantProxyAccess(as(owner, 'owner'), { email: partner.email, userType: 'admin', expiresAt: options.nowMs + 30 * DAY_MS });
  nextDay();
  await inviteLinkOf(as(ava, 'admin'));
  later(5, 15);
  // Only the answer that makes a link holds its token (the store keeps its hash).
  const link = await regenerateInviteLink(as(owner, 'owner'));
  for (let i = 0; i < 2; i += 1) {
    later(60, 240);
    const p = person();
    await joinViaInviteLink(
      { ...base(), actor: pick(ORIGINS) },
      { token: link.token as string, email: p.email, name: p.name, password: `demo-joiner-${i}-${newId().slice(-6)}` },
    );
  }
  nextDay();
  await exportUserList(as(ava, 'admin'));
  later(120, 300);
  await exportUserList(as(owner, 'owner'));

  return {
    org,
    events: (await store.events.lastSeq(org.id)) - seqBefore,
    members: await countMembershipRows(store.db, org.id),
    credentials: DEMO_ACCOUNTS.map((a) => ({ email: a.email, password: a.password, userType: a.userType })),
  };
}

/**
 * A franchise organization, created the way a platform creates its tenants, with the same owner: the "related
 * organization" of the visibility setting. The owner's account exists already, so they accept the owner invitation.
 */
async function sisterOrganization(base: Omit<CommandContext, 'actor'>, org: Organization, owner: ActingPrincipal): Promise<Organization> {
  const operator: ActingPrincipal = { userId: 'attest-demo', name: 'attest demo', email: '', kind: 'system' };
  const { org: franchise, owner: invited } = await createOrganization(
    { ...base, actor: operator },
    { name: `${org.name} Franchise`, ownerEmail: owner.email, timeZone: org.timeZone },
  );
  await acceptInvitation({ ...base, actor: owner }, { token: invited.welcomeLink.token });
  return franchise;
}

/** A manager of the franchise, who is granted proxy access to the main organization. */
async function franchisePartner(store: AttestStore, franchise: Organization, nowMs: number): Promise<{ email: string }> {
  const email = `partner.${franchise.id.slice(-8)}@franchise.demo.attest.dev`;
  if (!(await findUserByEmail(store.db, email))) {
    const id = newId(nowMs);
    await store.transaction(async (tx) => {
      await insertUser(tx, { id, email, name: 'Noah Franchise', password_hash: null, created_at: nowMs });
      await insertMembership(tx, {
        org_id: franchise.id,
        user_id: id,
        user_type: 'admin',
        proxy_from_org_id: null,
        expires_at: null,
        created_at: nowMs,
      });
    });
  }
  return { email };
}
