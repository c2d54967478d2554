import { afterAll, describe, expect, it } from 'vitest';
import { createConfiguredApp, type ConfiguredApp } from './support/configured-app.js';

// /metrics names routes, organizations' traffic and error rates: with ATTEST_METRICS_TOKEN set, only the
// scraper holding the token reads it. The check does not touch the store, so SQLite alone shows it.
describe('/metrics and ATTEST_METRICS_TOKEN', () => {
  const apps: ConfiguredApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('with the token set, answers 401 problem+json without it or with a wrong one, and the metrics with it', async () => {
    const a = await createConfiguredApp('sqlite', { ATTEST_METRICS_TOKEN: 'scrape-secret-1234' });
    apps.push(a);
    for (const headers of [
      {},
      { authorization: 'Bearer wrong-secret' },
      { authorization: 'Bearer scrape-secret-12345' },
      { authorization: 'Basic c2NyYXBlLXNlY3JldC0xMjM0' },
      { authorization: 'scrape-secret-1234' },
    ]) {
      const res = await a.app.inject({ method: 'GET', url: '/metrics', headers });
      expect({ headers, status: res.statusCode }).toEqual({ headers, status: 401 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      expect(res.body).not.toContain('attest_http_request_duration_seconds');
    }
    const ok = await a.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-secret-1234' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('# TYPE attest_http_request_duration_seconds histogram');
  });

  it('without the token, stays open as before (a scraper inside the private network)', async () => {
    const a = await createConfiguredApp('sqlite', {});
    apps.push(a);
    const res = await a.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('attest_http_request_duration_seconds');
  });
});
