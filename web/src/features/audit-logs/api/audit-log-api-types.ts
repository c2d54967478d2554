import type { AuditEvent } from '../../../lib/api-types.js';

/** A warning the API attaches to a successful answer (e.g. the range was clamped to retention). */
export interface QueryWarning {
  code: string;
  message: string;
}

/** One page of `GET /api/v1/orgs/{orgId}/audit-logs`. */
export interface AuditLogPage {
  data: AuditEvent[];
  nextCursor: string | null;
  total: number;
  warnings: QueryWarning[];
  range: { from: string; to: string };
  /** The log's highest committed seq when the page was read; the live feed resumes after it. */
  lastSeq: number;
}

/** API parameters of a list, count, export or stream request. */
export type AuditLogParams = Record<string, string | string[] | boolean | null>;

/** The base path of an organization's audit log API. */
export function auditLogsPath(orgId: string): string {
  return `/api/v1/orgs/${encodeURIComponent(orgId)}/audit-logs`;
}
