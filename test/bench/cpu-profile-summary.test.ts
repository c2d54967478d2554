import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProfileSummary, summarizeCpuProfile } from '../../bench/profile/summarize-cpu-profile.js';

const dir = mkdtempSync(join(tmpdir(), 'attest-cpu-prof-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('summarizeCpuProfile', () => {
  it('finds the function that burned the CPU in a real `node --cpu-prof` profile', () => {
    const script = join(dir, 'burn.mjs');
    writeFileSync(
      script,
      'function burnCpuOnPurpose() { let x = 0; const end = Date.now() + 400; while (Date.now() < end) for (let i = 0; i < 1e6; i++) x = (x + i * 7) | 0; return x; }\nburnCpuOnPurpose();\n',
    );
    execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, script]);
    const profile = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    expect(profile).toBeDefined();

    const summary = summarizeCpuProfile(join(dir, profile as string));
    expect(summary.totalMs).toBeGreaterThan(200);
    expect(summary.topFunctions[0]?.name).toContain('burnCpuOnPurpose');
    expect(summary.topFunctions[0]?.share).toBeGreaterThan(0.5);
    expect(formatProfileSummary('burn', summary)).toContain('burnCpuOnPurpose');
  });
});
