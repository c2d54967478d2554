import type { FastifyReply } from 'fastify';
import type {} from '@fastify/cookie';
import { SESSION_TTL_MS } from '../auth/credentials.js';
import type { AttestConfig } from '../config.js';
import { SESSION_COOKIE } from './plugins/authentication.js';

/** Hands the browser a new session: HttpOnly, SameSite=Lax, Secure behind HTTPS, for the session's lifetime. */
export function setSessionCookie(reply: FastifyReply, secret: string, config: Pick<AttestConfig, 'secureCookies'>): void {
  void reply.setCookie(SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.secureCookies,
    path: '/',
    maxAge: SESSION_TTL_MS / 1000,
  });
}
