import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { AttestConfig } from '../config.js';

/**
 * The Content-Security-Policy of every response. The page is Vite's build: one module script and one
 * stylesheet from Attest itself, so nothing inline runs (`script-src 'self'`, no `'unsafe-inline'`). The one
 * inline thing is the `<style>` element Radix's dialogs add while open (react-remove-scroll); the page is
 * served with a fresh style nonce for it (`web-app-routes.ts`, `enableCSPNonces`). React's `style` props
 * are set through the CSSOM, which a policy does not govern. Nothing may frame the page (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  // The empty `data:` favicon of index.html.
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Security headers on every response (helmet): the policy above, `X-Content-Type-Options: nosniff`,
 * `Referrer-Policy: no-referrer` (a page URL can hold an invite token, `/join/<token>`, which must not leave
 * in a Referer), `X-Frame-Options: DENY` for browsers without `frame-ancestors`, and HSTS only when the
 * deployment says it is served over HTTPS (`ATTEST_SECURE_COOKIES=true`): sent over plain HTTP, it would
 * tell browsers to refuse the only way the service can be reached.
 */
export async function registerSecurityHeaders(app: FastifyInstance, config: AttestConfig): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: config.secureCookies ? { maxAge: 365 * 86_400, includeSubDomains: true } : false,
    // Cross-origin isolation would stop nothing here and can break embedding of the API's answers elsewhere.
    crossOriginEmbedderPolicy: false,
  });
}
