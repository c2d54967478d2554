import { readFileSync } from 'node:fs';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventRecord } from '../../src/events/audit-event.js';
import { runCli } from '../support/child-processes.js';
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
 * The details panel's proven mark in Chromium against the real server and its real checkpointer: the page
 * fetches the published keys and the event's inclusion proof and checks them with the shared integrity
 * library on WebCrypto. While no checkpoint covers the event it says so and asks again; once one does it names
 * the checkpoint and the key; a proof, a signature or a record altered on the way (Playwright rewrites the
 * server's answer) is refused in words. The export dialog offers the verifiable bundle beside the CSV, and
 * the zip it downloads verifies offline with `attest verify` and the published key.
 */

const runs = chromiumAvailable();

/** `hex` with its character at `at` changed to another hex digit: a flipped half-byte. */
function flipHex(hex: string, at = 0): string {
  const digit = hex[at] === '0' ? '1' : '0';
  return `${hex.slice(0, at)}${digit}${hex.slice(at + 1)}`;
}

describe.skipIf(!runs)('the proven mark of the Activity Details panel (Chromium)', () => {
  let server: AttestServer;
  let browser: Browser;
  let page: Page;
  let ownerCookie: string;
  let logIds: string[];
  const pageErrors: string[] = [];

  const logsPath = () => `/orgs/${server.orgId}/audit-logs`;
  const proofStatus = () => page.getByRole('dialog', { name: 'Activity Details' }).getByTestId('proof-status');

  async function openPanel(logId: string): Promise<void> {
    // A fresh load each time: the page keeps a verdict once reached, as events and checkpoints never change.
    await page.goto(`${server.baseUrl}${logsPath()}?log=${logId}`);
    await page.getByRole('dialog', { name: 'Activity Details' }).waitFor();
  }

  beforeAll(async () => {
    ensureWebAppBuilt();
    server = await startAttestServer('UTC', 'Proof Keepers');
    logIds = await ingestEvents(
      server,
      ['Ann', 'Ben', 'Cy', 'Dee', 'Eve'].map((name, i) => ({
        type: 'user.standard.added',
        orgId: server.orgId,
        actor: { id: 'u-owner', name: 'Olga Owner', email: 'olga@example.com' },
        entity: { id: `u-${i}`, name: `${name} Example`, type: 'user' },
        metadata: { '7': 'an integer-like key', zeta: [1, 2.5, { b: true, a: null }], é: 'non-ASCII' },
      })),
    );
    ownerCookie = await signIn(server, server.owner.email, server.owner.password);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.baseUrl}/`);
    await page.getByLabel('Email').fill(server.owner.email);
    await page.getByLabel('Password').fill(server.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**${logsPath()}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('says "not yet in a checkpoint" while none covers the event, then, without reopening, the checkpoint and key that prove it', async () => {
    await openPanel(logIds[1]!);
    const status = proofStatus();
    await expect.poll(() => status.getAttribute('data-proof')).toBe('pending');
    expect(await status.innerText()).toContain('Not yet in a checkpoint');

    const proofRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/proof')) proofRequests.push(request.url());
    });
    await server.startCheckpointer();
    await expect.poll(() => status.getAttribute('data-proof'), { timeout: 15_000 }).toBe('proven');
    expect(proofRequests.length).toBeGreaterThan(0);

    const text = await status.innerText();
    const match = /Included in checkpoint #(\d+), signed by (\S+)/.exec(text);
    expect(match?.[2]).toBe(server.services.config.logName);
    const treeSize = Number(match?.[1]);
    // The number is a signed checkpoint's size, and the server proves the event in it.
    const proof = await apiAs<{ seq: number; treeSize: number }>(
      server,
      ownerCookie,
      'GET',
      `/api/v1/orgs/${server.orgId}/audit-logs/${logIds[1]}/proof?treeSize=${treeSize}`,
    );
    expect(proof).toMatchObject({ seq: 1, treeSize });
    // The words are the mark; the role makes a screen reader read them as they change.
    expect(await page.getByRole('status').filter({ hasText: 'Included in checkpoint' }).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('audit-logs-proven.png') });
    expect(pageErrors).toEqual([]);
  });

  it('proves every event of the log, the one with integer-like and non-ASCII metadata keys recomputed from the record shown', async () => {
    for (const logId of [logIds[0]!, logIds[4]!]) {
      await openPanel(logId);
      await expect.poll(() => proofStatus().getAttribute('data-proof'), { timeout: 10_000 }).toBe('proven');
    }
  });

  /** Rewrites the JSON answers of requests matching `test` with `edit` while `run` runs. */
  async function tampered(test: (url: URL) => boolean, edit: (body: unknown) => unknown, run: () => Promise<void>): Promise<void> {
    const handler = async (route: Route) => {
      const response = await route.fetch();
      const body = (await response.json()) as unknown;
      await route.fulfill({ response, json: edit(body) });
    };
    const matcher = (url: URL) => test(url);
    await page.route(matcher, handler);
    try {
      await run();
    } finally {
      await page.unroute(matcher, handler);
    }
  }

  async function expectFailure(reason: RegExp): Promise<void> {
    const status = proofStatus();
    await expect.poll(() => status.getAttribute('data-proof'), { timeout: 10_000 }).toBe('failed');
    const text = await status.innerText();
    expect(text).toContain('Not proven: the proof does not verify');
    expect(text).toMatch(reason);
    // Red as well as worded.
    const colour = await status.locator('.proof-title').evaluate((el) => getComputedStyle(el).color);
    expect(colour).toBe('rgb(180, 35, 24)');
  }

  it('refuses a proof whose inclusion path had a byte flipped on the way', async () => {
    await tampered(
      (url) => url.pathname.endsWith(`/${logIds[2]}/proof`),
      (body) => {
        const proof = body as { hashes: string[] };
        return { ...proof, hashes: [flipHex(proof.hashes[0]!, 5), ...proof.hashes.slice(1)] };
      },
      async () => {
        await openPanel(logIds[2]!);
        await expectFailure(/the proof leads to root [0-9a-f]{64}, expected [0-9a-f]{64}/);
      },
    );
    await page.screenshot({ path: screenshotPath('audit-logs-proof-refused.png') });
  });

  it('refuses a checkpoint whose signature had a byte flipped, and one proof hash short', async () => {
    await tampered(
      (url) => url.pathname.endsWith(`/${logIds[3]}/proof`),
      (body) => {
        const proof = body as { checkpoint: string };
        // The signature line is the note's last line: change one base64 character of the signature (not the key ID).
        const lines = proof.checkpoint.split('\n');
        const signature = lines[lines.length - 2]!;
        const at = signature.length - 10;
        lines[lines.length - 2] = `${signature.slice(0, at)}${signature[at] === 'A' ? 'B' : 'A'}${signature.slice(at + 1)}`;
        return { ...proof, checkpoint: lines.join('\n') };
      },
      async () => {
        await openPanel(logIds[3]!);
        await expectFailure(/the signature by \S+ does not match the note/);
      },
    );
    await tampered(
      (url) => url.pathname.endsWith(`/${logIds[3]}/proof`),
      (body) => ({ ...(body as { hashes: string[] }), hashes: (body as { hashes: string[] }).hashes.slice(1) }),
      async () => {
        await openPanel(logIds[3]!);
        await expectFailure(/the proof has \d+ hashes, the tree shape calls for \d+/);
      },
    );
  });

  it('refuses a record edited on the way: its contents no longer hash to its leaf hash', async () => {
    const edit = (record: AuditEventRecord) => (record.logId === logIds[0] ? { ...record, description: 'Nothing happened' } : record);
    await tampered(
      // The list and the one event; not the live feed, whose stream never ends.
      (url) => [`/api/v1/orgs/${server.orgId}/audit-logs`, `/api/v1/orgs/${server.orgId}/audit-logs/${logIds[0]}`].includes(url.pathname),
      (body) => {
        const answer = body as AuditEventRecord | { data?: AuditEventRecord[] };
        if ('data' in answer && Array.isArray(answer.data)) return { ...answer, data: answer.data.map(edit) };
        return 'logId' in answer ? edit(answer) : answer;
      },
      async () => {
        await openPanel(logIds[0]!);
        await expectFailure(/the record shown does not hash to its leafHash/);
      },
    );
  });

  it('offers the verifiable bundle beside the CSV; the zip it downloads (format=bundle) verifies offline with the published key', async () => {
    await page.goto(`${server.baseUrl}${logsPath()}`);
    await expect.poll(() => page.locator('tbody tr.audit-row').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Export Logs' }).click();
    await page.getByRole('menuitem', { name: 'Export all logs' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export all logs?' });
    await dialog.waitFor();
    expect(await dialog.getByRole('radio', { name: /^CSV/ }).isChecked()).toBe(true);
    await dialog.getByRole('radio', { name: /Verifiable bundle \(\.zip\)/ }).check();
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Yes, export' }).click()]);
    const url = new URL(download.url());
    expect(url.pathname).toBe(`/api/v1/orgs/${server.orgId}/audit-logs/export`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ scope: 'all', format: 'bundle' });
    await page.getByText('All logs (verifiable bundle): your download has started.').waitFor();

    expect(await download.failure()).toBeNull();
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const file = await download.path();
    expect(readFileSync(file).subarray(0, 2).toString('latin1')).toBe('PK');
    // What an auditor does with it: `attest verify` offline, trusting only the key the log publishes.
    const { keys } = (await (await fetch(`${server.baseUrl}/api/v1/log-keys`)).json()) as { keys: { vkey: string }[] };
    const verified = await runCli(['verify', file, '--key', keys[0]!.vkey, '--json'], {});
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true });
    expect(verified.code).toBe(0);
  });
});
