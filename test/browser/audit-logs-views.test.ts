import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows, createAuditLogWorld, ORG_ZONE, type AuditLogWorld } from './audit-log-fixture.js';
import { apiAs, chromiumAvailable, screenshotPath } from './browser-harness.js';

/**
 * The Audit Logs page's views in Chromium against the real server: routine sign-ins and views hidden by
 * default (the table, its total and a filtered export agree), Clear all back to the default view, no silent
 * exact match of half-typed User text, retention said in words with the calendar's limits greyed out, the
 * events chart (its bars are the API's counts; a drag selects days), and a failed export explained where it
 * was asked for.
 */

const runs = chromiumAvailable();
const ROUTINE = ['session.login.succeeded', 'audit_log.viewed'];

describe.skipIf(!runs)('Audit Logs views, chart and export feedback (Chromium)', () => {
  let world: AuditLogWorld;
  let page: Page;
  const today = () => DateTime.now().setZone(ORG_ZONE).startOf('day');
  const day = (offset: number) => today().plus({ days: offset }).toISODate() ?? '';
  const rowTypes = () => page.$$eval('tbody tr.audit-row', (trs) => trs.map((tr) => tr.getAttribute('data-event-type') ?? ''));
  const resultCount = async () => Number((await page.locator('.result-count').innerText()).split(' ')[0]);
  const openFilters = async () => {
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('heading', { name: 'Additional filters' }).waitFor();
  };

  beforeAll(async () => {
    world = await createAuditLogWorld();
    page = world.page;
    // A second sign-in of the owner, so the log holds routine events besides the browser's own.
    await apiAs(world.server, world.ownerCookie, 'GET', `/api/v1/orgs/${world.server.orgId}/audit-logs?limit=1`);
  });
  afterAll(async () => world?.close());

  it('hides sign-ins and views by default; the total and a filtered export agree with the table; unticking shows them', async () => {
    await page.goto(`${world.server.baseUrl}${world.logsPath}`);
    await expect.poll(() => auditRows(page).count()).toBeGreaterThanOrEqual(50);
    expect((await rowTypes()).filter((t) => ROUTINE.includes(t))).toEqual([]);
    const hidden = await world.apiTotal();
    await expect.poll(resultCount).toBe(hidden);

    await openFilters();
    expect(await page.getByRole('checkbox', { name: 'Hide sign-ins and views' }).isChecked()).toBe(true);
    await page.getByRole('checkbox', { name: 'Hide sign-ins and views' }).uncheck();
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(new URL(page.url()).searchParams.get('routine')).toBe('show');
    const everything = (
      await apiAs<{ total: number }>(world.server, world.ownerCookie, 'GET', `/api/v1/orgs/${world.server.orgId}/audit-logs?limit=1`)
    ).total;
    expect(everything).toBeGreaterThan(hidden);
    await expect.poll(resultCount).toBe(everything);
    await page.evaluate(() => document.querySelector('.table-scroller')?.scrollTo({ top: 0 }));
    await expect.poll(async () => (await rowTypes()).some((t) => t === 'session.login.succeeded')).toBe(true);

    // Hidden again, with a filter: the filtered export holds exactly the table's rows, no sign-in among them.
    await page.goto(`${world.server.baseUrl}${world.logsPath}?action=Login&action=Create`);
    const expected = await world.apiTotal({ action: 'Login' });
    await expect.poll(() => auditRows(page).count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Export Logs' }).click();
    await page.getByRole('menuitem', { name: /Export filtered logs/ }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('dialog', { name: 'Export filtered logs?' }).getByRole('button', { name: 'Yes, export' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`audit-logs-kiritimati-traders-filtered-${day(-29)}-to-${day(0)}.csv`);
    const csv = parse(readFileSync(await download.path(), 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
    expect(csv.map((r) => r['Log ID'])).toEqual(
      await page.$$eval('tbody tr.audit-row', (trs) => trs.map((tr) => tr.getAttribute('data-log-id'))),
    );
    expect(csv.filter((r) => r['Activity'] === 'User logged in')).toEqual([]);
    expect(expected).toBe(0);
    await page.getByText('Filtered logs: your download has started.').waitFor();
  });

  it('Clear all returns to the default view, date range included', async () => {
    await page.goto(`${world.server.baseUrl}${world.logsPath}?from=${day(-6)}&to=${day(-1)}&action=Delete&routine=show`);
    await expect.poll(() => page.locator('[data-testid="filter-chip"]').count()).toBe(1);
    await page.locator('.chips-row').getByRole('button', { name: 'Clear all' }).click();
    await expect.poll(() => new URL(page.url()).search).toBe('');
    expect(await page.getByRole('button', { name: /Change date range/ }).innerText()).toContain(
      DateTime.fromISO(day(0)).toFormat('LLL d, yyyy'),
    );

    await page.goto(`${world.server.baseUrl}${world.logsPath}?from=${day(-6)}&to=${day(-1)}&security=true`);
    await openFilters();
    await page.getByRole('dialog').getByRole('button', { name: 'Clear all' }).click();
    await expect.poll(() => new URL(page.url()).search).toBe('');
  });

  it('does not apply half-typed User text: it says there is no such user, and applies a picked one', async () => {
    await page.goto(`${world.server.baseUrl}${world.logsPath}`);
    await openFilters();
    const field = page.getByRole('combobox', { name: 'User email' });
    await field.fill('bo');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No user with the email "bo" in this log. Pick one from the suggestions, or clear the field.').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(new URL(page.url()).searchParams.has('actor')).toBe(false);
    expect(await page.getByRole('heading', { name: 'Additional filters' }).isVisible()).toBe(true);

    // A picked suggestion is applied; so is a complete email of the log typed in full.
    await field.fill('car');
    await page.getByRole('option', { name: /cara@example\.com/ }).click();
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('actor')).toBe('cara@example.com');
    await openFilters();
    await field.fill('bob@example.com');
    await page.getByRole('heading', { name: 'Additional filters' }).click();
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('actor')).toBe('bob@example.com');
  });

  it('words the retention limit in the organization zone, never as ISO, and says when a whole range has expired', async () => {
    const oldest = today().plus({ days: -90 });
    await page.goto(`${world.server.baseUrl}${world.logsPath}?from=${day(-95)}&to=${day(-70)}`);
    const clamped = page.locator('[data-warning-code="RANGE_CLAMPED"]');
    await clamped.waitFor();
    const text = await clamped.innerText();
    expect(text).toMatch(
      new RegExp(`^Events are kept 90 days: this range starts at ${oldest.toFormat('LLL d, yyyy')} at \\d\\d:\\d\\d \\(${ORG_ZONE}\\)`),
    );
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);

    await page.goto(`${world.server.baseUrl}${world.logsPath}?from=${day(-120)}&to=${day(-100)}`);
    const expired = page.locator('[data-warning-code="RANGE_EXPIRED"]');
    await expired.waitFor();
    expect(await expired.innerText()).toMatch(/whole range is older than that: its events have expired/);
    expect(await page.locator('[data-warning-code="RANGE_CLAMPED"]').count()).toBe(0);
    await page.getByText('No events in this date range.').waitFor();
  });

  it('greys out in the calendar the days past retention and those that would make the range longer than 30', async () => {
    await page.goto(`${world.server.baseUrl}${world.logsPath}`);
    await page.getByRole('button', { name: /Change date range/ }).click();
    const cell = (d: string) => page.locator(`.date-range-popover [data-day="${d}"]`);
    // Pick a first day: the calendar shows its month; days more than 29 from it, and after today, are disabled.
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await cell(day(-3)).getByRole('button').click();
    expect(await cell(day(-3)).getAttribute('data-selected')).toBe('true');
    const firstOfMonth = DateTime.fromISO(day(-3)).startOf('month');
    const monthDays = Array.from({ length: firstOfMonth.daysInMonth ?? 28 }, (_, i) => firstOfMonth.plus({ days: i }).toISODate() ?? '');
    for (const d of monthDays) {
      const disabled = (await cell(d).getAttribute('data-disabled')) === 'true';
      const tooFar = Math.abs(DateTime.fromISO(d).diff(DateTime.fromISO(day(-3)), 'days').days) > 29;
      expect(disabled, d).toBe(d > day(0) || tooFar);
    }
    // Go back to the month of the retention limit: the days before it are disabled, the limit itself is not.
    const limit = day(-90);
    for (let i = 0; i < 4 && (await cell(limit).count()) === 0; i += 1) await page.getByRole('button', { name: /previous month/i }).click();
    await page.getByRole('button', { name: 'Today' }).click();
    expect(await cell(limit).getAttribute('data-disabled')).toBeNull();
    const before = DateTime.fromISO(limit).minus({ days: 1 }).toISODate() ?? '';
    if ((await cell(before).count()) > 0) expect(await cell(before).getAttribute('data-disabled')).toBe('true');
    await page.screenshot({ path: screenshotPath('audit-logs-date-range.png') });
    await page.keyboard.press('Escape');
  });

  it('draws the events per day from the API counts, security actions stacked, and a drag selects the days', async () => {
    await page.goto(`${world.server.baseUrl}${world.logsPath}`);
    await expect.poll(() => auditRows(page).count()).toBeGreaterThanOrEqual(50);
    const bars = page.locator('.activity-chart g.chart-bar');
    await expect.poll(() => bars.count()).toBe(30);
    const barData = () =>
      bars.evaluateAll((gs) =>
        gs.map((g) => ({
          day: g.getAttribute('data-day') ?? '',
          events: Number(g.getAttribute('data-events')),
          security: Number(g.getAttribute('data-security-events')),
        })),
      );
    await expect.poll(async () => (await barData()).reduce((sum, b) => sum + b.events, 0)).toBe(await resultCount());
    const data = await barData();
    expect(data.map((b) => b.day)).toEqual(Array.from({ length: 30 }, (_, i) => day(i - 29)));
    // Two days, checked against the list API for exactly those days.
    for (const b of data.filter((x) => x.events > 0).slice(-2)) {
      const next = DateTime.fromISO(b.day).plus({ days: 1 }).toISODate() ?? '';
      expect(b.events, b.day).toBe(await world.apiTotal({ from: b.day, to: next }));
      expect(b.security, b.day).toBe(await world.apiTotal({ from: b.day, to: next, security: 'true' }));
    }
    expect(data.some((b) => b.security > 0 && b.security < b.events)).toBe(true);
    await page.screenshot({ path: screenshotPath('audit-logs-chart.png') });

    // Drag from the bar 6 days ago to the one 2 days ago.
    const centre = async (d: string) => {
      const box = await page.locator(`.activity-chart g.chart-bar[data-day="${d}"] rect.chart-hit`).boundingBox();
      if (!box) throw new Error(`no bar for ${d}`);
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    };
    const start = await centre(day(-6));
    const end = await centre(day(-2));
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move((start.x + end.x) / 2, start.y, { steps: 4 });
    await page.mouse.move(end.x, end.y, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ from: day(-6), to: day(-2) });
    await expect.poll(() => bars.count()).toBe(5);
  });

  it('explains a failed export beside the Export button (here: the session ended meanwhile)', async () => {
    await page.goto(`${world.server.baseUrl}${world.logsPath}`);
    await expect.poll(() => auditRows(page).count()).toBeGreaterThanOrEqual(50);
    // Sign this browser's session out behind the page's back, as an expiry would.
    const cookies = await page.context().cookies();
    const session = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const out = await fetch(`${world.server.baseUrl}/api/v1/session`, { method: 'DELETE', headers: { cookie: session } });
    expect(out.status).toBeLessThan(300);
    await page.getByRole('button', { name: 'Export Logs' }).click();
    await page.getByRole('menuitem', { name: 'Export all logs' }).click();
    let downloads = 0;
    page.on('download', () => (downloads += 1));
    await page.getByRole('dialog', { name: 'Export all logs?' }).getByRole('button', { name: 'Yes, export' }).click();
    const alert = page.locator('.export-area').getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/^The export could not start\. .*(session|sign in)/i);
    expect(downloads).toBe(0);
  });
});
