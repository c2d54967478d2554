import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows, createAuditLogWorld, type AuditLogWorld } from './audit-log-fixture.js';
import { chromiumAvailable, ingestEvents } from './browser-harness.js';

/**
 * The Audit Logs page's fit and keyboard use in Chromium: the table never scrolls sideways from 1280 px up
 * (the Security action tag whole, long emails cut with the full text on hover), stays usable at 1024 px; the
 * table is one tab stop with arrow keys; focus returns to the row after the details panel and to the chip list
 * after a chip is removed; admins get no Audit Logs link.
 */

const runs = chromiumAvailable();
const LONG_EMAIL = 'maximilian.alexander.featherstonehaugh-worthington@regional-operations.example.com';

describe.skipIf(!runs)('Audit Logs layout and keyboard (Chromium)', () => {
  let world: AuditLogWorld;
  let page: Page;
  let longLogId: string;

  beforeAll(async () => {
    world = await createAuditLogWorld();
    page = world.page;
    [longLogId] = (await ingestEvents(world.server, [
      {
        type: 'user.privileged.added',
        orgId: world.server.orgId,
        actor: { id: 'u-max', name: 'Maximilian Alexander Featherstonehaugh-Worthington', email: LONG_EMAIL, type: 'user' },
        entity: { id: 'u-long', name: 'Bartholomew Cornelius Vanderbilt-Montgomery the Third', type: 'user' },
      },
    ])) as [string];
  });
  afterAll(async () => world?.close());

  /** Widths of the table against its scroller, and where each Security action tag ends against the scroller's edge. */
  const measure = () =>
    page.evaluate(() => {
      const scroller = document.querySelector('.table-scroller')!;
      const table = document.querySelector('table.audit-table')!;
      const edge = scroller.getBoundingClientRect().right;
      const tags = [...document.querySelectorAll('tbody .security-tag')].map((tag) => {
        const box = tag.getBoundingClientRect();
        return { right: box.right, width: box.width, clipped: tag.scrollWidth > tag.clientWidth };
      });
      return {
        tableWidth: table.scrollWidth,
        scrollerWidth: scroller.clientWidth,
        horizontalScroll: scroller.scrollWidth > scroller.clientWidth,
        pageScroll: document.documentElement.scrollWidth > document.documentElement.clientWidth,
        edge,
        tags,
      };
    });

  for (const [width, height] of [
    [1440, 900],
    [1280, 800],
    [1024, 768],
  ] as const) {
    it(`fits ${width} px without horizontal scrolling, every Security action tag whole`, async () => {
      await page.setViewportSize({ width, height });
      await page.goto(`${world.server.baseUrl}${world.logsPath}`);
      await page.locator(`tr[data-log-id="${longLogId}"]`).waitFor();
      const m = await measure();
      expect(m.horizontalScroll, JSON.stringify(m)).toBe(false);
      expect(m.pageScroll).toBe(false);
      expect(m.tableWidth).toBeLessThanOrEqual(m.scrollerWidth);
      expect(m.tags.length).toBeGreaterThan(0);
      for (const tag of m.tags) {
        expect(tag.clipped).toBe(false);
        expect(tag.right).toBeLessThanOrEqual(m.edge);
        expect(tag.width).toBeGreaterThan(60);
      }
    });
  }

  it('cuts a long email with an ellipsis, shows it whole on hover and in the details', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const email = page.locator(`tr[data-log-id="${longLogId}"] .cell-actor .cell-secondary`);
    expect(await email.getAttribute('title')).toBe(LONG_EMAIL);
    const cut = await email.evaluate((el) => ({ overflow: el.scrollWidth > el.clientWidth, ellipsis: getComputedStyle(el).textOverflow }));
    expect(cut).toEqual({ overflow: true, ellipsis: 'ellipsis' });
    await page.locator(`tr[data-log-id="${longLogId}"]`).click();
    const panel = page.getByRole('dialog', { name: 'Activity Details' });
    await panel.waitFor();
    expect(await panel.innerText()).toContain(LONG_EMAIL);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });

  it('is one tab stop: arrow keys move between rows, Enter opens, and closing returns focus to the row', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${world.server.baseUrl}${world.logsPath}`);
    await expect.poll(() => auditRows(page).count()).toBeGreaterThanOrEqual(50);
    const tabbable = await page.$$eval('tbody tr.audit-row', (trs) => trs.filter((tr) => tr.tabIndex === 0).length);
    expect(tabbable).toBe(1);

    const focusedLogId = () =>
      page.evaluate(() => document.activeElement?.getAttribute('data-log-id') ?? document.activeElement?.tagName ?? null);
    const ids = await page.$$eval('tbody tr.audit-row', (trs) => trs.map((tr) => tr.getAttribute('data-log-id')));
    await page.locator('tbody tr.audit-row').first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await focusedLogId()).toBe(ids[2]);
    await page.keyboard.press('ArrowUp');
    expect(await focusedLogId()).toBe(ids[1]);
    await page.keyboard.press('End');
    expect(await focusedLogId()).toBe(ids[ids.length - 1]);
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');

    // Tab leaves the table at once; Shift+Tab comes back to the row last focused.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('tbody') === null)).toBe(true);
    await page.keyboard.press('Shift+Tab');
    expect(await focusedLogId()).toBe(ids[1]);

    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Activity Details' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Activity Details' }).waitFor({ state: 'detached' });
    await expect.poll(focusedLogId).toBe(ids[1]);

    // Closed with its × button after a click, focus goes back to the clicked row too.
    await page.locator(`tr[data-log-id="${ids[4]}"]`).click();
    await page.getByRole('button', { name: 'Close Activity Details' }).click();
    await expect.poll(focusedLogId).toBe(ids[4]);
  });

  it('returns focus to the chip list after a chip is removed, and to the Filters button after the last', async () => {
    await page.goto(`${world.server.baseUrl}${world.logsPath}?action=Create&action=Delete&security=true`);
    const chips = page.locator('[data-testid="filter-chip"]');
    await expect.poll(() => chips.count()).toBe(3);
    await page.getByRole('button', { name: 'Remove filter Activity: Create' }).click();
    await expect.poll(() => chips.count()).toBe(2);
    const focusedLabel = () =>
      page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName ?? null);
    await expect.poll(focusedLabel).toBe('Remove filter Activity: Delete');
    await page.keyboard.press('Enter');
    await expect.poll(() => chips.count()).toBe(1);
    await expect.poll(focusedLabel).toBe('Remove filter Security actions only');
    await page.keyboard.press('Enter');
    await expect.poll(() => chips.count()).toBe(0);
    await expect.poll(focusedLabel).toBe('Filters');
  });

  it('shows admins no Audit Logs link, and a direct link the no-access page', async () => {
    const context = await world.browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const adminPage = await context.newPage();
      await adminPage.goto(`${world.server.baseUrl}/`);
      await adminPage.getByLabel('Email').fill(world.admin.email);
      await adminPage.getByLabel('Password').fill(world.admin.password);
      await adminPage.getByRole('button', { name: 'Sign in' }).click();
      await adminPage.getByRole('link', { name: 'Users' }).waitFor();
      expect(await adminPage.getByRole('link', { name: 'Audit Logs' }).count()).toBe(0);
      await adminPage.goto(`${world.server.baseUrl}${world.logsPath}`);
      await adminPage.getByRole('heading', { name: 'Only organization owners can see audit logs' }).waitFor();
      // The owner still has the link.
      expect(await page.getByRole('link', { name: 'Audit Logs' }).count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});
