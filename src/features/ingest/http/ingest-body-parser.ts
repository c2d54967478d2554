import type { FastifyInstance } from 'fastify';
import { AttestError, rejectionDetail } from '../../../core/errors.js';
import { parseStrictJson, StrictJsonError } from '../../../core/strict-json.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Replaces, in the ingest routes' scope only, Fastify's JSON body parser by the strict one
 * (`core/strict-json.ts`): bytes that are not UTF-8, nesting deeper than 32 levels, numbers that are not
 * finite or not exact, lone surrogates and `__proto__` keys are each a 400 naming the field, before the body
 * schema runs; text that is not JSON stays a 400 MALFORMED_JSON.
 */
export function useStrictJsonBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_request, body: Buffer, done) => {
    try {
      done(null, parseStrictJson(decodeUtf8(body)));
    } catch (error) {
      done(error instanceof StrictJsonError ? toAttestError(error) : (error as Error), undefined);
    }
  });
}

function decodeUtf8(body: Buffer): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw new AttestError('MALFORMED_JSON', 'The request body is not valid JSON: it is not UTF-8 text.', [
      { field: 'body', reason: 'is not valid JSON: not UTF-8 text' },
    ]);
  }
}

function toAttestError(error: StrictJsonError): AttestError {
  if (error.kind === 'syntax')
    return new AttestError('MALFORMED_JSON', `The request body ${error.reason}`, [{ field: 'body', reason: error.reason }]);
  const event = /^events\[(\d+)\]/.exec(error.field);
  const fieldError = event
    ? { field: error.field, reason: error.reason, index: Number(event[1]) }
    : { field: error.field, reason: error.reason };
  return new AttestError('VALIDATION_FAILED', rejectionDetail([fieldError]), [fieldError]);
}
