import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  ensureWebAppBuilt,
  ingestEvents,
  launchChromium,
  startAttestServer,
  type AttestServer,
} from './browser-harness.js';

/**
 * The page under its Content-Security-Policy in Chromium: signing in, the Audit Logs table, the details panel
 * proving its event (a lazily loaded chunk, WebCrypto), the Export Logs menu and its confirmation dialog (Radix adds an inline <style> while a dialog is open, allowed only by the
 * response's nonce), and the Users area. Any violation the browser reports — a `securitypolicyviolation`
 * event or a console message — fails the test.
 */

const runs = chromiumAvailable();

describe.skipIf(!runs)('Content-Security-Policy in Chromium', () => {
  let server: AttestServer;
  let browser: Browser;
  let page: Page;
  const consoleViolations: string[] = [];

  const violations = async () => [
    ...consoleViolations,
    ...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)),
  ];

  beforeAll(async () => {
    ensureWebAppBuilt();
    server = await startAttestServer('UTC', 'Policy Holders');
    // A row for the table (sign-ins and views are hidden by default).
    await ingestEvents(server, [
      {
        type: 'user.standard.added',
        orgId: server.orgId,
        actor: { id: 'u-ann', name: 'Ann Admin', email: 'ann@example.com' },
        entity: { id: 'u-sid', name: 'Sid Standard', type: 'user' },
      },
    ]);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) consoleViolations.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the page with a strict policy and a fresh style nonce', async () => {
    const first = await fetch(`${server.baseUrl}/orgs/${server.orgId}/audit-logs`);
    const second = await fetch(`${server.baseUrl}/orgs/${server.orgId}/audit-logs`);
    const policy = first.headers.get('content-security-policy') ?? '';
    // Scripts only from Attest itself (helmet adds a per-response nonce no markup of ours carries).
    expect(policy).toMatch(/(^|;)script-src 'self'( 'nonce-[^']+')?(;|$)/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');
    const nonce = /style-src 'self' 'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    expect(await first.text()).toContain(`<meta name="csp-nonce" content="${nonce}" />`);
    expect(second.headers.get('content-security-policy')).not.toContain(`'nonce-${nonce}'`);
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('signs in, shows the Audit Logs page, proves an event, opens and closes the export dialog, and visits Users without a single violation', async () => {
    await page.goto(`${server.baseUrl}/orgs/${server.orgId}/audit-logs`);
    await page.getByLabel('Email').fill(server.owner.email);
    await page.getByLabel('Password').fill(server.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('table.audit-table').waitFor();
    await expect.poll(() => page.locator('tbody tr.audit-row').count(), { timeout: 10_000 }).toBeGreaterThan(0);

    // The details panel loads its proof check as a separate chunk and runs WebCrypto: neither needs a looser policy.
    await server.startCheckpointer();
    await page.locator('tbody tr.audit-row').first().click();
    const proof = page.getByRole('dialog', { name: 'Activity Details' }).getByTestId('proof-status');
    await expect.poll(() => proof.getAttribute('data-proof'), { timeout: 15_000 }).toBe('proven');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Activity Details' }).waitFor({ state: 'detached' });

    await page.getByRole('button', { name: /Export Logs/ }).click();
    await page.getByRole('menuitem', { name: 'Export all logs' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // The dialog's scroll lock is in place: its inline <style> was accepted with the nonce.
    await expect.poll(() => page.evaluate(() => [...document.querySelectorAll('style')].some((s) => s.nonce !== ''))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    await page.goto(`${server.baseUrl}/orgs/${server.orgId}/users`);
    await page.getByRole('heading', { name: 'Users', exact: true }).first().waitFor();
    expect(await violations()).toEqual([]);
  });
});
