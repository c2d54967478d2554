import type { FastifyRequest } from 'fastify';
import { newTraceId, traceIdFromTraceparent } from '../../../core/trace-context.js';
import type { LogReader, ReadLog } from '../query/audit-log-access-events.js';
import type { AuditLogQueryContext } from '../query/audit-log-query.js';
import type { AppServices } from '../../../http/app-services.js';
import type { OrgAccess } from '../../../http/plugins/org-scope.js';

/** What the query module needs to know about the request's organization and the time. */
export function queryContextOf(services: AppServices, access: OrgAccess): AuditLogQueryContext {
  return {
    orgId: access.org.id,
    nowMs: services.store.clock.now(),
    retentionDays: services.config.retentionDays,
    timeZone: access.org.timeZone,
  };
}

/** The owner reading the log, as the actor of `audit_log.viewed` / `audit_log.exported`. */
export function logReaderOf(request: FastifyRequest, access: OrgAccess): LogReader {
  const reader: LogReader = { id: access.user.id, name: access.user.name, email: access.user.email, type: 'user', ip: request.ip };
  const agent = request.headers['user-agent'];
  if (agent) reader.userAgent = agent.slice(0, 500);
  return reader;
}

/** The organization whose log is read. */
export function readLogOf(access: OrgAccess): ReadLog {
  return { orgId: access.org.id, orgName: access.org.name };
}

/** The W3C trace id of the request (`traceparent`), else a new one. */
export function traceIdOf(request: FastifyRequest): string {
  return traceIdFromTraceparent(request.headers.traceparent as string | undefined) ?? newTraceId();
}
