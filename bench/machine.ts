/**
 * What the numbers were measured on. A benchmark figure without the machine,
 * the load on it and the versions is not worth comparing.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release, platform } from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  redis: string;
  bullmq: string;
  /** 1, 5 and 15 minute load averages when the run started (other people's tests share the machine). */
  loadAtStart: [number, number, number];
}

export function describeMachine(redisVersion: string, bullmqVersion: string): Machine {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    cpuModel: cpuModel(),
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.version,
    redis: redisVersion,
    bullmq: bullmqVersion,
    loadAtStart: [round2(one), round2(five), round2(fifteen)],
  };
}

/** /proc/cpuinfo's "model name" (os.cpus() sometimes shortens it), falling back to os.cpus(). */
function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    const name = line?.split(':')[1]?.trim();
    if (name) return name;
  } catch {
    // Not Linux: os.cpus() below.
  }
  return cpus()[0]?.model ?? 'unknown';
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
