import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { auditRows, createAuditLogWorld, ORG_ZONE, scrollToEnd, type AuditLogWorld } from './audit-log-fixture.js';
import { chromiumAvailable, screenshotPath, type AttestServer } from './browser-harness.js';

/**
 * The Audit Logs page's filters, date range and exports in Chromium against the real server: each filter
 * narrows the table and shows a chip whose count the API confirms, a 31-day range cannot be applied, and
 * both exports download a CSV whose rows are the table's rows.
 */

const ZONE = ORG_ZONE;
const runs = chromiumAvailable();

describe.skipIf(!runs)('Audit Logs filters, range and export (Chromium)', () => {
  let world: AuditLogWorld;
  let page: Page;
  let server: AttestServer;

  const logsPath = () => world.logsPath;
  const rows = () => auditRows(page);
  const apiTotal = (query?: Record<string, string>) => world.apiTotal(query);
  const chips = () => page.locator('[data-testid="filter-chip"]');

  async function openFilters(): Promise<void> {
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('heading', { name: 'Additional filters' }).waitFor();
  }

  beforeAll(async () => {
    world = await createAuditLogWorld();
    page = world.page;
    server = world.server;
  });

  afterAll(async () => world?.close());

  it('narrows the table with each filter, shows chips with counts, removes them with × and Clear all', async () => {
    await page.goto(`${server.baseUrl}${logsPath()}`);
    await expect.poll(() => rows().count()).toBeGreaterThanOrEqual(50);
    const everything = await apiTotal();

    // Activity type.
    await openFilters();
    await page.getByRole('checkbox', { name: 'Delete' }).check();
    await page.screenshot({ path: screenshotPath('audit-logs-filters.png') });
    await page.getByRole('button', { name: 'Apply' }).click();
    const deletes = await apiTotal({ action: 'Delete' });
    expect(deletes).toBeGreaterThan(0);
    expect(deletes).toBeLessThan(everything);
    await expect.poll(() => rows().count()).toBe(deletes);
    expect(new Set(await page.$$eval('tbody tr.audit-row .action-badge', (els) => els.map((el) => el.textContent)))).toEqual(
      new Set(['Delete']),
    );
    expect(await chips().count()).toBe(1);
    await expect.poll(() => chips().first().innerText()).toMatch(new RegExp(`Activity: Delete\\s*${deletes}`));
    expect(new URL(page.url()).searchParams.getAll('action')).toEqual(['Delete']);

    // The view survives a reload: it lives in the URL.
    await page.reload();
    await expect.poll(() => rows().count()).toBe(deletes);
    expect(await chips().count()).toBe(1);

    await page.getByRole('button', { name: 'Remove filter Activity: Delete' }).click();
    expect(await chips().count()).toBe(0);
    await expect.poll(() => rows().count()).toBeGreaterThanOrEqual(50);
    expect(new URL(page.url()).searchParams.has('action')).toBe(false);

    // User: type part of the email, pick from the matches.
    await openFilters();
    await page.getByRole('combobox', { name: 'User email' }).fill('bob');
    await page.getByRole('option', { name: /bob@example\.com/ }).click();
    await page.getByRole('button', { name: 'Apply' }).click();
    const bobs = await apiTotal({ actor: 'bob@example.com' });
    expect(bobs).toBeLessThan(everything);
    await expect.poll(() => rows().count()).toBe(bobs);
    expect(new Set(await page.$$eval('tbody tr.audit-row .cell-actor', (els) => els.map((el) => el.textContent)))).toEqual(
      new Set(['Bob Brownbob@example.com']),
    );
    await expect.poll(() => chips().first().innerText()).toMatch(new RegExp(`User: bob@example.com\\s*${bobs}`));

    // Security only, on top of the user filter: two chips, each with its own count.
    await openFilters();
    await page.getByRole('checkbox', { name: 'Show only security actions' }).check();
    await page.getByRole('button', { name: 'Apply' }).click();
    const bobSecurity = await apiTotal({ actor: 'bob@example.com', security: 'true' });
    const security = await apiTotal({ security: 'true' });
    expect(bobSecurity).toBeLessThan(bobs);
    await expect.poll(() => rows().count()).toBe(bobSecurity);
    expect(await page.locator('tbody tr.audit-row .security-tag').count()).toBe(bobSecurity);
    expect(await chips().count()).toBe(2);
    await expect.poll(() => chips().nth(1).innerText()).toMatch(new RegExp(`Security actions only\\s*${security}`));

    await page.locator('.chips-row').getByRole('button', { name: 'Clear all' }).click();
    expect(await chips().count()).toBe(0);
    await expect.poll(() => rows().count()).toBeGreaterThanOrEqual(50);
    expect(new URL(page.url()).search).toBe('');
  });

  it('refuses a 31-day range and keeps an applied range in the URL', async () => {
    const today = DateTime.now().setZone(ZONE).startOf('day');
    const day = (offset: number) => today.plus({ days: offset }).toISODate() ?? '';
    await page.getByRole('button', { name: /Change date range/ }).click();
    await page.getByRole('textbox', { name: 'From', exact: true }).fill(day(-30));
    await page.getByRole('textbox', { name: 'To', exact: true }).fill(day(0));
    await page.getByText('The range spans 31 days; choose at most 30 days.').waitFor();
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);

    await page.getByRole('textbox', { name: 'From', exact: true }).fill(day(-29));
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(false);

    await page.getByRole('textbox', { name: 'From', exact: true }).fill(day(-6));
    await page.getByRole('textbox', { name: 'To', exact: true }).fill(day(-1));
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ from: day(-6), to: day(-1) });
    const inRange = await apiTotal({ from: day(-6), to: day(0) });
    await expect.poll(() => rows().count()).toBe(inRange);
    await page.getByText('Live feed off (the range ends before today)').waitFor();

    await page.reload();
    await expect.poll(() => rows().count()).toBe(inRange);
    const start = Date.parse(today.plus({ days: -6 }).toISO() ?? '');
    const end = Date.parse(today.toISO() ?? '');
    const times = await page.$$eval('tbody tr.audit-row time', (els) => els.map((el) => Date.parse(el.getAttribute('datetime') ?? '')));
    expect(times.every((t) => t >= start && t < end)).toBe(true);
  });

  it('warns about a range reaching past retention and explains a refused range from a link', async () => {
    const today = DateTime.now().setZone(ZONE).startOf('day');
    const day = (offset: number) => today.plus({ days: offset }).toISODate() ?? '';
    await page.getByRole('button', { name: /Change date range/ }).click();
    await page.getByRole('textbox', { name: 'From', exact: true }).fill(day(-95));
    await page.getByRole('textbox', { name: 'To', exact: true }).fill(day(-70));
    const oldest = today.plus({ days: -90 }).toFormat('LLL d, yyyy');
    await page.getByText(`Events are kept 90 days: the days of this range before ${oldest} have no events any more.`).waitFor();
    await page.getByRole('button', { name: 'Apply' }).click();
    // The server clamps the range to retention and says so; the page shows its words.
    await page.getByRole('note').filter({ hasText: 'Events are kept 90 days' }).waitFor();
    await page.getByText('No events in this date range.').waitFor();

    // A hand-edited link asking for 41 days: the server refuses, the page says why and offers a way out.
    await page.goto(`${server.baseUrl}${logsPath()}?from=${day(-40)}&to=${day(0)}`);
    await page.getByRole('alert').filter({ hasText: 'The audit logs could not be loaded.' }).waitFor();
    expect(await page.getByRole('alert').innerText()).toContain('at most 30 days');
    await page.getByRole('button', { name: 'Reset to the last 30 days' }).click();
    await expect.poll(() => rows().count()).toBeGreaterThanOrEqual(50);
    expect(new URL(page.url()).search).toBe('');
  });

  /** Reads a downloaded CSV into rows keyed by column title. */
  async function exportCsv(item: 'Export all logs' | 'Export filtered logs'): Promise<Record<string, string>[]> {
    await page.getByRole('button', { name: 'Export Logs' }).click();
    await page.getByRole('menuitem', { name: new RegExp(item) }).click();
    const dialog = page.getByRole('dialog', { name: `${item}?` });
    await dialog.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Yes, export' }).click()]);
    return parse(readFileSync(await download.path(), 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
  }

  const tableRows = () =>
    page.$$eval('tbody tr.audit-row', (trs) =>
      trs.map((tr) => ({
        logId: tr.getAttribute('data-log-id') ?? '',
        type: tr.getAttribute('data-event-type') ?? '',
        action: tr.querySelector('.action-badge')?.textContent ?? '',
        description: tr.querySelector('.cell-activity .cell-primary')?.textContent ?? '',
        occurredAt: tr.querySelector('time')?.getAttribute('datetime') ?? '',
      })),
    );

  const csvAsRows = (csv: Record<string, string>[]) =>
    csv.map((r) => ({
      logId: r['Log ID'],
      action: r['Action type'],
      description: r['Description'],
      occurredAt: r['Timestamp (UTC, ISO 8601)'],
    }));

  it('exports all logs and filtered logs as CSV files whose rows match the table', async () => {
    await page.getByRole('button', { name: 'Export Logs' }).click();
    expect(await page.getByRole('menuitem', { name: /Export filtered logs/ }).getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('Escape');

    await scrollToEnd(world);
    const all = await exportCsv('Export all logs');
    // The export records itself (audit_log.exported); that row may or may not be inside its own file. "All"
    // is everything retained, so it also holds the sign-ins and views the table hides by default.
    const exported = csvAsRows(
      all.filter((r) => !['Audit logs exported', 'User logged in', 'Audit logs viewed'].includes(r['Activity'] ?? '')),
    );
    expect(all.some((r) => r['Activity'] === 'User logged in')).toBe(true);
    await expect
      .poll(async () => (await tableRows()).filter((r) => r.type !== 'audit_log.exported').map(({ type: _type, ...rest }) => rest), {
        timeout: 10_000,
      })
      .toEqual(exported);

    await page.goto(`${server.baseUrl}${logsPath()}?action=Delete`);
    const deletes = await apiTotal({ action: 'Delete' });
    await expect.poll(() => rows().count()).toBe(deletes);
    const filtered = await exportCsv('Export filtered logs');
    expect(filtered.length).toBe(deletes);
    expect(csvAsRows(filtered)).toEqual((await tableRows()).map(({ type: _type, ...rest }) => rest));
  });
});
