/**
 * Many small domains for the many-domains scenario: the demo texts, in order,
 * cut into N distinct slices of about the same size, each from its own part of
 * the corpus (Moby-Dick chapters, State of the Union eras), so vocabularies
 * differ and routed mode has something to choose; and questions aimed at each
 * slice, quoted from its own lines. Pure: no I/O (the scenario reads and
 * writes the files).
 */
import { estimateTokens } from '../shared/text/tokens.js';

export interface TextFile {
  /** A name unique across the corpus, e.g. "moby-dick-1/001-loomings.txt". */
  name: string;
  text: string;
}

export interface DomainSlice {
  /** slice-01, slice-02, …: a valid domain name. */
  domain: string;
  /** Files of the slice: whole files or, for the last one, its first lines. Names are flat (no slash). */
  files: TextFile[];
  tokens: number;
}

/**
 * Cuts `files` (in corpus order) into `n` slices of about `tokensPerSlice`
 * estimated tokens each: the corpus is split into `n` runs of consecutive
 * files, and each slice takes lines from the start of its own run until it
 * holds the budget. Slices never share a line.
 * @throws RangeError when `n` is not a positive integer, or the corpus has fewer files than `n`, or a run holds less than the budget
 */
export function sliceDomains(files: readonly TextFile[], n: number, tokensPerSlice: number): DomainSlice[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`sliceDomains: n must be a positive integer, got ${n}`);
  if (files.length < n) throw new RangeError(`sliceDomains: ${n} slices need at least ${n} files, the corpus has ${files.length}`);
  const width = String(n).length < 2 ? 2 : String(n).length;
  const slices: DomainSlice[] = [];
  for (let i = 0; i < n; i++) {
    const run = files.slice(Math.floor((i * files.length) / n), Math.floor(((i + 1) * files.length) / n));
    const taken: TextFile[] = [];
    let tokens = 0;
    for (const file of run) {
      if (tokens >= tokensPerSlice) break;
      const lines = file.text.split('\n');
      let end = 0;
      let chars = 0;
      // Whole lines until the slice holds its budget (estimateTokens counts 4 characters a token, newlines included).
      while (end < lines.length && tokens + Math.ceil(chars / 4) < tokensPerSlice) {
        chars += (lines[end] as string).length + 1;
        end++;
      }
      const text = lines.slice(0, end).join('\n');
      taken.push({ name: file.name.replaceAll('/', '--'), text: end < lines.length ? `${text}\n` : text });
      tokens += estimateTokens(text);
    }
    if (tokens < tokensPerSlice) {
      throw new RangeError(`sliceDomains: slice ${i + 1} of ${n} holds only ${tokens} tokens of the ${tokensPerSlice} asked (its run has ${run.length} files): ask fewer slices or fewer tokens`);
    }
    slices.push({ domain: `slice-${String(i + 1).padStart(width, '0')}`, files: taken, tokens });
  }
  return slices;
}

/** At least this many words of two letters or more make a line worth quoting. */
const MIN_WORDS = 8;
const QUOTED_WORDS = 10;

/**
 * `perSlice` questions aimed at each slice, each quoting a line of that slice
 * (its first 10 words, trailing punctuation dropped), the lines spread evenly through the slice. Ordered so
 * that consecutive questions aim at consecutive slices: question i aims at
 * slice i mod n.
 */
export function sliceQuestions(slices: readonly DomainSlice[], perSlice: number): { domain: string; question: string }[] {
  const bySlice = slices.map((s) => {
    const lines = s.files.flatMap((f) => f.text.split('\n')).filter((l) => (l.match(/[A-Za-z]{2,}/g) ?? []).length >= MIN_WORDS);
    if (lines.length === 0) throw new RangeError(`sliceQuestions: ${s.domain} has no line of ${MIN_WORDS} words or more to quote`);
    return Array.from({ length: perSlice }, (_, k) => {
      const line = lines[Math.floor(((k + 0.5) * lines.length) / perSlice)] as string;
      const words = line.trim().split(/\s+/).slice(0, QUOTED_WORDS).join(' ').replace(/[^A-Za-z0-9]+$/, '');
      return { domain: s.domain, question: `Which passage says: ${words}?` };
    });
  });
  const out: { domain: string; question: string }[] = [];
  for (let k = 0; k < perSlice; k++) for (const qs of bySlice) out.push(qs[k] as { domain: string; question: string });
  return out;
}
