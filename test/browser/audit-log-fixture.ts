import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { AuditEventRecord } from '../../src/events/audit-event.js';
import type { IncomingEvent } from '../../src/catalog/incoming-event.js';
import { apiAs, ensureWebAppBuilt, ingestEvents, launchChromium, signIn, startAttestServer, type AttestServer } from './browser-harness.js';

/**
 * The world the Audit Logs browser tests run in: an organization in Pacific/Kiritimati (UTC+14) with an admin,
 * 60 seeded events over the last 12 days plus one at a known wall time, and Chromium signed in as the owner
 * from America/New_York, so every time on screen must come from the organization's zone.
 */

/** The organization's zone, far from UTC and from the browser's own. */
export const ORG_ZONE = 'Pacific/Kiritimati';
/** How many events are seeded besides the one at a known time. */
export const SEEDED = 60;
/** The people the seeded events name as actors. */
export const ACTORS = [
  { id: 'u-ana', name: 'Ana Alvarez', email: 'ana@example.com', type: 'user' as const },
  { id: 'u-bob', name: 'Bob Brown', email: 'bob@example.com', type: 'user' as const },
  { id: 'u-cara', name: 'Cara Chen', email: 'cara@example.com', type: 'user' as const },
];
// Realistic subjects per event type, so the screenshots read like a real organization's log.
const SUBJECTS: { type: string; entityType: string; names: string[] }[] = [
  { type: 'user.standard.added', entityType: 'user', names: ['Liam Lopez', 'Mia Moreau', 'Noah Novak', 'Zoe Zhang'] },
  { type: 'user.standard.removed', entityType: 'user', names: ['Oscar Ortiz', 'Pia Petrov', 'Quinn Quade'] },
  { type: 'permission_set.created', entityType: 'permission_set', names: ['Store managers', 'Regional auditors', 'Campaign editors'] },
  { type: 'permission_set.deleted', entityType: 'permission_set', names: ['Legacy reporting', 'Temp contractors'] },
  { type: 'user.privileged.added', entityType: 'user', names: ['Rosa Rivera', 'Sam Sato'] },
  { type: 'invite_link.regenerated', entityType: 'invite_link', names: ['Kiritimati Traders invite link'] },
  { type: 'permission_set.updated', entityType: 'permission_set', names: ['Store managers', 'Finance team'] },
];

/** What the page's default "Hide sign-ins and views" leaves out, as API parameters. */
export const HIDE_ROUTINE: [string, string][] = [
  ['excludeType', 'session.login.succeeded'],
  ['excludeType', 'audit_log.viewed'],
];

