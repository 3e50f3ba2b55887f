/**
 * The gate every Claude citation passes before it leaves the shard: the
 * source must exist, the line range must exist in it, and the quoted words
 * must appear, in order, in exactly those lines. Pure (no I/O), so the rules
 * are unit-tested on their own.
 *
 * Quotes are compared word by word (case, accents and punctuation ignored),
 * because a model that re-types "—" as "--" or drops a markdown "**" has still
 * quoted the line; a quote whose words are not there has not. "…" in a quote
 * splits it into fragments that must each appear, in order.
 */
import { z } from 'zod';
import type { Citation } from '../../../../shared/queues/schemas.js';

export type RejectReason = 'malformed' | 'unknown_source' | 'out_of_range' | 'quote_mismatch';

export interface Rejection {
  reason: RejectReason;
  /** What was wrong, naming the citation (safe to log: no secrets, bounded length). */
  detail: string;
}

export interface CheckOutcome {
  /** Verified citations, best first, `text` exactly the cited lines. */
  accepted: Citation[];
  rejected: Rejection[];
  /** 0-based indexes, in the reply's order, of the items that passed (a repeat of a passed one included): what answer markers are checked against. */
  verified: ReadonlySet<number>;
}

export interface CheckOptions {
  /** The shard's domain: a source written as "<domain>/path" is read as "path". */
  domain: string;
  /** A range longer than this is narrowed to the lines the quote covers (or rejected if that is still longer). */
  maxLines: number;
}

/** Fewer quoted words than this prove nothing ("the", "and it"), unless they are all the cited lines hold. */
export const MIN_QUOTE_WORDS = 3;
/** CitationSchema's cap on `text`. */
const MAX_TEXT_CHARS = 20_000;

const ItemSchema = z.object({
  source: z.string().min(1),
  line: z.number().int().min(1),
  endLine: z.number().int().min(1).optional(),
  quote: z.string(),
  relevance: z.number().optional(),
});

export function checkCitations(items: readonly unknown[], sources: ReadonlyMap<string, readonly string[]>, opts: CheckOptions): CheckOutcome {
  const accepted: Citation[] = [];
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  const verified = new Set<number>();
  for (const [i, item] of items.entries()) {
    const verdict = checkOne(item, sources, opts);
    if ('reason' in verdict) {
      rejected.push({ reason: verdict.reason, detail: `citation ${i + 1}: ${verdict.detail}`.slice(0, 300) });
      continue;
    }
    verified.add(i);
    const key = `${verdict.source}:${verdict.line}-${verdict.endLine}`;
    if (seen.has(key)) continue; // the same lines twice is not an error, just one citation
    seen.add(key);
    accepted.push(verdict);
  }
  // Stable sort: equal relevance keeps the model's order.
  accepted.sort((a, b) => b.score - a.score);
  return { accepted, rejected, verified };
}

function checkOne(item: unknown, sources: ReadonlyMap<string, readonly string[]>, opts: CheckOptions): Citation | Rejection {
  const parsed = ItemSchema.safeParse(item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { reason: 'malformed', detail: issue ? `${issue.path.map(String).join('.') || 'item'}: ${issue.message}` : 'not a citation object' };
  }
  const c = parsed.data;
  const source = resolveSource(c.source, sources, opts.domain);
  if (source === undefined) return { reason: 'unknown_source', detail: `no source "${c.source.slice(0, 120)}" in domain ${opts.domain}` };
  const lines = sources.get(source)!;
  let line = c.line;
  let endLine = c.endLine ?? c.line;
  if (endLine < line || endLine > lines.length) {
    return { reason: 'out_of_range', detail: `${source}:${c.line}-${endLine} is not a range of lines 1-${lines.length}` };
  }

  const quote = quoteFragments(c.quote);
  const quotedWords = quote.reduce((n, f) => n + f.length, 0);
  const range = wordsOfLines(lines, line, endLine);
  if (quotedWords === 0) return { reason: 'quote_mismatch', detail: `${source}:${line}-${endLine} has an empty quote` };
  if (quotedWords < MIN_QUOTE_WORDS && quotedWords < range.words.length) {
    return { reason: 'quote_mismatch', detail: `${source}:${line}-${endLine}: the quote "${c.quote.slice(0, 60)}" is too short to check` };
  }
  const match = findInOrder(range.words, quote);
  if (match === undefined) {
    return { reason: 'quote_mismatch', detail: `${source}:${line}-${endLine} does not contain "${c.quote.slice(0, 80)}"` };
  }
  if (endLine - line + 1 > opts.maxLines) {
    // Too wide to be a useful citation: keep only the lines the quote actually covers.
    line = range.lineOf[match.first]!;
    endLine = range.lineOf[match.last]!;
    if (endLine - line + 1 > opts.maxLines) {
      return { reason: 'out_of_range', detail: `${source}:${c.line}-${c.endLine}: the quote spans ${endLine - line + 1} lines, over ${opts.maxLines}` };
    }
  }

  let text = lines.slice(line - 1, endLine).join('\n');
  if (text.length > MAX_TEXT_CHARS) text = `${text.slice(0, MAX_TEXT_CHARS - 1)}…`;
  const score = typeof c.relevance === 'number' && Number.isFinite(c.relevance) ? Math.min(1, Math.max(0, c.relevance)) : 0.5;
  return { source, line, endLine, text, score };
}

/** Exact path, or the same path written "./path", "<domain>/path" or with the prompt's attribute escapes. */
function resolveSource(written: string, sources: ReadonlyMap<string, readonly string[]>, domain: string): string | undefined {
  const unescaped = written.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
  for (const candidate of [written, unescaped]) {
    const bare = candidate.replace(/^\.\//, '');
    for (const path of [candidate, bare, bare.startsWith(`${domain}/`) ? bare.slice(domain.length + 1) : bare]) {
      if (sources.has(path)) return path;
    }
  }
  return undefined;
}

/** Lower-case words without accents or punctuation: what a quote and a line are compared on. */
export function wordsOf(text: string): string[] {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function quoteFragments(quote: string): string[][] {
  return quote
    .split(/\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…/)
    .map(wordsOf)
    .filter((f) => f.length > 0);
}

function wordsOfLines(lines: readonly string[], line: number, endLine: number): { words: string[]; lineOf: number[] } {
  const words: string[] = [];
  const lineOf: number[] = [];
  for (let n = line; n <= endLine; n++) {
    for (const w of wordsOf(lines[n - 1] ?? '')) {
      words.push(w);
      lineOf.push(n);
    }
  }
  return { words, lineOf };
}

/** Each fragment as a contiguous word run, fragments in order; the first and last matched word indexes. */
function findInOrder(words: readonly string[], fragments: readonly string[][]): { first: number; last: number } | undefined {
  let from = 0;
  let first = -1;
  let last = -1;
  for (const fragment of fragments) {
    const at = indexOfRun(words, fragment, from);
    if (at < 0) return undefined;
    if (first < 0) first = at;
    last = at + fragment.length - 1;
    from = at + fragment.length;
  }
  return { first, last };
}

function indexOfRun(words: readonly string[], run: readonly string[], from: number): number {
  outer: for (let i = from; i + run.length <= words.length; i++) {
    for (let j = 0; j < run.length; j++) if (words[i + j] !== run[j]) continue outer;
    return i;
  }
  return -1;
}
