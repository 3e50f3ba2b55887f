/** `memfleet status`, second table: the processes `memfleet up` supervises (GET /v1/supervisor). */
import type { SupervisorStatus } from '../../../shared/api/supervisor.js';
import { ageOf, type Colors } from './terminal.js';

export function renderProcesses(supervisors: readonly SupervisorStatus[], c: Colors, now = Date.now()): string {
  const out: string[] = [];
  for (const s of supervisors) {
    out.push('', c.bold(`Processes of memfleet up (pid ${s.pid} on ${s.host}, up ${ageOf(new Date(s.startedAt).toISOString(), now).replace(' ago', '')}):`));
    const header = ['PROCESS', 'PID', 'STATE', 'RESTARTS', 'LAST EXIT'];
    const body = s.processes.map((p) => [
      p.name,
      p.pid === null ? '-' : String(p.pid),
      p.state,
      String(p.restarts),
      p.gaveUp ? `gave up: ${p.gaveUp}` : p.lastExit ? `${p.lastExit.reason} ${ageOf(new Date(p.lastExit.at).toISOString(), now)}` : '-',
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
    const pad = (cell: string, i: number) => (i === 1 || i === 3 ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number));
    out.push(header.map((h, i) => c.bold(pad(h, i))).join('  ').trimEnd());
    for (const row of body) {
      out.push(
        row
          .map((cell, i) => {
            const padded = pad(cell, i);
            if (i !== 2) return padded;
            return cell === 'running' ? c.green(padded) : cell === 'restarting' ? c.yellow(padded) : c.red(padded);
          })
          .join('  ')
          .trimEnd(),
      );
    }
  }
  return out.join('\n');
}
