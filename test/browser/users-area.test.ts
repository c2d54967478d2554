import { hashPassword } from '../../src/auth/passwords.js';
import { newId } from '../../src/core/ids.js';
import type { AuditEventRecord } from '../../src/events/audit-event.js';
import { insertMembership, insertOrganization, insertUser } from '../../src/store/queries/tenancy-queries.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiAs,
  chromiumAvailable,
  ensureWebAppBuilt,
  launchChromium,
  screenshotPath,
  signIn,
  startAttestServer,
  type AttestServer,
} from './browser-harness.js';

/**
 * The Users area in Chromium against the real User Management API: every catalogued action is done through
 * the page, and each one must leave its event in the organization's audit log, which the owner then finds on
 * the Audit Logs page with the activity filter.
 */

const runs = chromiumAvailable();

describe.skipIf(!runs)('Users area (Chromium)', () => {
  let server: AttestServer;
  let browser: Browser;
  let page: Page;
  let ownerCookie: string;

  /** The event types of the organization's log, newest first. */
  async function loggedTypes(): Promise<string[]> {
    const page: { data: AuditEventRecord[] } = await apiAs(server, ownerCookie, 'GET', `/api/v1/orgs/${server.orgId}/audit-logs?limit=200`);
    return page.data.map((e) => e.type);
  }

  /** Waits until the newest event of `type` is newer than the log's head before the action. */
  async function expectRecorded(type: string, action: () => Promise<void>): Promise<void> {
    const before = (await loggedTypes()).filter((t) => t === type).length;
    await action();
    await expect.poll(async () => (await loggedTypes()).filter((t) => t === type).length, { timeout: 10_000 }).toBe(before + 1);
  }

  const memberRow = (email: string) => page.locator(`tr[data-email="${email}"]`);

  beforeAll(async () => {
    ensureWebAppBuilt();
    server = await startAttestServer('America/Los_Angeles', 'Pacific Coast Retail');
    ownerCookie = await signIn(server, server.owner.email, server.owner.password);
    // A second organization the owner also belongs to (for visibility), with a user who can be given proxy access.
    const { store } = server.services;
    const now = store.clock.now();
    const ownerId = (await store.db.selectFrom('users').select('id').where('email', '=', server.owner.email).executeTakeFirstOrThrow()).id;
    const sister = { id: newId(now), name: 'Sister Stores', timeZone: 'UTC' };
    const patId = newId(now);
    await insertOrganization(store.db, sister, now);
    await insertMembership(store.db, {
      org_id: sister.id,
      user_id: ownerId,
      user_type: 'owner',
      proxy_from_org_id: null,
      expires_at: null,
      created_at: now,
    });
    await insertUser(store.db, {
      id: patId,
      email: 'pat@sister.example',
      name: 'Pat Proxy',
      password_hash: await hashPassword('pat password 1'),
      created_at: now,
    });
    await insertMembership(store.db, {
      org_id: sister.id,
      user_id: patId,
      user_type: 'standard',
      proxy_from_org_id: null,
      expires_at: null,
      created_at: now,
    });
    const quinnId = newId(now);
    await insertUser(store.db, {
      id: quinnId,
      email: 'quinn@sister.example',
      name: 'Quinn Sister',
      password_hash: await hashPassword('quinn password 1'),
      created_at: now,
    });
    await insertMembership(store.db, {
      org_id: sister.id,
      user_id: quinnId,
      user_type: 'standard',
      proxy_from_org_id: null,
      expires_at: null,
      created_at: now,
    });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    await page.goto(`${server.baseUrl}/orgs/${server.orgId}/users`);
    await page.getByLabel('Email').fill(server.owner.email);
    await page.getByLabel('Password').fill(server.owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Users', exact: true }).first().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('adds a user, changes their type both ways and edits their permissions', async () => {
    const form = page.getByRole('form', { name: 'Add user' });
    await expectRecorded('user.standard.added', async () => {
      await form.getByLabel('Email').fill('sid@example.com');
      await form.getByLabel('Name').fill('Sid Standard');
      await form.getByRole('button', { name: 'Add user' }).click();
      await memberRow('sid@example.com').waitFor();
    });
    await expectRecorded('user.type.made_privileged', () =>
      page
        .getByLabel('User type of sid@example.com')
        .selectOption('admin')
        .then(() => undefined),
    );
    await expectRecorded('user.type.made_standard', () =>
      page
        .getByLabel('User type of sid@example.com')
        .selectOption('standard')
        .then(() => undefined),
    );

    await expectRecorded('permission_set.created', async () => {
      await page.getByLabel('New permission set name').fill('Store managers');
      await page.getByRole('checkbox', { name: 'users.view' }).check();
      await page.getByRole('button', { name: 'Create permission set' }).click();
      await page.getByRole('button', { name: 'Edit permission set Store managers' }).waitFor();
    });
    await expectRecorded('permission_set.updated', async () => {
      await page.getByRole('button', { name: 'Edit permission set Store managers' }).click();
      await page.getByRole('checkbox', { name: 'users.manage' }).check();
      await page.getByRole('button', { name: 'Save permission set' }).click();
    });
    await expectRecorded('custom_permission.created', async () => {
      await page.getByLabel('Custom permission name').fill('reports.approve');
      await page.getByRole('button', { name: 'Create custom permission' }).click();
    });
    await expectRecorded('user.standard.access_updated', async () => {
      await page.getByRole('button', { name: 'Permissions of sid@example.com' }).click();
      const dialog = page.getByRole('dialog', { name: 'Permissions of Sid Standard' });
      await dialog.getByRole('checkbox', { name: 'Store managers' }).check();
      await dialog.getByRole('checkbox', { name: /North Zone/ }).check();
      await dialog.getByRole('button', { name: 'Save permissions' }).click();
      await dialog.waitFor({ state: 'detached' });
    });
  });

  it('a new user chooses their own password through the welcome link the adder was shown', async () => {
    const form = page.getByRole('form', { name: 'Add user' });
    await expect.poll(async () => form.getByLabel(/Password/).count()).toBe(0);
    await form.getByLabel('Email').fill('wendy@example.com');
    await form.getByLabel('Name').fill('Wendy Welcome');
    await form.getByRole('button', { name: 'Add user' }).click();
    const welcome = form.getByRole('textbox', { name: 'Welcome link' });
    await expect.poll(() => welcome.inputValue()).toMatch(new RegExp(`^${server.baseUrl}/welcome/ata_`));
    const guest = await browser.newContext();
    try {
      const welcomePage = await guest.newPage();
      await welcomePage.goto(await welcome.inputValue());
      await welcomePage.getByLabel('New password (at least 8 characters)').fill('wendy own password');
      await welcomePage.getByLabel('Repeat the password').fill('wendy own password');
      await welcomePage.getByRole('button', { name: 'Set password and sign in' }).click();
      await welcomePage.getByText('Standard users cannot manage users.').waitFor();
    } finally {
      await guest.close();
    }
    expect(
      (
        await fetch(`${server.baseUrl}/api/v1/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'wendy@example.com', password: 'wendy own password' }),
        })
      ).status,
    ).toBe(200);
  });

  it('an existing account is invited: it sees the pending invitation, and joins only through the link, signed in', async () => {
    const form = page.getByRole('form', { name: 'Add user' });
    await form.getByLabel('Email').fill('quinn@sister.example');
    await form.getByLabel('Name').fill('Quinn Here');
    await form.getByRole('button', { name: 'Add user' }).click();
    await form.getByText(/User invited/).waitFor();
    const link = await form.getByRole('textbox', { name: 'Welcome link' }).inputValue();
    const guest = await browser.newContext();
    try {
      const quinn = await guest.newPage();
      await quinn.goto(server.baseUrl);
      await quinn.getByLabel('Email').fill('quinn@sister.example');
      await quinn.getByLabel('Password').fill('quinn password 1');
      await quinn.getByRole('button', { name: 'Sign in' }).click();
      const invitations = quinn.getByRole('region', { name: 'Pending invitations' });
      await invitations.getByText(/Pacific Coast Retail/).waitFor();
      await invitations.getByRole('button', { name: 'Accept' }).click();
      await invitations.getByLabel('Invitation link from Pacific Coast Retail').fill(link);
      await invitations.getByRole('button', { name: 'Accept' }).click();
      await expect.poll(() => quinn.url()).toContain(`/orgs/${server.orgId}/users`);
      await quinn.getByText('Standard users cannot manage users.').waitFor();
    } finally {
      await guest.close();
    }
    await expect.poll(async () => (await loggedTypes()).includes('user.invitation.accepted')).toBe(true);
  });

  it('uploads users in bulk, regenerates the invite link and exports the user list', async () => {
    await expectRecorded('users.bulk_added', async () => {
      await page
        .getByLabel('CSV content')
        .fill('email,name,userType\nbulk.one@example.com,Bulk One,standard\nbulk.two@example.com,Bulk Two,standard\n');
      await page.getByRole('button', { name: 'Upload' }).click();
      await page.getByText('2 rows applied.').waitFor();
    });
    // A bad file is refused as a whole, line by line, and records nothing.
    await page.getByLabel('CSV content').fill('email,name,userType\nnot-an-email,Broken,standard\n');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText(/Line 2, email/).waitFor();

    const link = page.getByRole('textbox', { name: 'Invite link', exact: true });
    await expect.poll(() => link.inputValue()).toMatch(new RegExp(`^${server.baseUrl}/join/`));
    const oldLink = await link.inputValue();
    await expectRecorded('invite_link.regenerated', () => page.getByRole('button', { name: 'Regenerate invite link' }).click());
    await expect.poll(() => link.inputValue()).not.toBe(oldLink);

    // The new link works: a person opens it, joins as a standard user and is signed in.
    const guest = await browser.newContext();
    try {
      const joinPage = await guest.newPage();
      await expectRecorded('user.standard.added', async () => {
        await joinPage.goto(await link.inputValue());
        await joinPage.getByLabel('Email').fill('jo.joiner@example.com');
        await joinPage.getByLabel('Name').fill('Jo Joiner');
        await joinPage.getByLabel(/Password/).fill('jo password 1');
        await joinPage.getByRole('button', { name: 'Join' }).click();
        await joinPage.getByText('Standard users cannot manage users.').waitFor();
      });
    } finally {
      await guest.close();
    }

    await expectRecorded('user_list.exported', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export user list' }).click()]);
      expect(await download.failure()).toBeNull();
    });
  });

  it('sets multi-organization visibility and grants proxy access', async () => {
    await expectRecorded('org.multi_org_visibility.updated', async () => {
      await page.getByRole('checkbox', { name: 'Sister Stores' }).check();
      await page.getByRole('button', { name: 'Save visibility' }).click();
      await page.getByText('Visibility saved.').waitFor();
    });
    await expectRecorded('org.proxy_access.granted', async () => {
      await page.getByLabel('Proxy user email').fill('pat@sister.example');
      await page.getByRole('button', { name: 'Grant proxy access' }).click();
      await page.getByText('Proxy access granted.').waitFor();
    });
    await page
      .getByText(/Pat Proxy/)
      .first()
      .waitFor();
    await page.screenshot({ path: screenshotPath('users-area.png'), fullPage: true });
  });

  it('deletes a permission set and removes a user after confirmation', async () => {
    await page.getByLabel('New permission set name').fill('Temporary');
    await page.getByRole('button', { name: 'Create permission set' }).click();
    await expectRecorded('permission_set.deleted', () => page.getByRole('button', { name: 'Delete permission set Temporary' }).click());

    await expectRecorded('user.standard.removed', async () => {
      await page.getByRole('button', { name: 'Remove bulk.two@example.com' }).click();
      await page.getByRole('dialog', { name: 'Remove user?' }).getByRole('button', { name: 'Yes, remove' }).click();
      await memberRow('bulk.two@example.com').waitFor({ state: 'detached' });
    });
  });

  it('lets the owner find those actions on the Audit Logs page by activity type', async () => {
    await page.getByRole('link', { name: 'Audit Logs' }).click();
    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('checkbox', { name: 'Invite link' }).check();
    await page.getByRole('button', { name: 'Apply' }).click();
    const rows = page.locator('tbody tr.audit-row');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-event-type')).toBe('invite_link.regenerated');
  });
});
