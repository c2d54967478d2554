import { X509Certificate } from 'node:crypto';
import { invalidField } from '../../core/errors.js';

// A destination's own CA bundle replaces the system CAs for its TLS connections. A bundle that holds no usable
// certificate would only show up later as failed deliveries, so it is refused where it is entered, with the
// reason. Text around the certificates (the comments of ca-certificates.crt, say) is allowed, as TLS ignores it.

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** A certificate of a bundle as the page and the checks describe it. */
export interface BundleCertificate {
  subject: string;
  validTo: Date;
}

/**
 * Checks a PEM CA bundle and returns its certificates: every PEM block must be a certificate that parses and is
 * not expired at `nowMs`, and there must be at least one. A private key is refused outright: it must never be
 * sent to Attest, and its presence says the wrong file was pasted.
 */
export function checkCaBundle(pem: string, nowMs: number): BundleCertificate[] {
  const certificates: BundleCertificate[] = [];
  let position = 0;
  for (const block of pem.matchAll(BLOCK)) {
    position += 1;
    const label = block[1] ?? '';
    if (label.includes('PRIVATE KEY'))
      throw invalidField(
        'caBundle',
        `block ${position} is a private key; paste only the certificate of the CA that signed the destination's certificate`,
      );
    if (label !== 'CERTIFICATE') throw invalidField('caBundle', `block ${position} is a ${label}, not a CERTIFICATE`);
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block[0]);
    } catch (error) {
      throw invalidField('caBundle', `certificate ${position} does not parse (${error instanceof Error ? error.message : String(error)})`);
    }
    const validTo = new Date(certificate.validTo);
    if (validTo.getTime() < nowMs)
      throw invalidField(
        'caBundle',
        `certificate ${position} (${certificate.subject.replace(/\n/g, ', ')}) expired on ${validTo.toISOString()}`,
      );
    certificates.push({ subject: certificate.subject, validTo });
  }
  if (certificates.length === 0)
    throw invalidField('caBundle', 'holds no PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)');
  return certificates;
}
