import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) this summary reads. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Where self time went: a function or a code area, with its share of all sampled time. */
export interface ProfileEntry {
  name: string;
  selfMs: number;
  share: number;
}

/** The top self-time functions and code areas of a CPU profile. */
export interface ProfileSummary {
  totalMs: number;
  topFunctions: ProfileEntry[];
  topAreas: ProfileEntry[];
}

/** A code area of a frame: an npm package, a folder of this repository, Node's internals, or V8 itself. */
function areaOf(url: string, functionName: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  const own = /\/dist\/((?:src|bench)\/[^/]+)/.exec(url);
  if (own) return own[1] as string;
  if (url.startsWith('node:')) return 'node internals';
  if (url === '') return functionName === '(garbage collector)' ? 'garbage collector' : functionName === '(idle)' ? 'idle' : 'native / V8';
  return url;
}

function top(map: Map<string, number>, totalMs: number, count: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, selfMs]) => ({ name, selfMs, share: selfMs / totalMs }));
}

/**
 * Sums self time per function and per code area over a profile's samples (idle time excluded from the
 * total), so "where does the time go" is answered by a short list rather than a flame graph.
 */
export function summarizeCpuProfile(path: string, count = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((nodeId, i) => {
    const frame = byId.get(nodeId);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!frame || frame.functionName === '(idle)') return;
    totalMs += ms;
    const file = frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    const area = areaOf(frame.url, frame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
  });
  return { totalMs, topFunctions: top(byFunction, totalMs, count), topAreas: top(byArea, totalMs, count) };
}

/** The summary as indented text lines for the terminal. */
export function formatProfileSummary(title: string, summary: ProfileSummary): string {
  const entry = (e: ProfileEntry) => `    ${(e.share * 100).toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(7)} ms  ${e.name}`;
  return [
    `${title}: ${summary.totalMs.toFixed(0)} ms of non-idle CPU`,
    '  by area:',
    ...summary.topAreas.map(entry),
    '  by function (self time):',
    ...summary.topFunctions.map(entry),
  ].join('\n');
}
