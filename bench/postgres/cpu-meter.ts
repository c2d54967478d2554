import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Linux counts process CPU time in clock ticks of 1/100 s (`getconf CLK_TCK` is 100 on every common kernel). */
export const TICKS_PER_SECOND = 100;
const SAMPLE_INTERVAL_MS = 500;

/** CPU time (user + system) of a process so far, in ticks; undefined once it has exited. */
export function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) of a process so far, in milliseconds (10 ms steps); undefined once it has exited. */
export function processCpuMs(pid: number): number | undefined {
  const ticks = cpuTicks(pid);
  return ticks === undefined ? undefined : (ticks * 1000) / TICKS_PER_SECOND;
}

/** Every process whose command is `postgres`: the shared server's postmaster, its workers and backends. */
export function postgresPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry));
    } catch {
      // Exited between the listing and the read.
    }
  }
  return pids;
}

/**
 * Measures how much of the machine's CPU groups of processes used over a phase: each group's CPU seconds
 * divided by the wall time and the number of cores, so 1.0 is the whole machine. Processes are sampled every
 * half second, so one that exits (the load generator when its phase ends) still counts up to its last sample.
 */
export class CpuMeter {
  private readonly first = new Map<string, Map<number, number>>();
  private readonly last = new Map<string, Map<number, number>>();
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();

  constructor(private readonly groups: Record<string, () => number[]>) {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
  }

  private sample(): void {
    for (const [group, pids] of Object.entries(this.groups)) {
      const first = this.first.get(group) ?? new Map<number, number>();
      const last = this.last.get(group) ?? new Map<number, number>();
      for (const pid of pids()) {
        const ticks = cpuTicks(pid);
        if (ticks === undefined) continue;
        if (!first.has(pid)) first.set(pid, ticks);
        last.set(pid, ticks);
      }
      this.first.set(group, first);
      this.last.set(group, last);
    }
  }

  /** Stops sampling; returns each group's share of the machine over the phase (0–1). */
  stop(): Record<string, number> {
    this.sample();
    clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1000;
    const shares: Record<string, number> = {};
    for (const group of Object.keys(this.groups)) {
      let ticks = 0;
      for (const [pid, end] of this.last.get(group) ?? []) ticks += end - (this.first.get(group)?.get(pid) ?? end);
      shares[group] = ticks / TICKS_PER_SECOND / seconds / cpus().length;
    }
    return shares;
  }
}
