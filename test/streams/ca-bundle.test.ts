import { beforeAll, describe, expect, it } from 'vitest';
import { AttestError } from '../../src/core/errors.js';
import { checkCaBundle } from '../../src/features/streams/ca-bundle.js';
import { makeTestCa } from '../support/test-certificates.js';

/**
 * A destination's CA bundle is checked where it is entered: certificates made here with Debian's openssl pass
 * (also with the comment lines of a system bundle around them); a private key, another kind of PEM block, a
 * damaged certificate, an expired one and text with no certificate are each refused with the reason.
 */

let caPem: string;
let secondPem: string;
let keyPem: string;
const DAY_MS = 86_400_000;

beforeAll(() => {
  const ca = makeTestCa('Bundle Test CA', 2);
  caPem = ca.certificate;
  keyPem = ca.privateKey;
  secondPem = makeTestCa('Second CA', 30).certificate;
});

function refusal(pem: string, nowMs = Date.now()): string {
  try {
    checkCaBundle(pem, nowMs);
  } catch (error) {
    if (error instanceof AttestError) return JSON.stringify(error.errors);
    throw error;
  }
  throw new Error('the bundle was accepted');
}

describe('checkCaBundle', () => {
  it('returns each certificate of a bundle, comments around them allowed', () => {
    const certs = checkCaBundle(`# Bundle Test CA\n${caPem}\n# Second CA\n${secondPem}`, Date.now());
    expect(certs.map((c) => c.subject)).toEqual(['CN=Bundle Test CA', 'CN=Second CA']);
    expect(certs[0]?.validTo.getTime()).toBeGreaterThan(Date.now() + DAY_MS);
  });

  it('refuses a private key, naming the block, even beside a good certificate', () => {
    expect(refusal(`${caPem}${keyPem}`)).toMatch(/"field":"caBundle".*block 2 is a private key/);
  });

  it('refuses a PEM block that is not a certificate', () => {
    const csr = `-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n`;
    expect(refusal(csr)).toMatch(/block 1 is a CERTIFICATE REQUEST, not a CERTIFICATE/);
  });

  it('refuses a damaged certificate, naming which', () => {
    const lines = secondPem.trim().split('\n');
    const damaged = [...lines.slice(0, 3), ...lines.slice(5)].join('\n');
    expect(refusal(`${caPem}${damaged}\n`)).toMatch(/certificate 2 does not parse/);
  });

  it('refuses an expired certificate with its subject and end date', () => {
    expect(refusal(caPem, Date.now() + 3 * DAY_MS)).toMatch(/certificate 1 \(CN=Bundle Test CA\) expired on \d{4}-\d\d-\d\dT/);
    expect(checkCaBundle(caPem, Date.now() + DAY_MS)).toHaveLength(1);
  });

  it('refuses text that holds no certificate', () => {
    expect(refusal('paste the CA here')).toMatch(/holds no PEM certificate/);
    expect(refusal('')).toMatch(/holds no PEM certificate/);
  });
});
