import type { FastifyRequest } from 'fastify';
import { DAY_MS } from '../../../config.js';
import { newTraceId, traceIdFromTraceparent } from '../../../core/trace-context.js';
import type { AppServices } from '../../../http/app-services.js';
import { orgAccessOf } from '../../../http/plugins/org-scope.js';
import type { ActingPrincipal, CommandContext, OrgCommandContext } from '../command-context.js';

/** The request's W3C trace id (`traceparent`), or a new one. */
export function requestTraceId(request: FastifyRequest): string {
  return traceIdFromTraceparent(request.headers.traceparent as string | undefined) ?? newTraceId();
}

/** Where a request comes from, for the actor of its event. */
export function requestOrigin(request: FastifyRequest): Pick<ActingPrincipal, 'ip' | 'userAgent'> {
  const userAgent = request.headers['user-agent'];
  return userAgent ? { ip: request.ip, userAgent } : { ip: request.ip };
}

/** A command context without an organization (anonymous joins): the services and the request's trace. */
export function baseCommandContext(request: FastifyRequest, services: AppServices): Omit<CommandContext, 'actor'> {
  return {
    store: services.store,
    clock: services.store.clock,
    retentionMs: services.config.retentionDays * DAY_MS,
    traceId: requestTraceId(request),
  };
}

/** The command context of a request inside the org scope: the caller acts with their type there (a proxy user's granted type). */
export function orgCommandContext(request: FastifyRequest, services: AppServices): OrgCommandContext {
  const access = orgAccessOf(request);
  return {
    ...baseCommandContext(request, services),
    actor: { userId: access.user.id, name: access.user.name, email: access.user.email, ...requestOrigin(request) },
    org: { id: access.org.id, name: access.org.name },
    actorType: access.userType,
  };
}
