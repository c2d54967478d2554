import { httpGetText } from '../server/http-client.js';
import { auditLogQueryString, type QueryCase } from './query-scenarios.js';
import { addScenarioSample, emptyTimings, type QueryTimings } from './store-query-bench.js';

/** Whether the audit-log API answers, and why not when it does not. */
export type ApiAvailability = { available: true } | { available: false; reason: string };

function auditLogsUrl(baseUrl: string, orgId: string): string {
  return `${baseUrl}/api/v1/orgs/${orgId}/audit-logs`;
}

/** Asks the audit-log API for one event; the routes may not be built yet, and then the HTTP figures are skipped. */
export async function probeAuditLogApi(baseUrl: string, token: string, orgId: string): Promise<ApiAvailability> {
  const { status, text } = await httpGetText(`${auditLogsUrl(baseUrl, orgId)}?limit=1`, { authorization: `Bearer ${token}` });
  if (status === 200) return { available: true };
  return { available: false, reason: `GET /api/v1/orgs/{orgId}/audit-logs answered ${status}: ${text.slice(0, 200)}` };
}

/** A GET timed from sending the request to the last byte of the answer; parsing the JSON is the client's own time. */
async function timedGetJson(url: string, token: string): Promise<{ ms: number; body: { nextCursor?: string | null; data?: unknown[] } }> {
  const started = performance.now();
  const { status, text } = await httpGetText(url, { authorization: `Bearer ${token}` });
  const ms = performance.now() - started;
  if (status !== 200) throw new Error(`GET ${url} answered ${status}: ${text.slice(0, 300)}`);
  return { ms, body: JSON.parse(text) as { nextCursor?: string | null; data?: unknown[] } };
}

/**
 * The same cases over HTTP with an owner API token: the whole first call (first page with its `total`), the
 * next page by `nextCursor`, and `GET …/audit-logs/{logId}`. Each call is timed from sending the request to
 * the last byte of the answer.
 */
export async function measureHttpQueries(
  baseUrl: string,
  token: string,
  cases: readonly QueryCase[],
  logIds: readonly { orgId: string; logId: string }[],
  pageSize: number,
): Promise<QueryTimings> {
  const timings = emptyTimings();
  for (const queryCase of cases) {
    const url = `${auditLogsUrl(baseUrl, queryCase.orgId)}?${auditLogQueryString(queryCase.filter, pageSize)}`;
    const first = await timedGetJson(url, token);
    timings.firstPage.push(first.ms);
    addScenarioSample(timings, queryCase.scenario, 'firstPage', first.ms);
    if (first.body.nextCursor) {
      const next = await timedGetJson(`${url}&cursor=${encodeURIComponent(first.body.nextCursor)}`, token);
      timings.nextPage.push(next.ms);
    }
  }
  for (const { orgId, logId } of logIds) {
    const lookup = await timedGetJson(`${auditLogsUrl(baseUrl, orgId)}/${logId}`, token);
    timings.logId.push(lookup.ms);
  }
  return timings;
}
