/** The gate between Claude's citations and the fleet: only citations that match the real lines pass. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkCitations, MIN_QUOTE_WORDS } from '../../services/shard/engines/anthropic/citation-check.js';
import { parseReply } from '../../services/shard/engines/anthropic/parse-answer.js';
import { checkFit, QUESTION_ALLOWANCE_TOKENS } from '../../services/shard/engines/anthropic/context-budget.js';
import { DEFAULT_MODEL_LIMITS } from '../../shared/llm/model-limits.js';

const SHIPS = [
  'Harbor log for the northern docks.',
  '',
  'The schooner Albatross carries a figurehead carved from white oak.',
  'Her captain, Ilse Varga, has sailed the coast route for nineteen years.',
  'The Albatross was repainted blue and gold in the spring of 1911.',
];
const LONG = Array.from({ length: 60 }, (_, i) => `Line ${i + 1} of the long ledger mentions cargo number ${i + 1}.`);
const SOURCES = new Map<string, readonly string[]>([
  ['ships.txt', SHIPS],
  ['notes/ledger.md', LONG],
]);
const OPTS = { domain: 'harbor', maxLines: 20 };

function check(...items: unknown[]) {
  return checkCitations(items, SOURCES, OPTS);
}

describe('citation check', () => {
  test('When the quote is on the cited line, then the citation passes with exactly those lines as text', () => {
    const { accepted, rejected } = check({ source: 'ships.txt', line: 4, endLine: 4, quote: 'Her captain, Ilse Varga, has sailed the coast route', relevance: 0.9 });
    assert.deepEqual(rejected, []);
    assert.deepEqual(accepted, [{ source: 'ships.txt', line: 4, endLine: 4, text: SHIPS[3], score: 0.9 }]);
  });

  test('When the citation points one line off, then it is rejected as a quote mismatch', () => {
    const { accepted, rejected } = check({ source: 'ships.txt', line: 5, endLine: 5, quote: 'Her captain, Ilse Varga, has sailed the coast route', relevance: 0.9 });
    assert.equal(accepted.length, 0);
    assert.equal(rejected[0]?.reason, 'quote_mismatch');
    assert.match(rejected[0]!.detail, /ships\.txt:5-5/);
  });

  test('When the range is outside the file or backwards, then it is rejected as out of range', () => {
    const { rejected } = check(
      { source: 'ships.txt', line: 5, endLine: 6, quote: 'repainted blue and gold' },
      { source: 'ships.txt', line: 4, endLine: 3, quote: 'Her captain, Ilse Varga' },
    );
    assert.deepEqual(rejected.map((r) => r.reason), ['out_of_range', 'out_of_range']);
  });

  test('When the source does not exist, then it is rejected; a domain-prefixed or ./ path is read as the real one', () => {
    const { accepted, rejected } = check(
      { source: 'boats.txt', line: 4, quote: 'Her captain, Ilse Varga' },
      { source: 'harbor/ships.txt', line: 4, quote: 'Her captain, Ilse Varga' },
      { source: './ships.txt', line: 3, quote: 'schooner Albatross carries a figurehead' },
    );
    assert.deepEqual(rejected.map((r) => r.reason), ['unknown_source']);
    assert.deepEqual(accepted.map((c) => `${c.source}:${c.line}`).sort(), ['ships.txt:3', 'ships.txt:4']);
  });

  test('When the quote differs only in case, punctuation or dashes, or spans two lines, then it still matches', () => {
    const { accepted, rejected } = check(
      { source: 'ships.txt', line: 3, endLine: 4, quote: 'carved from WHITE oak -- her captain Ilse Varga', relevance: 0.7 },
    );
    assert.deepEqual(rejected, []);
    assert.equal(accepted[0]?.text, `${SHIPS[2]}\n${SHIPS[3]}`);
  });

  test('When a quote skips words with an ellipsis, then each fragment must appear in order', () => {
    const ok = check({ source: 'ships.txt', line: 4, quote: 'Her captain … the coast route for nineteen years' });
    assert.equal(ok.accepted.length, 1);
    const reversed = check({ source: 'ships.txt', line: 4, quote: 'for nineteen years ... Her captain, Ilse Varga' });
    assert.equal(reversed.rejected[0]?.reason, 'quote_mismatch');
  });

  test(`When the quote has fewer than ${MIN_QUOTE_WORDS} words, then it is too short to prove anything`, () => {
    const { rejected } = check({ source: 'ships.txt', line: 4, quote: 'captain' });
    assert.equal(rejected[0]?.reason, 'quote_mismatch');
    assert.match(rejected[0]!.detail, /too short/);
  });

  test('When a citation spans more lines than allowed, then it is narrowed to the lines the quote covers', () => {
    const { accepted } = check({ source: 'notes/ledger.md', line: 1, endLine: 60, quote: 'mentions cargo number 41. Line 42 of the long ledger' });
    assert.deepEqual(accepted.map((c) => [c.line, c.endLine]), [[41, 42]]);
    assert.equal(accepted[0]?.text, `${LONG[40]}\n${LONG[41]}`);
  });

  test('When an item is not a citation object, then it is rejected as malformed and named', () => {
    const { rejected } = check('ships.txt:4', { source: 'ships.txt', line: '4', quote: 'Her captain, Ilse Varga' });
    assert.deepEqual(rejected.map((r) => r.reason), ['malformed', 'malformed']);
    assert.match(rejected[1]!.detail, /line/);
  });

  test('When the same lines are cited twice, then one citation remains and nothing is counted as rejected', () => {
    const c = { source: 'ships.txt', line: 4, quote: 'Her captain, Ilse Varga' };
    const { accepted, rejected } = check(c, c);
    assert.equal(accepted.length, 1);
    assert.equal(rejected.length, 0);
  });

  test('When relevances are given, then citations come best first with scores clamped to [0, 1]', () => {
    const { accepted } = check(
      { source: 'ships.txt', line: 3, quote: 'schooner Albatross carries a figurehead', relevance: 0.2 },
      { source: 'ships.txt', line: 4, quote: 'Her captain, Ilse Varga', relevance: 7 },
      { source: 'ships.txt', line: 5, quote: 'repainted blue and gold' },
    );
    assert.deepEqual(accepted.map((c) => [c.line, c.score]), [[4, 1], [5, 0.5], [3, 0.2]]);
  });
});

describe('reply parsing', () => {
  test('When the reply is a JSON object inside a code fence, then it is read', () => {
    const r = parseReply('```json\n{"answer": "Ilse Varga.", "citations": [{"source": "ships.txt"}]}\n```');
    assert.deepEqual(r, { ok: true, answer: 'Ilse Varga.', citations: [{ source: 'ships.txt' }] });
  });

  test('When the reply holds no JSON, or the wrong shape, then it says why', () => {
    assert.deepEqual(parseReply('I think it was Ilse.'), { ok: false, reason: 'the reply holds no JSON object' });
    const wrong = parseReply('{"answer": 3}');
    assert.equal(wrong.ok, false);
    assert.match((wrong as { reason: string }).reason, /answer/);
    const cut = parseReply('{"answer": "Ilse", "citations": [{"source": "ships.txt", "li}');
    assert.equal(cut.ok, false);
  });
});

describe('context budget', () => {
  const haiku45 = DEFAULT_MODEL_LIMITS['claude-haiku-4-5']!;
  const base = { domain: 'harbor', model: 'claude-haiku-4-5', modelVar: 'SHARD_MODEL', countedBy: 'count_tokens API' as const, variableTokens: QUESTION_ALLOWANCE_TOKENS, maxTokens: 2048, limits: haiku45 };

  test('When the context, the question and max_tokens fit the window, then the headroom is reported', () => {
    const fit = checkFit({ ...base, prefixTokens: 150_000 });
    assert.deepEqual(fit, { fits: true, headroom: 200_000 - 150_000 - QUESTION_ALLOWANCE_TOKENS - 2048 });
  });

  test('When they do not fit, then the message gives the numbers and what to do', () => {
    const fit = checkFit({ ...base, prefixTokens: 198_000 });
    assert.equal(fit.fits, false);
    const message = (fit as { message: string }).message;
    for (const part of ['harbor', '198,000', 'count_tokens API', '200,000', 'split the domain', 'SHARD_MODEL']) assert.ok(message.includes(part), `${message} lacks ${part}`);
  });

  test('When LLM_MAX_TOKENS is over the model output limit, then it is refused by name', () => {
    const fit = checkFit({ ...base, prefixTokens: 1_000, maxTokens: 100_000 });
    assert.match((fit as { message: string }).message, /LLM_MAX_TOKENS=100,000/);
  });
});
