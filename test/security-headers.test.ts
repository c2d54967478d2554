import { afterAll, describe, expect, it } from 'vitest';
import { createConfiguredApp, type ConfiguredApp } from './support/configured-app.js';

// Headers every response carries, API and page alike; the page itself under its policy is shown in Chromium
// (test/browser/content-security-policy.test.ts). The headers do not touch the store: SQLite shows them.
describe('security headers', () => {
  const apps: ConfiguredApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
  });
  const configured = async (env: Record<string, string>) => {
    const a = await createConfiguredApp('sqlite', env);
    apps.push(a);
    return a;
  };

  it('every answer (API, problem, page) says nosniff, no referrer, not in a frame, and a strict policy; no HSTS over plain HTTP', async () => {
    const a = await configured({});
    for (const url of ['/healthz', '/api/v1/me', '/api/v1/no-such-route', '/orgs/some-org/audit-logs']) {
      const res = await a.app.inject({ method: 'GET', url });
      const h = res.headers;
      expect({ url, nosniff: h['x-content-type-options'], referrer: h['referrer-policy'], frame: h['x-frame-options'] }).toEqual({
        url,
        nosniff: 'nosniff',
        referrer: 'no-referrer',
        frame: 'DENY',
      });
      const policy = String(h['content-security-policy']);
      expect(policy).toContain("default-src 'self'");
      expect(policy).toContain("frame-ancestors 'none'");
      expect(policy).toContain("object-src 'none'");
      expect(policy).not.toContain('unsafe-inline');
      expect(policy).not.toContain('unsafe-eval');
      expect(h['strict-transport-security']).toBeUndefined();
    }
  });

  it('sends HSTS when ATTEST_SECURE_COOKIES=true says the service is reached over HTTPS', async () => {
    const a = await configured({ ATTEST_SECURE_COOKIES: 'true' });
    const res = await a.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});
