/**
 * Resident memory and CPU time of a process, read from /proc (Linux). The
 * benchmark uses them for "how much memory does a shard hold" and "how many
 * cores did each part of the fleet use"; elsewhere they read as null.
 */
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ); 100 on every mainstream Linux build. */
const CLOCK_TICKS = 100;

export interface ProcSample {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Peak resident set size since the process started (VmHWM), MB. */
  peakRssMb: number;
  /** User + system CPU time so far, seconds. */
  cpuSec: number;
}

export function sampleProcess(pid: number): ProcSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return {
      rssMb: kbField(status, 'VmRSS') / 1024,
      peakRssMb: kbField(status, 'VmHWM') / 1024,
      cpuSec: (utime + stime) / CLOCK_TICKS,
    };
  } catch {
    return null;
  }
}

function kbField(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/**
 * CPU seconds groups of processes used between two points in time. Start one
 * before a load phase and call `coresUsed()` after it: 1.0 means one core
 * fully busy on average over the phase.
 */
export class CpuMeter {
  private readonly start: Map<string, number>;
  private readonly startedAt = performance.now();

  /** @param groups - a name per group ("shards", "redis", …) and the pids it sums */
  constructor(private readonly groups: ReadonlyMap<string, readonly number[]>) {
    this.start = new Map([...groups].map(([name, pids]) => [name, cpuOfAll(pids)]));
  }

  /** Cores used per group (CPU seconds / wall seconds) since construction, plus their "total". */
  coresUsed(): Record<string, number> {
    const wallSec = (performance.now() - this.startedAt) / 1000;
    const out: Record<string, number> = {};
    let total = 0;
    for (const [name, pids] of this.groups) {
      const used = wallSec > 0 ? (cpuOfAll(pids) - (this.start.get(name) ?? 0)) / wallSec : 0;
      out[name] = Math.round(used * 100) / 100;
      total += used;
    }
    out.total = Math.round(total * 100) / 100;
    return out;
  }
}

function cpuOfAll(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuOf(pid), 0);
}

function cpuOf(pid: number): number {
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  return sampleProcess(pid)?.cpuSec ?? 0;
}
