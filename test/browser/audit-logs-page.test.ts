import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { AuditEventRecord } from '../../src/events/audit-event.js';
import {
  ACTORS,
  auditRows,
  createAuditLogWorld,
  ORG_ZONE,
  scrollToEnd,
  SEEDED,
  tableLogIds,
  type AuditLogWorld,
} from './audit-log-fixture.js';
import { chromiumAvailable, apiAs, ingestEvents, screenshotPath, type AttestServer } from './browser-harness.js';

/**
 * The Audit Logs page in Debian's Chromium against the real server: the table in the organization's time zone
 * (UTC+14, while the browser runs in New York), paging by scroll, the live feed, the details panel and the
 * owners-only rule. Expectations come from the API of the same server, never from constants.
 */

const ZONE = ORG_ZONE;
const runs = chromiumAvailable();

describe.skipIf(!runs)('Audit Logs page (Chromium)', () => {
  let world: AuditLogWorld;
  let page: Page;
  let server: AttestServer;

  const logsPath = () => world.logsPath;
  const rows = () => auditRows(page);
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  beforeAll(async () => {
    world = await createAuditLogWorld();
    page = world.page;
    server = world.server;
  });

  afterAll(async () => world?.close());

  it('shows the owner, once signed in, the log newest first in the organization time zone', async () => {
    // 50 rows of the first page, plus what arrived live since (this visit's own audit_log.viewed event).
    await expect.poll(() => rows().count()).toBeGreaterThanOrEqual(50);

    const headers = await page.$$eval('table.audit-table thead th', (ths) => ths.map((th) => th.textContent?.trim()));
    expect(headers).toEqual(['Date and Time', 'Activity', 'Entity', 'Performed By', 'Security action']);

    const times = await page.$$eval('tbody tr.audit-row time', (els) => els.map((el) => el.getAttribute('datetime') ?? ''));
    expect([...times].sort().reverse()).toEqual(times);

    const promotionRow = page.locator(`tr[data-log-id="${world.promotion.logId}"]`);
    const local = new Date(Date.parse(world.promotion.occurredAt) + 14 * 3_600_000);
    const expected = `${MONTHS[local.getUTCMonth()]} ${local.getUTCDate()}, ${local.getUTCFullYear()}, 00:30:00`;
    expect(await promotionRow.locator('.cell-time').innerText()).toBe(expected);
    expect(await promotionRow.locator('.cell-activity').innerText()).toContain('Update');
    expect(await promotionRow.locator('.cell-activity').innerText()).toContain('Made organization owner/admin: Dana Diaz');
    expect(await promotionRow.locator('.cell-entity').innerText()).toMatch(/Dana Diaz[\s\S]*user · User Management/);
    expect(await promotionRow.locator('.cell-actor').innerText()).toMatch(/Ana Alvarez[\s\S]*ana@example\.com/);
    expect(await promotionRow.locator('.security-tag').innerText()).toBe('Security action');
    await expect.poll(() => page.getByText(`Times in ${ZONE} (UTC+14:00)`).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('audit-logs-table.png') });
  });

  it('loads older rows as the person scrolls, without duplicates or gaps', async () => {
    const all = await scrollToEnd(world);
    expect(all.length).toBeGreaterThan(SEEDED);
    const shown = await tableLogIds(page);
    expect(new Set(shown).size).toBe(shown.length);
  });

  it('shows a change made in the Users area at the top of the log, live, with its security tag', async () => {
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
      document.querySelector('.table-scroller')?.scrollTo({ top: 0 });
    });
    const users = await page.context().newPage();
    await users.goto(`${server.baseUrl}/orgs/${server.orgId}/users`);
    const form = users.getByRole('form', { name: 'Add user' });
    await form.getByLabel('Email').fill('eve.example@example.com');
    await form.getByLabel('Name').fill('Eve Example');
    await form.getByLabel('User type').selectOption('admin');
    await form.getByRole('button', { name: 'Add user' }).click();
    await users.getByText(/User added\. eve\.example@example\.com chooses their own password/).waitFor();
    await users.close();

    const top = rows().first();
    await expect.poll(() => top.getAttribute('data-event-type'), { timeout: 10_000 }).toBe('user.privileged.added');
    expect(await top.locator('.cell-activity').innerText()).toContain('Create');
    expect(await top.locator('.cell-entity').innerText()).toMatch(/Eve Example[\s\S]*user · User Management/);
    expect(await top.locator('.cell-actor').innerText()).toMatch(/Organization Owner[\s\S]*olivia\.owner@example\.com/);
    expect(await top.locator('.security-tag').innerText()).toBe('Security action');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  });

  it('keeps the rows being read in place when live events arrive above them', async () => {
    await page.evaluate(() => document.querySelector('.table-scroller')?.scrollTo({ top: 900 }));
    const anchorId = await page.evaluate(() => {
      const scroller = document.querySelector('.table-scroller')!;
      const top = scroller.getBoundingClientRect().top + 60;
      return (
        [...document.querySelectorAll('tbody tr.audit-row')]
          .find((tr) => tr.getBoundingClientRect().top >= top)
          ?.getAttribute('data-log-id') ?? ''
      );
    });
    const anchor = page.locator(`tr[data-log-id="${anchorId}"]`);
    const before = (await anchor.boundingBox())?.y;
    const countBefore = await rows().count();
    const [newId] = await ingestEvents(server, [
      {
        type: 'permission_set.created',
        orgId: server.orgId,
        actor: ACTORS[2]!,
        entity: { id: 'ps-live', name: 'Live Set', type: 'permission_set' },
      },
    ]);
    await expect.poll(() => rows().first().getAttribute('data-log-id'), { timeout: 10_000 }).toBe(newId);
    expect(await rows().count()).toBe(countBefore + 1);
    expect((await anchor.boundingBox())?.y).toBeCloseTo(before ?? -1, 0);
  });

  it('opens the Activity Details panel with the record and its JSON', async () => {
    await page.goto(`${server.baseUrl}${logsPath()}`);
    await page.locator(`tr[data-log-id="${world.promotion.logId}"]`).click();
    const panel = page.getByRole('dialog', { name: 'Activity Details' });
    await panel.waitFor();
    expect(new URL(page.url()).searchParams.get('log')).toBe(world.promotion.logId);
    const text = await panel.innerText();
    expect(text).toContain('User type changed to organization owner or admin');
    expect(text).toContain('Made organization owner/admin: Dana Diaz');
    expect(text).toMatch(/Ana Alvarez\s*· ana@example\.com/);
    expect(text).toContain('User Management');
    expect(await panel.getByTestId('log-id').innerText()).toBe(world.promotion.logId);
    expect(await panel.locator('.changes-table tbody tr').innerText()).toMatch(/userType\s+standard\s+admin/);

    const shown = JSON.parse(await panel.getByTestId('activity-json').innerText()) as AuditEventRecord;
    const stored = await apiAs<AuditEventRecord>(
      server,
      world.ownerCookie,
      'GET',
      `/api/v1/orgs/${server.orgId}/audit-logs/${world.promotion.logId}`,
    );
    expect(shown).toEqual(stored);
    expect(shown.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(shown.product).toBe('UserManagement');
    expect(shown.actor.email).toBe('ana@example.com');
    expect(shown.orgId).toBe(server.orgId);
    expect(Date.parse(shown.expiresAt) - Date.parse(shown.occurredAt)).toBe(90 * 86_400_000);
    // The producer key that sent the event, in the record and in words.
    expect(shown.producer?.name).toBe('browser-tests');
    expect(await panel.getByTestId('producer').innerText()).toMatch(
      new RegExp(`producer key browser-tests\\s*· ${shown.producer?.id ?? 'missing'}`),
    );
    await page.screenshot({ path: screenshotPath('audit-logs-details.png') });

    await page.reload();
    await page.getByRole('dialog', { name: 'Activity Details' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => new URL(page.url()).searchParams.has('log')).toBe(false);

    // Keyboard: a focused row opens with Enter.
    await page.locator(`tr[data-log-id="${world.promotion.logId}"]`).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Activity Details' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Activity Details' }).waitFor({ state: 'detached' });
  });

  it('shows an admin the owners-only page instead of the log', async () => {
    const adminContext = await world.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const adminPage = await adminContext.newPage();
      await adminPage.goto(`${server.baseUrl}${logsPath()}`);
      await adminPage.getByLabel('Email').fill(world.admin.email);
      await adminPage.getByLabel('Password').fill(world.admin.password);
      await adminPage.getByRole('button', { name: 'Sign in' }).click();
      await adminPage.getByRole('heading', { name: 'Only organization owners can see audit logs' }).waitFor();
      expect(new URL(adminPage.url()).pathname).toBe(logsPath());
      expect(await adminPage.locator('table.audit-table').count()).toBe(0);
      const api = await adminContext.request.get(`${server.baseUrl}/api/v1/orgs/${server.orgId}/audit-logs`);
      expect(api.status()).toBe(403);
      expect(((await api.json()) as { code: string }).code).toBe('AUDIT_LOGS_OWNER_ONLY');
    } finally {
      await adminContext.close();
    }
  });
});
