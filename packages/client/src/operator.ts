import { AttestProblemError } from './errors.js';
import type { Problem } from './errors.js';

export interface OperatorClientOptions {
  baseUrl: string;
  /** An operator token (`attest operator-token create`). */
  operatorToken: string;
  fetch?: typeof fetch;
}

export interface CreateOrganizationInput {
  name: string;
  ownerEmail: string;
  /** The owner's name when the account is new. */
  ownerName?: string;
  /** IANA time zone of the organization (server default when absent). */
  timeZone?: string;
  /** The organization's id (a UUID) when the platform chooses it; generated otherwise. */
  id?: string;
}

export interface CreatedOrganization {
  id: string;
  name: string;
  timeZone: string;
  owner: { email: string; status: string; welcomeLink?: unknown };
}

/** The operator API (PRODUCT.md §11): a multi-tenant platform provisions its tenants' organizations. */
export class AttestOperatorClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: OperatorClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? fetch;
  }

  /** Creates an organization with its first owner; rejects with AttestProblemError (400 bad field, 409 taken id, 401/403). */
  async createOrganization(input: CreateOrganizationInput): Promise<CreatedOrganization> {
    const response = await this.fetchFn(`${this.baseUrl}/api/v1/orgs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.options.operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const text = await response.text();
    if (response.status !== 201) {
      let problem: Problem = { status: response.status, detail: text.slice(0, 500) };
      try {
        problem = JSON.parse(text) as Problem;
      } catch {
        // keep the text
      }
      throw new AttestProblemError(response.status, problem);
    }
    return JSON.parse(text) as CreatedOrganization;
  }
}
