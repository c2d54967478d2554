import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOperatorToken } from '../../src/auth/credentials.js';
import { AttestOperatorClient, AttestProblemError } from '../../packages/client/src/index.js';
import { REPO_ROOT, runNode } from '../support/child-processes.js';
import { startSdkServer, type SdkServer } from './support/sdk-server.js';

let server: SdkServer;
beforeAll(() => {
  // The child imports the package as published (dist/): compile it from the current sources.
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'packages', 'client')],
    {
      stdio: 'inherit',
    },
  );
}, 120_000);
beforeEach(async () => {
  server = await startSdkServer();
});
afterEach(async () => {
  await server.close();
});

describe('@attest/client in a producer process', () => {
  it('a process that queues 750 events, awaits close() and exits at once loses none', async () => {
    const { harness } = server;
    const result = await runNode(
      ['test/client/support/send-then-close.mjs', server.baseUrl, harness.allProductsKey, harness.orgId, '750'],
      {},
      60_000,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('closed with 0 pending');
    // Only close() sent them (the time window was a minute): 8 requests of at most 100.
    expect(server.posts.map((p) => p.events).sort((a, b) => b - a)).toEqual([100, 100, 100, 100, 100, 100, 100, 50]);
    const rows = await harness.testStore.store.db
      .selectFrom('audit_events')
      .select(['log_id'])
      .where('type', '=', 'engage.campaign.created')
      .execute();
    expect(rows).toHaveLength(750);
  });
});

describe('@attest/client operator API', () => {
  it('creates an organization with an operator token, and refuses a producer key with the problem', async () => {
    const { harness } = server;
    const store = harness.testStore.store;
    const operatorToken = (await createOperatorToken(store.db, 'platform', store.clock.now())).secret;
    const operator = new AttestOperatorClient({ baseUrl: server.baseUrl, operatorToken });
    const id = '5b0c8e5e-6a3c-4f7e-9a56-0d6f3f0e2b11';
    const created = await operator.createOrganization({
      name: 'Initech',
      ownerEmail: 'peter@initech.example',
      timeZone: 'Europe/Berlin',
      id,
    });
    expect(created).toMatchObject({ id, name: 'Initech', timeZone: 'Europe/Berlin', owner: { email: 'peter@initech.example' } });
    const row = await store.db.selectFrom('organizations').select(['name']).where('id', '=', id).executeTakeFirst();
    expect(row?.name).toBe('Initech');

    await expect(operator.createOrganization({ name: 'Again', ownerEmail: 'x@initech.example', id })).rejects.toMatchObject({
      status: 409,
    });
    const badZone = operator.createOrganization({ name: 'Zoned', ownerEmail: 'z@initech.example', timeZone: 'Mars/Olympus' });
    await expect(badZone).rejects.toBeInstanceOf(AttestProblemError);
    await expect(badZone).rejects.toMatchObject({ status: 400 });
    const notOperator = new AttestOperatorClient({ baseUrl: server.baseUrl, operatorToken: harness.allProductsKey });
    await expect(notOperator.createOrganization({ name: 'Nope', ownerEmail: 'n@initech.example' })).rejects.toMatchObject({ status: 403 });
  });
});
