import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { redactUrl } from '../src/http/request-log-redaction.js';
import { buildApp } from '../src/service/build-app.js';
import { servicesForStore } from '../src/service/create-services.js';
import type { AppServices } from '../src/http/app-services.js';
import { createTenancy, type TestTenancy } from './support/audit-fixtures.js';
import { createTestStore, type TestStore } from './support/test-stores.js';

/** Request logs never contain an invitation or activation token (issue 12): the server's real pino output is captured. */
describe('request logs', () => {
  let ts: TestStore;
  let services: AppServices;
  let app: FastifyInstance;
  let tenancy: TestTenancy;
  const lines: string[] = [];

  beforeAll(async () => {
    ts = await createTestStore('sqlite');
    tenancy = await createTenancy(ts.store);
    services = servicesForStore(ts.store, loadConfig({}));
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    app = await buildApp(services, { logger: { level: 'info', stream } });
  });
  afterAll(async () => {
    await app?.close();
    await services?.committer.close();
    await ts?.dispose();
  });

  it('log every request with its URL, the tokens of invite and welcome links replaced by [redacted]', async () => {
    const link = (
      await app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${tenancy.org.id}/invite-link/regenerate`,
        headers: { cookie: tenancy.owner.cookie },
      })
    ).json<{ token: string }>();
    const added = (
      await app.inject({
        method: 'POST',
        url: `/api/v1/orgs/${tenancy.org.id}/users`,
        headers: { cookie: tenancy.owner.cookie },
        payload: { email: 'logged@example.com', name: 'Log Ged', userType: 'standard' },
      })
    ).json<{ welcomeLink: { token: string } }>();
    const token = added.welcomeLink.token;
    const requests = [
      {
        method: 'POST' as const,
        url: `/api/v1/invites/${link.token}/join`,
        payload: { email: 'joiner.logged@example.com', name: 'Jo', password: 'joiner-password' },
      },
      { method: 'GET' as const, url: `/join/${link.token}` },
      { method: 'GET' as const, url: `/welcome/${token}` },
      { method: 'GET' as const, url: `/api/v1/anything?token=${token}` },
      { method: 'POST' as const, url: '/api/v1/activation', payload: { token, password: 'logged-password' } },
    ];
    for (const request of requests) await app.inject(request);

    const incoming = lines
      .map((line) => JSON.parse(line) as { msg?: string; req?: { url?: string; method?: string } })
      .filter((entry) => entry.req?.url !== undefined);
    const urls = incoming.map((entry) => entry.req?.url);
    expect(urls).toEqual(
      expect.arrayContaining([
        '/api/v1/invites/[redacted]/join',
        '/join/[redacted]',
        '/welcome/[redacted]',
        '/api/v1/anything?token=[redacted]',
        '/api/v1/activation',
      ]),
    );
    const everything = lines.join('\n');
    expect(everything).not.toContain(link.token);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.slice(4, 20));
  });

  it('redacts only tokens: the rest of a URL stays readable', () => {
    expect(redactUrl('/api/v1/orgs/0190a0a0-0000-7000-8000-000000000000/audit-logs?limit=5')).toBe(
      '/api/v1/orgs/0190a0a0-0000-7000-8000-000000000000/audit-logs?limit=5',
    );
    expect(redactUrl('/welcome/ata_abc?x=1')).toBe('/welcome/[redacted]?x=1');
  });
});
