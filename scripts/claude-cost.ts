/**
 * What a question costs on the Claude engine, per shard and for the fleet,
 * cold (the first question writes each domain's cached prefix), warm (later
 * questions read it) and without caching, from the price table in
 * shared/llm/pricing.ts (LLM_PRICES_JSON applies). Prefix sizes are the
 * offline estimate (4 characters a token) of the exact system prompt each
 * shard sends; --show-prefix prints the start of that prompt.
 *
 *   node --import tsx scripts/claude-cost.ts [--contexts DIR] [--model M] [--ttl 5m|1h]
 *        [--output-tokens N] [--show-prefix DOMAIN [--chars N]]
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDomainContext } from '../services/shard/domain/load-domain.js';
import { estimateTokens } from '../shared/text/tokens.js';
import { buildQuestionMessage, buildSystemPrompt, systemBlocks } from '../services/shard/engines/anthropic/prompt.js';
import { parseLlmSettings } from '../shared/llm/llm-settings.js';
import { modelKey } from '../shared/llm/model-limits.js';
import { priceCall, type PriceTable, type TokenCounts } from '../shared/llm/pricing.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** A typical question, wrapped as the shard sends it. */
const QUESTION = buildQuestionMessage('Which address declared the American continents not subjects for future colonization by any European powers?', 5);

const { values } = parseArgs({
  options: {
    contexts: { type: 'string', default: path.join(REPO_ROOT, 'demo', 'contexts') },
    model: { type: 'string', default: 'claude-haiku-5-5' },
    ttl: { type: 'string', default: '5m' },
    'output-tokens': { type: 'string', default: '400' },
    'show-prefix': { type: 'string' },
    chars: { type: 'string', default: '600' },
  },
});

const model = values.model!;
const ttl = values.ttl === '1h' ? '1h' : '5m';
const output = Number(values['output-tokens']);
const { prices } = parseLlmSettings(process.env);
if (modelKey(prices, model) === undefined) throw new Error(`${model} has no row in the price table: add it with LLM_PRICES_JSON`);

interface Row {
  name: string;
  prefixTokens: number;
  cold: number;
  warm: number;
  uncached: number;
}

function costs(name: string, prefixTokens: number, table: PriceTable): Row {
  const q = estimateTokens(QUESTION);
  const base: TokenCounts = { input: q, output, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0 };
  const cold = priceCall(table, model, { ...base, [ttl === '1h' ? 'cacheWrite1h' : 'cacheWrite5m']: prefixTokens }).costUsd;
  const warm = priceCall(table, model, { ...base, cacheRead: prefixTokens }).costUsd;
  const uncached = priceCall(table, model, { ...base, input: q + prefixTokens }).costUsd;
  return { name, prefixTokens, cold, warm, uncached };
}

const usd = (n: number) => `$${n.toFixed(4)}`;
const int = (n: number) => n.toLocaleString('en-US');

function table(title: string, rows: Row[]): void {
  const total = rows.reduce((t, r) => ({ name: 'fleet, per question', prefixTokens: t.prefixTokens + r.prefixTokens, cold: t.cold + r.cold, warm: t.warm + r.warm, uncached: t.uncached + r.uncached }), {
    name: '',
    prefixTokens: 0,
    cold: 0,
    warm: 0,
    uncached: 0,
  });
  console.log(`\n${title}\n`);
  console.log('| shard | cached prefix (est. tokens) | cold (cache write) | warm (cache read) | no cache |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of [...rows, total]) console.log(`| ${r.name} | ${int(r.prefixTokens)} | ${usd(r.cold)} | ${usd(r.warm)} | ${usd(r.uncached)} |`);
}

const dir = path.resolve(values.contexts!);
const domains = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
const rows: Row[] = [];
for (const domain of domains) {
  const ctx = await loadDomainContext(dir, domain, { maxTokens: 10_000_000 });
  const prompt = buildSystemPrompt(ctx);
  rows.push(costs(domain, estimateTokens(prompt), prices));
  if (values['show-prefix'] === domain) {
    const chars = Number(values.chars);
    const json = JSON.stringify(systemBlocks(prompt, ttl));
    console.log(`Cached prefix of ${domain}: ${int(prompt.length)} characters, ${int(Buffer.byteLength(prompt))} UTF-8 bytes of text; as sent, the system parameter is ${int(Buffer.byteLength(json))} bytes of JSON.`);
    console.log(`First ${chars} characters of system[0].text:\n-----\n${prompt.slice(0, chars)}\n-----`);
  }
}

const r = prices[modelKey(prices, model)!]!;
console.log(`\nModel ${model}, cache TTL ${ttl}, question ≈ ${estimateTokens(QUESTION)} tokens, answer ${output} output tokens.`);
console.log(`Prices (USD per million tokens): input ${r.input}, output ${r.output}, 5m write ${r.cacheWrite5m}, 1h write ${r.cacheWrite1h}, cache read ${r.cacheRead}` +
  (r.longPrompt ? `; prompts over ${int(r.longPrompt.aboveTokens)} tokens: input ${r.longPrompt.input}, output ${r.longPrompt.output}, 5m write ${r.longPrompt.cacheWrite5m}, 1h write ${r.longPrompt.cacheWrite1h}, cache read ${r.longPrompt.cacheRead}` : ''));
table(`Demo fleet (${dir})`, rows);
table('A 4 × 200K-token fleet', [1, 2, 3, 4].map((i) => costs(`domain-${i}`, 200_000, prices)));
if (r.longPrompt) {
  // Below the long-prompt threshold every token is billed at the low band: the same memory split finer.
  const per = Math.floor(r.longPrompt.aboveTokens * 0.95);
  const n = Math.ceil(800_000 / per);
  table(`The same 800K tokens as ${n} domains of ${int(Math.floor(800_000 / n))} (prompts under the ${int(r.longPrompt.aboveTokens)}-token band)`, Array.from({ length: n }, (_, i) => costs(`domain-${i + 1}`, Math.floor(800_000 / n), prices)));
}
