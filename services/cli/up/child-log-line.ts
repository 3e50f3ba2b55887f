/**
 * How `memfleet up` shows a child's log line: pino's JSON made readable
 * ("warn: source skipped: photo.txt is binary ..."), anything else as printed.
 */

/** Fields every line carries, or that the `[name]` prefix already says. */
const NOISE = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'shard', 'replica']);

export function renderChildLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
  const record = parsed as Record<string, unknown>;
  if (typeof record.msg !== 'string') return line;
  const fields: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (NOISE.has(key) || value === undefined) continue;
    if (key === 'err' && typeof value === 'object' && value !== null) {
      fields.push(`error=${JSON.stringify(String((value as { message?: unknown }).message ?? ''))}`);
      continue;
    }
    fields.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  const level = typeof record.level === 'string' ? `${record.level}: ` : '';
  return `${level}${record.msg}${fields.length ? ` (${fields.join(', ')})` : ''}`;
}
