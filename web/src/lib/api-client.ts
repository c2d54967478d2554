/**
 * The one way the web app talks to the Attest API: same-origin fetch with the session cookie, JSON in and
 * out, and every RFC 9457 problem+json answer turned into an {@link ApiError} the page can show in words.
 *
 * @example
 * const me = await apiRequest<Me>('/api/v1/me');
 */

/** One per-field reason from a problem's `errors` extension. */
export interface ApiFieldError {
  field: string;
  reason: string;
  index?: number;
  /** The line of a bulk CSV file the problem is on. */
  line?: number;
}

/** A failed API call: the status, Attest's stable `code`, and a sentence a person can act on. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fieldErrors: ApiFieldError[];

  constructor(status: number, code: string, message: string, fieldErrors: ApiFieldError[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fieldErrors = fieldErrors;
  }
}

interface ProblemBody {
  title?: string;
  detail?: string;
  code?: string;
  errors?: ApiFieldError[];
}

/** What a person should do about a status, when the server's own words are missing. */
function fallbackMessage(status: number): string {
  if (status === 401) return 'Your session has ended. Sign in again.';
  if (status === 403) return 'You do not have permission to do this.';
  if (status === 404) return 'This was not found, or you are not a member of this organization.';
  if (status === 429) return 'Too many attempts. Wait a minute, then try again.';
  if (status >= 500) return 'The server had a problem. Try again in a moment; if it persists, contact support.';
  return 'The request was not accepted.';
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  let problem: ProblemBody = {};
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      problem = (await response.json()) as ProblemBody;
    } catch {
      problem = {};
    }
  }
  const fieldErrors = Array.isArray(problem.errors) ? problem.errors : [];
  return new ApiError(
    response.status,
    problem.code ?? `HTTP_${response.status}`,
    problem.detail ?? fallbackMessage(response.status),
    fieldErrors,
  );
}

/** Options of {@link apiRequest}: a JSON body, or a raw body with its content type. */
export interface ApiRequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  json?: unknown;
  body?: string;
  contentType?: string;
  signal?: AbortSignal;
}

/** Calls the API; resolves with the parsed JSON (undefined for 204), rejects with an {@link ApiError}. */
export async function apiRequest<T>(path: string, options: ApiRequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'text/plain';
    body = options.body;
  }
  let response: Response;
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, body, credentials: 'same-origin', signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'Attest could not be reached. Check your connection, then try again.');
  }
  if (!response.ok) throw await errorFromResponse(response);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

/** Builds a query string from values, repeating array values (`action=Create&action=Update`) and skipping empties. */
export function queryString(params: Record<string, string | number | boolean | readonly string[] | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '' || value === false) continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The words to show for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
