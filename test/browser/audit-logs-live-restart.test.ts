import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../support/child-processes.js';
import { chromiumAvailable, ensureWebAppBuilt, launchChromium } from './browser-harness.js';

/**
 * The live feed across a server restart, in Chromium against the real service process (`node dist/src/main.js`):
 * the page says "Reconnecting…" while the server is gone and "Live" again once it is back on the same port and
 * file, and events committed after the restart (also one committed before the feed reconnected) appear at the
 * top without a reload.
 */

const runs = chromiumAvailable();
const OWNER = { email: 'rita.restart@example.com', password: 'restart password 123' };

describe.skipIf(!runs)('Audit Logs live feed across a server restart (Chromium)', () => {
  let dir: string;
  let server: ServerProcess | undefined;
  let port = 0;
  let browser: Browser;
  let page: Page;
  let orgId = '';

  const env = () => ({
    PORT: String(port),
    ATTEST_DATABASE_URL: `sqlite:${join(dir, 'attest.db')}`,
    ATTEST_BOOTSTRAP_EMAIL: OWNER.email,
    ATTEST_BOOTSTRAP_PASSWORD: OWNER.password,
    ATTEST_BOOTSTRAP_ORG_NAME: 'Restart Retail',
    LOG_LEVEL: 'info',
  });
  const baseUrl = () => `http://127.0.0.1:${port}`;
  const liveLabel = () => page.locator('.live-indicator').innerText();

  /** Adds an admin through the API with the page's own session: a User Management change and its event. */
  async function addAdmin(email: string): Promise<void> {
    const response = await page.request.post(`${baseUrl()}/api/v1/orgs/${orgId}/users`, {
      data: { email, name: email.split('@')[0], userType: 'admin' },
    });
    expect(response.status(), await response.text()).toBe(201);
  }
  const topRowEntity = () => page.locator('tbody tr.audit-row').first().locator('.cell-entity').innerText();

  beforeAll(async () => {
    ensureWebAppBuilt();
    dir = mkdtempSync(join(tmpdir(), 'attest-live-restart-'));
    server = await startServer(env());
    port = server.port;
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    await page.goto(`${baseUrl()}/`);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/audit-logs');
    orgId = new URL(page.url()).pathname.split('/')[2] ?? '';
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says Reconnecting… while the server is down, Live once it is back, and shows the events since', async () => {
    await expect.poll(liveLabel, { timeout: 20_000 }).toContain('Live');
    await addAdmin('before.restart@example.com');
    await expect.poll(topRowEntity, { timeout: 20_000 }).toContain('before.restart');

    await server?.stop();
    await expect.poll(liveLabel, { timeout: 20_000 }).toContain('Reconnecting…');
    expect(await liveLabel()).not.toContain('Live feed off');

    server = await startServer(env());
    expect(server.port).toBe(port);
    // Committed before the page's feed is back: it must still arrive, resumed after the last seq received.
    await addAdmin('while.reconnecting@example.com');
    await expect.poll(liveLabel, { timeout: 40_000 }).toBe('Live');
    await expect.poll(topRowEntity, { timeout: 20_000 }).toContain('while.reconnecting');
    await addAdmin('after.restart@example.com');
    await expect.poll(topRowEntity, { timeout: 20_000 }).toContain('after.restart');
    // Each event once, and the page was never reloaded to get them.
    const entities = await page.$$eval('tbody tr.audit-row .cell-entity .cell-primary', (els) => els.map((el) => el.textContent));
    expect(entities.filter((e) => e?.includes('while.reconnecting'))).toHaveLength(1);
  });
});
