/**
 * `node --import tsx bench/profile-summary.ts DIR|FILE…`: where the CPU time
 * of V8 .cpuprofile files (from `npm run bench -- --profile DIR`) went,
 * grouped by package or repository file, and the hottest functions. This is
 * how docs/performance.md's "where the time goes" was found.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** "bullmq", "ioredis", "services/coordinator/…", "(garbage collector)", "node:internal/…" */
export function groupOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const repo = url.match(/\/(dist\/)?(services|shared|bench)\/(.*)$/);
  if (repo) return `${repo[2]}/${repo[3]}`.replace(/\.js$/, '.ts');
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  byGroup: [string, number][];
  byFunction: [string, number][];
}

export function summarizeProfile(file: string, profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const groups = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    total += us;
    const g = groupOf(url, functionName);
    groups.set(g, (groups.get(g) ?? 0) + us);
    const f = `${functionName || '(anonymous)'} ${g}:${lineNumber + 1}`;
    fns.set(f, (fns.get(f) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => [k, Math.round(v / 100) / 10] as [string, number]);
  return { file: basename(file), totalMs: Math.round(total / 1000), byGroup: top(groups, 15), byFunction: top(fns, 15) };
}

function main(): void {
  const args = process.argv.slice(2);
  if (args.length === 0) {
    process.stderr.write('usage: node --import tsx bench/profile-summary.ts DIR|FILE.cpuprofile …\n');
    process.exit(2);
  }
  const files = args.flatMap((a) => (statSync(a).isDirectory() ? readdirSync(a).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(a, f)) : [a]));
  for (const file of files) {
    const s = summarizeProfile(file, JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    process.stdout.write(`\n## ${s.file}: ${s.totalMs} ms on CPU (idle excluded)\n`);
    for (const [g, ms] of s.byGroup) process.stdout.write(`  ${ms.toFixed(1).padStart(9)} ms  ${((ms / s.totalMs) * 100).toFixed(1).padStart(5)}%  ${g}\n`);
    process.stdout.write('  hottest functions (self time):\n');
    for (const [f, ms] of s.byFunction) process.stdout.write(`  ${ms.toFixed(1).padStart(9)} ms  ${f}\n`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) main();
