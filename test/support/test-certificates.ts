import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A self-signed CA certificate and its private key, both PEM. */
export interface TestCertificateAuthority {
  certificate: string;
  privateKey: string;
}

/** Makes a self-signed P-256 CA with Debian's openssl, valid for `days` days, in a folder removed afterwards. */
export function makeTestCa(commonName: string, days: number): TestCertificateAuthority {
  const dir = mkdtempSync(join(tmpdir(), 'attest-test-ca-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'].concat([
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
        '-days',
        String(days),
        '-subj',
        `/CN=${commonName}`,
      ]),
      { cwd: dir, stdio: 'ignore' },
    );
    return { certificate: readFileSync(join(dir, 'ca.pem'), 'utf8'), privateKey: readFileSync(join(dir, 'ca.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
