/**
 * Reads one domain folder into memory: every *.md and *.txt file below
 * CONTEXTS_DIR/<domain>, split into lines numbered exactly as `nl -ba` and
 * editors number them, so citations (`source:line`) can be checked by hand.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DomainContext } from './domain-context.js';
import { decodeTextFile, type TextFileResult } from './read-text-file.js';
import { splitLines } from '../../../shared/text/lines.js';
import { estimateTokens } from '../../../shared/text/tokens.js';

export type DomainLoadErrorCode = 'not_found' | 'empty' | 'over_budget';

export class DomainLoadError extends Error {
  override readonly name = 'DomainLoadError';

  constructor(
    readonly code: DomainLoadErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface LoadDomainOptions {
  /** Largest estimated token count the domain may hold (MAX_DOMAIN_TOKENS). */
  maxTokens: number;
  /**
   * Follow symbolic links that resolve outside the domain folder
   * (FOLLOW_EXTERNAL_SYMLINKS). Off, such a link is skipped and reported to
   * `onSkippedLink`: a `leak.txt -> /etc/...` dropped into a domain folder
   * would otherwise be served to every client (issue 11). Links that resolve
   * inside the folder are always followed. @defaultValue false
   */
  followExternalSymlinks?: boolean;
  /** Told about each link skipped because it leads outside the folder (the shard logs a warning). */
  onSkippedLink?: (link: SkippedLink) => void;
}

export interface SkippedLink {
  /** The link, relative to the domain folder. */
  source: string;
  /** Where it resolves to. */
  target: string;
}

const SOURCE_EXTENSIONS = new Set(['.md', '.txt']);
// A domain of thousands of small files must not exhaust file descriptors.
const READ_CONCURRENCY = 32;
const LAYOUT_HINT = 'Contexts are laid out as CONTEXTS_DIR/<domain>/*.md|*.txt (subfolders allowed).';

export async function loadDomainContext(
  contextsDir: string,
  domain: string,
  opts: LoadDomainOptions,
): Promise<DomainContext> {
  // A domain is one folder name; anything with separators could escape CONTEXTS_DIR.
  if (domain === '' || domain.startsWith('.') || /[/\\]/.test(domain)) {
    throw new DomainLoadError(
      'not_found',
      `Domain name "${domain}" is not a plain folder name. ${LAYOUT_HINT}`,
    );
  }
  const root = path.resolve(contextsDir, domain);
  if (!(await isDirectory(root))) {
    throw new DomainLoadError(
      'not_found',
      `Domain "${domain}" has no folder at ${root}. ${LAYOUT_HINT} Check CONTEXTS_DIR and the domain name.`,
    );
  }

  const rootReal = await realpath(root);
  const follow = opts.followExternalSymlinks ?? false;
  let skippedLinks = 0;
  const skipped = (link: SkippedLink): void => {
    skippedLinks++;
    opts.onSkippedLink?.(link);
  };
  const linksHint = (): string =>
    skippedLinks > 0 ? ` ${skippedLinks} link(s) leading outside the folder were skipped: set FOLLOW_EXTERNAL_SYMLINKS=true to serve their files.` : '';
  const relativePaths = await listSourceFiles(root, rootReal, follow, skipped);
  if (relativePaths.length === 0) {
    throw new DomainLoadError(
      'empty',
      `Domain "${domain}" (${root}) holds no .md or .txt files.${linksHint()} ${LAYOUT_HINT} Add documents or remove the domain.`,
    );
  }
  // Code-unit order, not locale order: the same on every machine and replica.
  relativePaths.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  const resolved = await mapWithLimit(relativePaths, READ_CONCURRENCY, async (source) => {
    // Resolved again right before reading, and the resolved path read: a file swapped for a link after the walk is caught too.
    const real = await realpath(path.join(root, source));
    if (!follow && !isInside(rootReal, real)) {
      skipped({ source, target: real });
      return undefined;
    }
    return { source, result: decodeTextFile(await readFile(real)) };
  });
  const { sources, skipped: unreadable, warnings } = toSourceFiles(resolved.filter((r) => r !== undefined));
  if (sources.length === 0) {
    const reasons = unreadable.map((s) => `${s.source} skipped (${s.reason})`).join('; ');
    throw new DomainLoadError(
      'empty',
      `Domain "${domain}" (${root}) holds no readable text${reasons === '' ? '' : `: ${reasons}`}.${linksHint()} Add UTF-8 .md or .txt files or remove the domain.`,
    );
  }

  let tokens = 0;
  let totalLines = 0;
  for (const file of sources) {
    tokens += file.tokens;
    totalLines += file.lines.length;
  }
  if (tokens === 0) {
    throw new DomainLoadError(
      'empty',
      `Domain "${domain}" (${root}) has ${sources.length} .md/.txt file(s) but all are empty. Add text or remove the domain.`,
    );
  }
  if (tokens > opts.maxTokens) {
    throw new DomainLoadError(
      'over_budget',
      `Domain "${domain}" is ${formatCount(tokens)} tokens (estimated), over its budget of ${formatCount(opts.maxTokens)}: ` +
        'split the folder into two domains or raise MAX_DOMAIN_TOKENS.',
    );
  }

  return { domain, root, sources, totalLines, tokens, skipped: unreadable, warnings };
}

/**
 * Relative paths (forward slashes) of every source file, skipping dot-files
 * and dot-folders, and links that resolve outside the folder unless `follow`.
 */
async function listSourceFiles(root: string, rootReal: string, follow: boolean, skipped: (link: SkippedLink) => void): Promise<string[]> {
  const found: string[] = [];
  // Symlinked folders are followed (contexts are often assembled from links); the set stops cycles.
  const visited = new Set<string>([rootReal]);

  async function walk(dir: string, prefix: string): Promise<void> {
    const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const real = await realpath(full).catch(() => undefined);
        const target = real === undefined ? undefined : await stat(real).catch(() => undefined);
        if (real === undefined || target === undefined) continue; // dangling link: nothing to read
        isDir = target.isDirectory();
        isFile = target.isFile();
        if (!follow && !isInside(rootReal, real) && (isDir || (isFile && SOURCE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())))) {
          skipped({ source: rel, target: real });
          continue;
        }
      }
      if (isDir) {
        const real = await realpath(full);
        if (visited.has(real)) continue;
        visited.add(real);
        await walk(full, rel);
      } else if (isFile && SOURCE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        found.push(rel);
      }
    }
  }

  await walk(root, '');
  return found;
}

/** Like Promise.all over `items.map(fn)`, with at most `limit` calls in flight; keeps input order. */
async function mapWithLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** True when `real` (a resolved path) is `rootReal` or below it. */
function isInside(rootReal: string, real: string): boolean {
  const rel = path.relative(rootReal, real);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

async function isDirectory(p: string): Promise<boolean> {
  const s = await stat(p).catch(() => undefined);
  return s?.isDirectory() ?? false;
}

/** Files read as text become sources; the others are listed with the reason (read-text-file.ts). */
function toSourceFiles(read: readonly { source: string; result: TextFileResult }[]): Pick<Required<DomainContext>, 'sources' | 'skipped' | 'warnings'> {
  const out: Pick<Required<DomainContext>, 'sources' | 'skipped' | 'warnings'> = { sources: [], skipped: [], warnings: [] };
  for (const { source, result } of read) {
    if (!result.ok) {
      out.skipped.push({ source, reason: result.reason });
      continue;
    }
    if (result.warning) out.warnings.push({ source, warning: result.warning });
    const text = stripBom(result.text);
    out.sources.push({ source, lines: splitLines(text), tokens: estimateTokens(text) });
  }
  return out;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
