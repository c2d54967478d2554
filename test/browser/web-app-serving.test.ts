import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webAppRoot } from '../../src/features/web-app/http/web-app-routes.js';
import { ensureWebAppBuilt, REPO_ROOT, startAttestServer, type AttestServer } from './browser-harness.js';

/** How the service serves the built web app: files, the index.html fallback for app routes, and /api left alone. */
describe('web app serving', () => {
  let server: AttestServer;
  let app: FastifyInstance;

  beforeAll(async () => {
    ensureWebAppBuilt();
    server = await startAttestServer('UTC');
    app = server.app;
  });
  afterAll(async () => server?.close());

  it('finds dist/web both from the compiled file and from the source file', () => {
    expect(webAppRoot(`file://${join(REPO_ROOT, 'dist', 'src', 'features', 'web-app', 'http', 'web-app-routes.js')}`)).toBe(
      join(REPO_ROOT, 'dist', 'web'),
    );
    expect(webAppRoot(`file://${join(REPO_ROOT, 'src', 'features', 'web-app', 'http', 'web-app-routes.ts')}`)).toBe(
      join(REPO_ROOT, 'dist', 'web'),
    );
  });

  it('serves index.html for the app routes, so shared links and reloads work', async () => {
    for (const url of ['/', `/orgs/${server.orgId}/audit-logs?from=2026-01-01&to=2026-01-30&action=Create`, '/orgs/x/users']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('<div id="root"></div>');
    }
  });

  it('serves hashed assets with a long immutable cache lifetime', async () => {
    const asset = readdirSync(join(REPO_ROOT, 'dist', 'web', 'assets')).find((name) => name.endsWith('.js'));
    const response = await app.inject({ method: 'GET', url: `/assets/${asset}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('javascript');
    expect(response.headers['cache-control']).toContain('immutable');
  });

  it('keeps unknown /api routes and missing assets a problem+json 404 instead of the app', async () => {
    for (const url of ['/api/v1/no-such-thing', '/api', '/assets/index-gone.js']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('never serves a file outside dist/web', async () => {
    for (const url of ['/../package.json', '/%2e%2e/package.json', '/assets/%2e%2e/%2e%2e/package.json']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.body, url).not.toContain('"name": "attest"');
    }
  });
});
