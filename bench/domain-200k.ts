/**
 * A domain as large as a shard accepts: Moby-Dick chapters from the demo
 * contexts copied into a temp folder until the estimate reaches just under
 * MAX_DOMAIN_TOKENS (200,000). The demo's own domains stop at 190K, and the
 * targets speak of a 200K-token domain.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateTokens } from '../shared/text/tokens.js';

export const DOMAIN_200K = 'bench-200k';
/** Headroom under the shard's default budget, so the shard never refuses it. */
const TARGET_TOKENS = 199_000;

export interface Built200k {
  contexts: string;
  domain: string;
  tokens: number;
  files: number;
  remove(): void;
}

export function build200kDomain(demoContexts: string): Built200k {
  const contexts = mkdtempSync(join(tmpdir(), 'memfleet-bench-'));
  const dir = join(contexts, DOMAIN_200K);
  mkdirSync(dir);
  let tokens = 0;
  let files = 0;
  outer: for (const source of ['moby-dick-1', 'moby-dick-2']) {
    const from = join(demoContexts, source);
    for (const name of readdirSync(from).filter((n) => n.endsWith('.txt') || n.endsWith('.md')).sort()) {
      const t = estimateTokens(readFileSync(join(from, name), 'utf8'));
      if (tokens + t > TARGET_TOKENS) break outer;
      copyFileSync(join(from, name), join(dir, `${source}-${name}`));
      tokens += t;
      files++;
    }
  }
  return { contexts, domain: DOMAIN_200K, tokens, files, remove: () => rmSync(contexts, { recursive: true, force: true }) };
}
