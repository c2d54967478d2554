import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { AttestError } from '../../../core/errors.js';
import { packagePath } from '../../../core/package-root.js';
import type { AppServices } from '../../../http/app-services.js';

/**
 * The folder holding the built web app. This file runs compiled from `<repo>/dist/src/features/web-app/http/`
 * (npm start) or from source at `<repo>/src/features/web-app/http/` (tests); either way the build output is
 * `<repo>/dist/web`.
 */
export function webAppRoot(moduleUrl: string = import.meta.url): string {
  return packagePath(moduleUrl, 'dist', 'web');
}

/** The built file a URL path names inside `root`, or undefined (missing, a folder, or outside `root`). */
function builtFile(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const candidate = resolve(root, `.${decoded}`);
  const rel = relative(root, candidate);
  if (rel === '' || rel.startsWith('..') || rel.includes(`..${sep}`)) return undefined;
  return existsSync(candidate) && statSync(candidate).isFile() ? rel : undefined;
}

/**
 * index.html with the response's style nonce in `<meta name="csp-nonce">`, where the page reads it and hands
 * it to the library that adds the inline `<style>` (`web/src/main.tsx`).
 */
function withStyleNonce(html: string, nonce: string): string {
  return html.replace('</head>', `  <meta name="csp-nonce" content="${nonce}" />\n  </head>`);
}

/**
 * Serves the built web app (`dist/web`) and falls back to its index.html for client-side routes
 * (`/orgs/…/audit-logs`), so a shared link or a reload lands on the right page. Paths under `/api` never
 * fall back: an unknown API route stays a problem+json 404.
 */
export async function webAppRoutes(app: FastifyInstance, _services: AppServices): Promise<void> {
  const root = webAppRoot();
  // `serve: false`: the wildcard route below decides between a built file and the index.html fallback.
  await app.register(fastifyStatic, { root, serve: false });

  // A fresh nonce per response for the one inline <style> the page adds (see http/security-headers.ts).
  app.get('/*', { schema: { hide: true }, helmet: { enableCSPNonces: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (path === '/api' || path.startsWith('/api/')) throw new AttestError('NOT_FOUND', `No route GET ${path}.`);
    const file = builtFile(root, path);
    // Vite names assets by content hash, so they never change; index.html must be revalidated every time.
    if (file) return reply.sendFile(file, file.startsWith(`assets${sep}`) ? { maxAge: '365d', immutable: true } : { cacheControl: false });
    // A missing asset (an old hash after a deploy) must fail as such, not come back as HTML the browser chokes on.
    if (path.startsWith('/assets/')) throw new AttestError('NOT_FOUND', `No file ${path}; reload the page to get the current version.`);
    if (!existsSync(join(root, 'index.html'))) {
      return reply.status(503).type('text/plain').send('The web app is not built yet: run `npm run build`, then reload.');
    }
    void reply.header('cache-control', 'no-cache');
    return reply
      .type('text/html; charset=utf-8')
      .send(withStyleNonce(await readFile(join(root, 'index.html'), 'utf8'), reply.cspNonce.style));
  });
}
