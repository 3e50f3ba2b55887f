/** Text an agent reads: answers with `shard/source:line` citations, numbered source lines, resource URIs. */
import { cite } from '../../shared/api/citation.js';
import type { QueryResponse } from '../../shared/api/query.js';
import type { ShardRow } from '../../shared/api/shards.js';
import type { SourceLines } from '../../shared/api/sources.js';

export const URI_SCHEME = 'memfleet:';

/** `memfleet://<shard>/<source>[?from=a&to=b]`, each path segment percent-encoded. */
export function sourceUri(shard: string, source: string, from?: number, to?: number): string {
  const path = source.split('/').map(encodeURIComponent).join('/');
  const range = from !== undefined && to !== undefined ? `?from=${from}&to=${to}` : '';
  return `memfleet://${shard}/${path}${range}`;
}

export interface ParsedSourceUri {
  shard: string;
  source: string;
  from?: number;
  to?: number;
}

export function parseSourceUri(uri: URL): ParsedSourceUri {
  if (uri.protocol !== URI_SCHEME || !uri.hostname || uri.pathname.length < 2) {
    throw new Error(`Not a memfleet source URI: ${uri.href}. Expected memfleet://<shard>/<source>[?from=N&to=M].`);
  }
  const source = uri.pathname.slice(1).split('/').map(decodeURIComponent).join('/');
  const num = (name: string): number | undefined => {
    const raw = uri.searchParams.get(name);
    if (raw === null || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} in ${uri.href} must be a line number ≥ 1, got "${raw}".`);
    return n;
  };
  const from = num('from');
  const to = num('to');
  return { shard: uri.hostname, source, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** What an agent is told about each confidence level. */
const CONFIDENCE_TEXT = {
  high: 'Confidence: high (the cited passages match the question well).',
  low: 'Confidence: low (the closest passages in memory, but they only partly match the question; read them before relying on the answer, or search on with other words).',
  none: 'Confidence: none (no domain holds real evidence for this question).',
} as const;

export function renderAnswerText(res: QueryResponse): string {
  const out = [CONFIDENCE_TEXT[res.confidence], '', res.answer];
  if (res.citations.length > 0) {
    out.push('', 'Citations (best first):');
    res.citations.forEach((c, i) => {
      out.push(`[${i + 1}] ${cite(c)} (score ${c.score.toFixed(2)}, confidence ${c.confidence}) ${sourceUri(c.shard, c.source, c.line, c.endLine)}`);
      for (const line of c.text.split('\n')) out.push(`    ${line}`);
    });
  }
  const notOk = res.shards.filter((s) => s.status !== 'ok');
  if (notOk.length > 0) out.push('', `Shards that did not answer: ${notOk.map((s) => `${s.shard} (${s.status}${s.error ? `: ${s.error}` : ''})`).join(', ')}`);
  return out.join('\n');
}

/** Numbered lines, like `cat -n`, so an agent can cite `source:line` from what it read. */
export function renderLinesText(res: SourceLines): string {
  const width = String(res.to).length;
  const out = res.lines.map((l) => `${String(l.line).padStart(width)}\t${l.text}`);
  if (res.to < res.totalLines) {
    const next = res.to + 1;
    out.push(`… ${res.shard}/${res.source} has ${res.totalLines} lines; read more with ${sourceUri(res.shard, res.source, next, Math.min(res.totalLines, next + 199))}`);
  }
  return out.join('\n');
}

export function renderShardsText(rows: readonly ShardRow[]): string {
  if (rows.length === 0) return 'No shard has registered with the coordinator yet.';
  return rows
    .map((r) => `${r.shard}: ${r.status}, ${r.replicas} replica${r.replicas === 1 ? '' : 's'}, ${r.sources} sources, ${r.lines} lines, ~${r.tokens} tokens, engine ${r.engine}`)
    .join('\n');
}
