import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** The rule messages ESLint (with the repository's own eslint.config.js) reports for `code` placed at `filePath`. */
async function lintProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: join(ROOT, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

// src/integrity/ runs in the browser too, so eslint.config.js keeps Node and the rest of the server out of it.
describe('src/integrity/ stays pure', () => {
  it.each([
    ['a Node module', "import { hash } from 'node:crypto';\nexport const probe = hash;\n"],
    ['a Node module without its node: prefix', "import { createHash } from 'crypto';\nexport const probe = createHash;\n"],
    ['a package', "import canonicalize from 'canonicalize';\nexport const probe = canonicalize;\n"],
    ['another folder of the server', "import { systemClock } from '../core/clock.js';\nexport const probe = systemClock;\n"],
    [
      'only a type from another folder',
      "import type { AuditEventRecord } from '../events/audit-event.js';\nexport type Probe = AuditEventRecord;\n",
    ],
  ])('rejects importing %s', async (_what, code) => {
    // Another folder of the server is also above src/integrity/ in the layers, which import-x reports too.
    expect(await lintProblems('src/integrity/probe.ts', code)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^no-restricted-imports: .*imports only its own files/)]),
    );
  });

  it.each(['Buffer', 'process', 'setImmediate'])('rejects the Node-only global %s', async (name) => {
    expect(await lintProblems('src/integrity/probe.ts', `export const probe = typeof ${name};\n`)).toEqual([
      `no-restricted-globals: Unexpected use of '${name}'. ${name} exists only in Node; src/integrity/ runs in the browser too (use Uint8Array and WebCrypto).`,
    ]);
  });

  it('accepts its own files, WebCrypto and Uint8Array', async () => {
    const code =
      "import { toHex } from './bytes.js';\nexport const probe = async () => toHex(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new Uint8Array(1))));\n";
    expect(await lintProblems('src/integrity/probe.ts', code)).toEqual([]);
  });

  it('leaves the rest of the server free to use Node', async () => {
    expect(await lintProblems('src/core/probe.ts', "import { hash } from 'node:crypto';\nexport const probe = [hash, Buffer];\n")).toEqual(
      [],
    );
  });
});