/** Everything a test file needs, and helpers that read the truth from the API. */
export interface AuditLogWorld {
  server: AttestServer;
  browser: Browser;
  /** The owner's page, signed in through the login form and showing the Audit Logs. */
  page: Page;
  ownerCookie: string;
  admin: { email: string; password: string; name: string };
  /** The event seeded at 10:30 UTC three days ago, with before/after changes. */
  promotion: { logId: string; occurredAt: string };
  logsPath: string;
  /** `total` of the API list for these filters (default range: the last 30 days), sign-ins and views hidden as on the page. */
  apiTotal(query?: Record<string, string>): Promise<number>;
  /** Every event of the page's default view, newest first, following the API's cursor. */
  apiAllLogIds(): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts the server, seeds the log, launches Chromium and signs the owner in through the page. */
export async function createAuditLogWorld(): Promise<AuditLogWorld> {
  ensureWebAppBuilt();
  const server = await startAttestServer(ORG_ZONE);
  const ownerCookie = await signIn(server, server.owner.email, server.owner.password);
  const admin = { email: 'adam.admin@example.com', password: 'admin password 123', name: 'Adam Admin' };
  // The admin sets their own password through the welcome link, as every added user does.
  const added: { welcomeLink: { token: string } } = await apiAs(server, ownerCookie, 'POST', `/api/v1/orgs/${server.orgId}/users`, {
    email: admin.email,
    name: admin.name,
    userType: 'admin',
  });
  const activated = await fetch(`${server.baseUrl}/api/v1/activation`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: added.welcomeLink.token, password: admin.password }),
  });
  if (!activated.ok) throw new Error(`activating the admin failed: ${activated.status}`);

  const now = Date.now();
  const seeded: IncomingEvent[] = Array.from({ length: SEEDED }, (_, i) => {
    const subject = SUBJECTS[i % SUBJECTS.length]!;
    return {
      type: subject.type,
      orgId: server.orgId,
      occurredAt: new Date(now - (i + 1) * 5 * 3_600_000 - 1_000).toISOString(),
      actor: ACTORS[i % ACTORS.length]!,
      entity: { id: `e-${i}`, name: subject.names[i % subject.names.length]!, type: subject.entityType },
    };
  });
  // One event at a known UTC wall time: 10:30 UTC is 00:30 the next day in Kiritimati (UTC+14).
  const occurredAt =
    DateTime.fromMillis(now, { zone: 'UTC' }).minus({ days: 3 }).set({ hour: 10, minute: 30, second: 0, millisecond: 0 }).toISO() ?? '';
  const promotion: IncomingEvent = {
    type: 'user.type.made_privileged',
    orgId: server.orgId,
    occurredAt,
    actor: ACTORS[0]!,
    entity: { id: 'u-dana', name: 'Dana Diaz', type: 'user' },
    description: 'Made organization owner/admin: Dana Diaz',
    changes: [{ field: 'userType', from: 'standard', to: 'admin' }],
  };
  const [promotionId] = (await ingestEvents(server, [promotion, ...seeded])) as [string];

  const browser = await launchChromium();
  // The browser runs in New York on purpose: times must follow the organization, not the machine.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'America/New_York', locale: 'en-US' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('[page error]', error.message));
  const logsPath = `/orgs/${server.orgId}/audit-logs`;
  await page.goto(`${server.baseUrl}/`);
  await page.getByLabel('Email').fill(server.owner.email);
  await page.getByLabel('Password').fill(server.owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`**${logsPath}`);

  const apiTotal = async (query: Record<string, string> = {}) => {
    const search = new URLSearchParams([...Object.entries({ ...query, limit: '1' }), ...HIDE_ROUTINE]);
    return (await apiAs<{ total: number }>(server, ownerCookie, 'GET', `/api/v1/orgs/${server.orgId}/audit-logs?${search}`)).total;
  };
  const apiAllLogIds = async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const search = new URLSearchParams([...Object.entries({ limit: '200', ...(cursor ? { cursor } : {}) }), ...HIDE_ROUTINE]);
      const answer: { data: AuditEventRecord[]; nextCursor: string | null } = await apiAs(
        server,
        ownerCookie,
        'GET',
        `/api/v1/orgs/${server.orgId}/audit-logs?${search}`,
      );
      ids.push(...answer.data.map((e) => e.logId));
      cursor = answer.nextCursor;
    } while (cursor);
    return ids;
  };
  return {
    server,
    browser,
    page,
    ownerCookie,
    admin,
    promotion: { logId: promotionId, occurredAt },
    logsPath,
    apiTotal,
    apiAllLogIds,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** The rows of the audit table. */
export const auditRows = (page: Page) => page.locator('tbody tr.audit-row');

/** The Log IDs of the table's rows, top to bottom. */
export const tableLogIds = (page: Page) =>
  page.$$eval('tbody tr.audit-row', (trs) => trs.map((tr) => tr.getAttribute('data-log-id') ?? ''));

/**
 * Scrolls until the table holds every event of the range, newest first, exactly as the API lists them (asked
 * again on every try: reading the log records audit_log.viewed events, which the live feed then adds).
 */
export async function scrollToEnd(world: AuditLogWorld): Promise<string[]> {
  let expected: string[] = [];
  await expect
    .poll(
      async () => {
        await world.page.evaluate(() => {
          const scroller = document.querySelector('.table-scroller');
          if (scroller) scroller.scrollTop = scroller.scrollHeight;
        });
        expected = await world.apiAllLogIds();
        const shown = await tableLogIds(world.page);
        return { matches: JSON.stringify(shown) === JSON.stringify(expected), shown: shown.length, expected: expected.length };
      },
      { timeout: 15_000 },
    )
    .toMatchObject({ matches: true });
  return expected;
}
