import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../src/catalog/incoming-event.js';
import { fleetPlusCatalogFolder } from '../support/fleet-plus-area.js';
import { auditRows } from './audit-log-fixture.js';
import {
  chromiumAvailable,
  ingestEvents,
  launchChromium,
  screenshotPath,
  startAttestServer,
  type AttestServer,
} from './browser-harness.js';

/**
 * Product areas as data, seen by an owner in Chromium: Loyalty+, Engage+ and Insights+ ship with Attest, and
 * a product area added as a file in ATTEST_CATALOG_DIR (Fleet+, which no web code names) shows in the Product
 * filter, its chip, the Entity column and the details panel; an event written with an older version of its
 * type still renders and says its version.
 */

describe.skipIf(!chromiumAvailable())('Audit Logs with several product areas (Chromium)', () => {
  const fleetCatalog = fleetPlusCatalogFolder();
  let server: AttestServer;
  let browser: Browser;
  let page: Page;
  let olderDriverId: string;
  let newerDriverId: string;

  beforeAll(async () => {
    server = await startAttestServer('UTC', 'Mixed Products Ltd', { ATTEST_CATALOG_DIR: fleetCatalog.dir });
    const now = Date.now();
    const event = (i: number, type: string, entity: string, extra: Partial<IncomingEvent> = {}): IncomingEvent => ({
      type,
      orgId: server.orgId,
      occurredAt: new Date(now - (i + 1) * 60_000).toISOString(),
      actor: { id: 'ops-1', name: 'Ola Ops', email: 'ola@example.com' },
      entity: { id: `e-${i}`, name: entity },
      ...extra,
    });
    const ids = await ingestEvents(server, [
      event(0, 'loyalty.reward.approved', 'Free coffee'),
      event(1, 'engage.campaign.approved', 'Winter sale'),
      event(2, 'insights.report.exported', 'Churn Q4'),
      event(3, 'fleet.vehicle.added', 'Van 7'),
      event(4, 'fleet.driver.approved', 'Dana Driver', { version: 1, metadata: { licence: 'C' } }),
      event(5, 'fleet.driver.approved', 'Dan Driver', { metadata: { licence: 'B', check: 'registry' } }),
      event(6, 'user.standard.added', 'Bob'),
    ]);
    olderDriverId = ids[4] as string;
    newerDriverId = ids[5] as string;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await page.goto(`${server.baseUrl}/`);
    await page.getByLabel('Email').fill(server.owner.email);
    await page.getByLabel('Password').fill(server.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/orgs/${server.orgId}/audit-logs`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fleetCatalog.remove();
  });

  it('filters by a product area from the catalog folder and names it in the chip and the Entity column', async () => {
    await expect.poll(() => auditRows(page).count()).toBe(7);
    await page.getByRole('button', { name: 'Filters' }).click();
    for (const name of ['User Management', 'Loyalty+', 'Engage+', 'Insights+', 'Fleet+']) {
      await expect.poll(() => page.getByRole('checkbox', { name, exact: true }).count()).toBe(1);
    }
    await page.getByRole('checkbox', { name: 'Fleet+', exact: true }).check();
    await page.screenshot({ path: screenshotPath('audit-logs-product-filter.png') });
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => auditRows(page).count()).toBe(3);
    expect(new URL(page.url()).searchParams.getAll('product')).toEqual(['FleetPlus']);
    await expect.poll(() => page.locator('[data-testid="filter-chip"]').first().innerText()).toMatch(/Product: Fleet\+\s*3/);
    const entities = await auditRows(page).allInnerTexts();
    for (const row of entities) expect(row).toMatch(/· Fleet\+/);
    await page.getByRole('button', { name: 'Remove filter Product: Fleet+' }).click();
    await expect.poll(() => auditRows(page).count()).toBe(7);
  });

  it("picks one activity among a product's activities", async () => {
    await page.getByRole('button', { name: 'Filters' }).click();
    const loyalty = page.locator('.product-row', { has: page.getByRole('checkbox', { name: 'Loyalty+', exact: true }) });
    await loyalty.locator('summary').click();
    await loyalty.getByRole('checkbox', { name: 'Reward approved for the catalog' }).check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => auditRows(page).count()).toBe(1);
    expect(await auditRows(page).first().innerText()).toMatch(/approved the reward Free coffee/);
    await expect
      .poll(() => page.locator('[data-testid="filter-chip"]').first().innerText())
      .toMatch(/Event: Reward approved for the catalog\s*1/);
    await page.getByRole('button', { name: 'Clear all' }).click();
    await expect.poll(() => auditRows(page).count()).toBe(7);
  });

  it('renders an event of an older type version beside one of the newest, each saying its version', async () => {
    for (const [logId, version] of [
      [olderDriverId, 1],
      [newerDriverId, 2],
    ] as const) {
      await page.goto(`${server.baseUrl}/orgs/${server.orgId}/audit-logs?log=${logId}`);
      const panel = page.getByRole('dialog', { name: 'Activity Details' });
      await panel.waitFor();
      await expect.poll(() => panel.getByTestId('event-type').innerText()).toBe(`fleet.driver.approved · version ${version}`);
      expect(await panel.innerText()).toMatch(/Driver approved/);
      expect(await panel.innerText()).toMatch(/Fleet\+/);
    }
  });
});
