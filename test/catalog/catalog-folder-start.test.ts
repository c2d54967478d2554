import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runNode } from '../support/child-processes.js';

// A bad product-area file stops `npm start` (node dist/src/main.js) and every `attest` command before
// anything runs, with the file, the line and the problem on stderr.

const root = mkdtempSync(join(tmpdir(), 'attest-catalog-start-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function catalogFolder(name: string, text: string): string {
  const folder = mkdtempSync(join(root, `${name}-`));
  writeFileSync(join(folder, 'broken.json'), text);
  return folder;
}

const unknownAction = JSON.stringify(
  {
    product: 'FleetPlus',
    displayName: 'Fleet+',
    typePrefixes: ['fleet.'],
    eventTypes: [{ type: 'fleet.a.b', activity: 'A', action: 'Sell', securityAction: false, entityType: 'a', descriptionTemplate: 'x' }],
  },
  null,
  2,
);

describe('a bad file in ATTEST_CATALOG_DIR', () => {
  it('stops the server before it listens, naming the file, the line and the problem', async () => {
    const dir = catalogFolder('server', unknownAction);
    const result = await runNode(['dist/src/main.js'], {
      ATTEST_CATALOG_DIR: dir,
      ATTEST_DATABASE_URL: `sqlite:${join(root, 'server.db')}`,
      ATTEST_LOG_KEY_FILE: join(root, 'log-key'),
      PORT: '0',
    });
    expect(result.code).toBe(1);
    const line = unknownAction.split('\n').findIndex((text) => text.includes('"Sell"')) + 1;
    expect(result.stderr).toContain(`${join(dir, 'broken.json')}:${line}:`);
    expect(result.stderr).toContain('eventTypes.0.action must be one of "Create"');
    expect(result.stdout).not.toMatch(/Server listening/);
  });

  it('stops an attest command too, with a bad JSON file named at its line', async () => {
    const dir = catalogFolder('cli', '{\n  "product": "FleetPlus",\n}\n');
    const result = await runCli(['producer-key', 'list'], {
      ATTEST_CATALOG_DIR: dir,
      ATTEST_DATABASE_URL: `sqlite:${join(root, 'cli.db')}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`broken\\.json:3:1: not valid JSON`));
  });
});
