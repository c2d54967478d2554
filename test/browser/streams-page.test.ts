import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingEvent } from '../../src/catalog/incoming-event.js';
import { signatureValid, WebhookReceiver } from '../streams/webhook-receiver.js';
import { makeTestCa } from '../support/test-certificates.js';
import {
  apiAs,
  chromiumAvailable,
  ensureWebAppBuilt,
  ingestEvents,
  launchChromium,
  screenshotPath,
  signIn,
  startAttestServer,
  type AttestServer,
} from './browser-harness.js';

/**
 * Audit Logs › Streams in Chromium against the real server and a real webhook receiver on 127.0.0.1 that
 * checks every signature: an owner adds a destination and sees its secret once, sends a test event that the
 * receiver gets, pauses and resumes it (seeing its state and lag in words), is told why a bad change was
 * refused where it was made, and deletes it after confirming; an admin gets no link and, on a direct link, the
 * no-access page.
 */

const runs = chromiumAvailable();

describe.skipIf(!runs)('Streams page (Chromium)', () => {
  let server: AttestServer;
  let browser: Browser;
  let page: Page;
  let ownerCookie: string;
  const receiver = new WebhookReceiver();
  const admin = { email: 'ada.admin@example.com', password: 'admin password 123', name: 'Ada Admin' };
  const streamsPath = () => `/orgs/${server.orgId}/audit-logs/streams`;

  const row = () => page.locator('tr[data-stream-id]');
  const events = (n: number): IncomingEvent[] =>
    Array.from({ length: n }, (_, i) => ({
      type: 'user.standard.added',
      orgId: server.orgId,
      occurredAt: new Date(Date.now() - 1000 - i).toISOString(),
      actor: { id: 'u-ana', name: 'Ana Alvarez', email: 'ana@example.com', type: 'user' },
      entity: { id: `e-${i}`, name: `Person ${i}`, type: 'user' },
    }));

  beforeAll(async () => {
    ensureWebAppBuilt();
    await receiver.start();
    server = await startAttestServer('Europe/Berlin', 'Streaming Supplies', { ATTEST_STREAMS_ALLOW_PRIVATE: 'true' });
    ownerCookie = await signIn(server, server.owner.email, server.owner.password);
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

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
    page = await context.newPage();
    page.on('pageerror', (error) => console.error('[page error]', error.message));
    await page.goto(`${server.baseUrl}/`);
    await page.getByLabel('Email').fill(server.owner.email);
    await page.getByLabel('Password').fill(server.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/orgs/${server.orgId}/audit-logs`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await receiver.stop();
  });

  it('adds a webhook destination and shows its secret once; the receiver gets signed events', async () => {
    await page.getByRole('navigation', { name: 'User Management' }).getByRole('link', { name: 'Streams' }).click();
    await page.waitForURL(`**${streamsPath()}`);
    await page.getByRole('heading', { name: 'Streams', exact: true }).waitFor();
    await page.getByText('No destinations yet.').waitFor();

    // A refused destination: the server's reason is shown in the panel where it was entered, and nothing is added.
    await page.getByRole('button', { name: 'Add destination' }).first().click();
    const panel = page.getByRole('dialog', { name: 'Add destination' });
    await panel.getByLabel('URL').fill('ftp://siem.example.com/in');
    await panel.getByRole('button', { name: 'Add destination', exact: true }).click();
    await expect.poll(() => panel.getByRole('alert').innerText()).toMatch(/url.*must start with https:\/\/ or http:\/\//i);
    expect(await row().count()).toBe(0);

    await panel.getByLabel('URL').fill(`${receiver.url}/hook`);
    await panel.getByRole('button', { name: 'Add destination', exact: true }).click();
    await panel.waitFor({ state: 'detached' });
    const secretBox = page.getByRole('textbox', { name: 'Signing secret' });
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    receiver.secret = secret;
    await page.getByRole('button', { name: 'Copy signing secret' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await page.screenshot({ path: screenshotPath('streams-secret.png') });

    // The destination's first event is its own creation, delivered and signed with that secret. It may have
    // arrived before the test read the secret off the page, so every batch is checked again with it here.
    await expect.poll(() => receiver.records.map((r) => r.type), { timeout: 15_000 }).toContain('audit_log.stream.created');
    expect(receiver.accepted.every((b) => signatureValid(secret, String(b.headers['attest-signature']), b.body))).toBe(true);
    expect(
      signatureValid('another secret', String(receiver.accepted[0]?.headers['attest-signature']), receiver.accepted[0]?.body ?? ''),
    ).toBe(false);
    receiver.signatureFailures.length = 0;

    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.reload();
    await row().first().waitFor();
    // Shown once: neither the page nor the API has it any more.
    expect(await page.content()).not.toContain(secret);
    const list: { data: Array<Record<string, unknown>> } = await apiAs(server, ownerCookie, 'GET', `/api/v1/orgs/${server.orgId}/streams`);
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(await row().getByTestId('stream-state').innerText()).toBe('OK');
    await expect.poll(() => row().getByTestId('stream-lag').innerText(), { timeout: 15_000 }).toBe('Caught up');
    expect(await row().getByTestId('stream-last-delivered').innerText()).toMatch(/up to event #\d+/);
  });

  it('sends a test event that the receiver gets, and says so in the row', async () => {
    const before = receiver.records.length;
    await row().getByRole('button', { name: 'Send test event' }).click();
    await row()
      .getByText(/Test event accepted by the receiver in \d+ ms/)
      .waitFor();
    const test = receiver.records.slice(before).find((r) => (r as { test?: boolean }).test === true);
    expect(test?.orgId).toBe(server.orgId);
    expect(receiver.signatureFailures).toEqual([]);
  });

  it('pauses (nothing is sent, the lag shows in events and time) and resumes (it catches up)', async () => {
    await row().getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => row().getByTestId('stream-state').innerText()).toBe('Paused');
    await row().getByText('Nothing is sent until it is resumed').waitFor();
    const before = receiver.records.length;
    const logIds = await ingestEvents(server, events(5));
    // The list refreshes by itself: the lag appears without a reload.
    await expect
      .poll(() => row().getByTestId('stream-lag').innerText(), { timeout: 15_000 })
      .toMatch(/^\d+ events behind, oldest (under a second|\d+ s) ago$/);
    const lag = await row().getByTestId('stream-lag').innerText();
    // Its own pause event, then the five.
    expect(lag).toMatch(/^6 events behind/);
    await page.screenshot({ path: screenshotPath('streams-paused.png') });
    expect(receiver.records.length).toBe(before);

    await row().getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => row().getByTestId('stream-state').innerText()).toBe('OK');
    await expect.poll(() => receiver.records.map((r) => r.logId), { timeout: 15_000 }).toEqual(expect.arrayContaining(logIds));
    await expect.poll(() => row().getByTestId('stream-lag').innerText(), { timeout: 15_000 }).toBe('Caught up');
    const seqs = receiver.records.filter((r) => r.seq >= 0).map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('changes the filter to security actions only, and rotates the secret, shown once again', async () => {
    await row().getByRole('button', { name: 'Edit' }).click();
    const panel = page.getByRole('dialog', { name: 'Change destination' });
    await panel.getByLabel('Security actions only').check();
    await panel.getByRole('button', { name: 'Save changes' }).click();
    await panel.waitFor({ state: 'detached' });
    const list: { data: Array<{ filter: unknown }> } = await apiAs(server, ownerCookie, 'GET', `/api/v1/orgs/${server.orgId}/streams`);
    expect(list.data[0]?.filter).toEqual({ security: true });
    // Focus is back on the button that opened the panel.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Edit');

    const old = receiver.secret;
    await row().getByRole('button', { name: 'Rotate secret' }).click();
    const secretBox = page.getByRole('textbox', { name: 'Signing secret' });
    await secretBox.waitFor();
    const rotated = await secretBox.inputValue();
    expect(rotated).not.toBe(old);
    receiver.secret = rotated;
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await secretBox.waitFor({ state: 'detached' });
    // The rotation is a security event: it passes the new filter and arrives signed with the new secret (perhaps
    // before the test read it off the page, so its batch is checked here).
    await expect.poll(() => receiver.records.map((r) => r.type), { timeout: 15_000 }).toContain('audit_log.stream.secret_rotated');
    const batch = receiver.accepted.find((b) => b.records.some((r) => r.type === 'audit_log.stream.secret_rotated'));
    expect(signatureValid(rotated, String(batch?.headers['attest-signature']), batch?.body ?? '')).toBe(true);
    receiver.signatureFailures.length = 0;
  });

  it('trusts a private CA pasted in the form, refuses a private key where it was pasted, and removes the CA again', async () => {
    const { certificate: ca, privateKey: key } = makeTestCa('Streams Page CA', 2);
    const hasCaBundle = async () =>
      (await apiAs<{ data: Array<{ hasCaBundle: boolean }> }>(server, ownerCookie, 'GET', `/api/v1/orgs/${server.orgId}/streams`)).data[0]
        ?.hasCaBundle;

    await row().getByRole('button', { name: 'Edit' }).click();
    const panel = page.getByRole('dialog', { name: 'Change destination' });
    await panel.getByText('Private certificate authority').click();
    await panel.getByLabel('CA certificates (PEM)').fill(key);
    await panel.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => panel.getByRole('alert').innerText()).toMatch(/caBundle.*private key/i);
    expect(await hasCaBundle()).toBe(false);

    await panel.getByLabel('CA certificates (PEM)').fill(ca);
    await panel.getByRole('button', { name: 'Save changes' }).click();
    await panel.waitFor({ state: 'detached' });
    expect(await hasCaBundle()).toBe(true);

    await row().getByRole('button', { name: 'Edit' }).click();
    await panel.getByText('Private certificate authority (set)').waitFor();
    await panel.getByLabel('Remove it and trust the system CAs again').check();
    await panel.getByRole('button', { name: 'Save changes' }).click();
    await panel.waitFor({ state: 'detached' });
    expect(await hasCaBundle()).toBe(false);
  });

  it('is keyboard operable: the add panel opens with Enter and closes with Escape, back on its button', async () => {
    const add = page.getByRole('button', { name: 'Add destination' }).first();
    await add.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Add destination' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Add destination' }).waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Add destination');
  });

  it('deletes a destination only after confirming', async () => {
    await row().getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this destination?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await row().count()).toBe(1);
    // Focus is back on the button that opened the dialog, not lost to the page.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Delete');
    await row().getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByText('No destinations yet.').waitFor();
    const list: { data: unknown[] } = await apiAs(server, ownerCookie, 'GET', `/api/v1/orgs/${server.orgId}/streams`);
    expect(list.data).toEqual([]);
  });

  it('shows admins no Streams link, and a direct link the no-access page', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const adminPage = await context.newPage();
      await adminPage.goto(`${server.baseUrl}/`);
      await adminPage.getByLabel('Email').fill(admin.email);
      await adminPage.getByLabel('Password').fill(admin.password);
      await adminPage.getByRole('button', { name: 'Sign in' }).click();
      await adminPage.getByRole('link', { name: 'Users' }).waitFor();
      expect(await adminPage.getByRole('link', { name: 'Streams' }).count()).toBe(0);
      await adminPage.goto(`${server.baseUrl}${streamsPath()}`);
      await adminPage.getByRole('heading', { name: 'Only organization owners can manage streams' }).waitFor();
      expect(await page.getByRole('navigation', { name: 'User Management' }).getByRole('link', { name: 'Streams' }).count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});
