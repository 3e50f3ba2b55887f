/**
 * Scores comparable across shards (issue 16, item 4): the coordinator sends
 * fleet-wide term statistics with each question (shared/text/fleet-term-stats.ts),
 * every shard weighs the question's words with them and ranks BM25 against a
 * perfect match rather than its own best window (bm25-scale.ts); the merge
 * flags an answer that rests on the question's one rare word
 * (evidence-breadth.ts). The real engine and merge, fed as the coordinator
 * feeds them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { domain, prose, RUNBOOK_LINES } from '../helpers/in-memory-domain.js';
import { LexicalEngine, type LexicalOptions } from '../../services/shard/engines/lexical/lexical-engine.js';
import { DEFAULT_HIGH_SCORE, DEFAULT_MIN_SCORE, mergeReplies, type ShardReply } from '../../services/coordinator/domain/merge.js';
import { breadthFor, evidenceBreadth } from '../../services/coordinator/domain/evidence-breadth.js';
import { analyzeText } from '../../shared/text/text-analysis.js';
import { bm25Idf, fleetIdf, fleetTermStats } from '../../shared/text/fleet-term-stats.js';
import { EMPTY_USAGE } from '../../shared/queues/schemas.js';

/** What the coordinator does for one question: statistics over every domain, each engine asked with them, one merge. */
async function askFleet(engines: ReadonlyMap<string, LexicalEngine>, question: string, fleetStats = true) {
  const termStats = fleetStats ? fleetTermStats(analyzeText(question), [...engines.values()].map((e) => e.domainTerms())) : undefined;
  const replies: ShardReply[] = [];
  for (const [shard, engine] of engines) {
    const a = await engine.answer({ question, topK: 5, conversation: [], ...(termStats ? { termStats } : {}) });
    replies.push({
      outcome: { shard, status: 'ok', latencyMs: 1 },
      result: { queryId: 'q_test000000', shard, replica: 'r', engine: 'lexical', answer: a.answer, citations: a.citations, usage: { ...EMPTY_USAGE }, timings: { queueWaitMs: 0, engineMs: 0 } },
    });
  }
  const breadthOf = breadthFor(termStats);
  return mergeReplies(replies, { topK: 5, minScore: DEFAULT_MIN_SCORE, highScore: DEFAULT_HIGH_SCORE, ...(breadthOf ? { breadthOf } : {}) });
}

const HARBOUR = ['tug', 'barge', 'breakwater', 'harbour', 'pier', 'crane', 'channel', 'quay', 'buoy', 'tide', 'dredger', 'silt'];
// The fact: every word of the question, in a long paragraph. The near miss: most of them, in one short line.
const FACT = [
  'The old pilot Amos Kell, who has worked these waters for thirty years, told us over supper that the',
  'tug Marlin tows the grain barges out past the breakwater and the red buoy every Tuesday at dawn,',
  'weather permitting, and returns by noon with the empty ones.',
];
const NEAR_MISS = ['The tug Marlin tows barges past the breakwater.'];
const QUESTION = 'On which day does the tug Marlin tow grain barges past the breakwater?';

/** Two harbour logs sharing all their vocabulary: a 40-line one and a 1,400-line one; `factIn` holds the fact, the other the near miss. */
function harbour(factIn: 'small' | 'big', options: Partial<LexicalOptions> = {}): Map<string, LexicalEngine> {
  const small = domain('harbour-small', { 'log.txt': [...prose(20, 1, HARBOUR), '', ...(factIn === 'small' ? FACT : NEAR_MISS), '', ...prose(20, 4, HARBOUR)] });
  const big = domain('harbour-big', {
    'a.txt': prose(400, 2, HARBOUR),
    'b.txt': [...prose(300, 3, HARBOUR), '', ...(factIn === 'big' ? FACT : NEAR_MISS), '', ...prose(300, 5, HARBOUR)],
    'c.txt': prose(400, 6, HARBOUR),
  });
  return new Map([
    ['harbour-small', LexicalEngine.build(small, options)],
    ['harbour-big', LexicalEngine.build(big, options)],
  ]);
}

describe('cross-shard scores: two shards of very different sizes sharing their vocabulary', () => {
  for (const factIn of ['small', 'big'] as const) {
    test(`When the fact is in the ${factIn} shard and a near miss in the other, then the fact's shard comes first, high`, async () => {
      const merged = await askFleet(harbour(factIn), QUESTION);
      assert.equal(merged.citations[0]?.shard, `harbour-${factIn}`);
      assert.match(merged.citations[0]?.text ?? '', /Tuesday/);
      assert.equal(merged.confidence, 'high');
      const other = merged.citations.find((c) => c.shard !== `harbour-${factIn}`);
      assert.ok(other !== undefined && other.score < merged.citations[0]!.score);
    });
  }

  test('When the same passage sits in the 40-line shard or in the 1,400-line one, then it scores the same (and did not with per-shard IDF and rank)', async () => {
    const nearScore = async (engines: Map<string, LexicalEngine>, shard: string, fleetStats = true) =>
      (await askFleet(engines, QUESTION, fleetStats)).citations.find((c) => c.shard === shard && /Marlin tows barges/.test(c.text))?.score;
    const inSmall = await nearScore(harbour('big'), 'harbour-small');
    const inBig = await nearScore(harbour('small'), 'harbour-big');
    assert.ok(inSmall !== undefined && inBig !== undefined);
    assert.ok(Math.abs(inSmall - inBig) <= 0.01, `near miss scores ${inSmall} in the small shard, ${inBig} in the big one`);
    // Round 4's scoring: each shard's own IDF and its best window as the rank's scale.
    const old: Partial<LexicalOptions> = { rankScale: 'shard-best' };
    const oldSmall = await nearScore(harbour('big', old), 'harbour-small', false);
    const oldBig = await nearScore(harbour('small', old), 'harbour-big', false);
    assert.ok(oldSmall !== undefined && oldBig !== undefined);
    assert.ok(Math.abs(oldSmall - oldBig) > 0.03, `per-shard scoring gave ${oldSmall} and ${oldBig}`);
  });

  test('When scores come from shards of different sizes, then every score lies in [0, 1]', async () => {
    const merged = await askFleet(harbour('small'), 'tug barge breakwater harbour');
    for (const c of merged.citations) assert.ok(c.score >= 0 && c.score <= 1, String(c.score));
  });
});

describe('fleet-wide term statistics', () => {
  const a = { windows: 100, df: { whale: 40, ahab: 10 } };
  const b = { windows: 900, df: { whale: 5, congress: 300 } };

  test('When statistics are summed, then windows and each question term\'s count cover every domain, and terms no domain uses count 0', () => {
    const stats = fleetTermStats(['whale', 'ahab', 'australia'], [a, b, undefined]);
    assert.deepEqual(stats, { windows: 1000, df: { whale: 45, ahab: 10, australia: 0 } });
    assert.equal(fleetTermStats(['whale'], [undefined]), undefined);
  });

  test('When the question has more terms than the budget, then the rarest fleet-wide are kept', () => {
    const stats = fleetTermStats(['congress', 'whale', 'ahab'], [a, b], 2);
    assert.deepEqual(Object.keys(stats?.df ?? {}).sort(), ['ahab', 'whale']);
  });

  test('When a shard weighs a term, then it uses the fleet count, never less than its own, and its own for a term not sent', () => {
    const idf = fleetIdf({ windows: 1000, df: { whale: 45 } }, (t) => (t === 'whale' ? 3 : t === 'note' ? 2 : 0));
    assert.equal(idf('whale'), bm25Idf(1000, 45));
    assert.equal(idf('note'), bm25Idf(1000, 2));
    // A term written into this shard after the manifests were read: its own count wins over the fleet's 0.
    assert.equal(fleetIdf({ windows: 1000, df: { fresh: 0 } }, () => 1)('fresh'), bm25Idf(1000, 1));
  });
});

describe('confidence: an answer resting on the question\'s one rare word', () => {
  // Speeches that say "capital" everywhere and name Australia once, beside a runbook that holds the backup note.
  const CIVICS = ['capital', 'congress', 'treaty', 'revenue', 'army', 'navy', 'commerce', 'tariff', 'city', 'states', 'union', 'court'];
  // Everyday words ("how long", "kept") are the speeches' too, as they are in any real fleet.
  const everyday = (n: number) => Array.from({ length: n }, (_, i) => [`For ${i + 2} long years the nation kept its word.`, ...prose(3, i, CIVICS), '']).flat();
  const speeches = domain('speeches', {
    '2004-address.txt': [
      ...everyday(30),
      'Our coalition partners stand with us in this struggle.',
      'Among them are Australia, Japan and Poland,',
      'and many others whose soldiers serve beside ours.',
      '',
      ...everyday(30),
    ],
  });
  const ops = domain('ops', {
    'runbook.md': [...RUNBOOK_LINES],
  });
  const engines = new Map([
    ['speeches', LexicalEngine.build(speeches)],
    ['ops', LexicalEngine.build(ops)],
  ]);

  test('When only a passage naming Australia matches "the capital of Australia", then the answer is shown but low', async () => {
    const merged = await askFleet(engines, 'What is the capital of Australia?');
    assert.match(merged.citations[0]?.text ?? '', /Australia/);
    assert.equal(merged.confidence, 'low');
  });

  test('When the backup note answers "How long are backup snapshots kept?", then it is cited first, high', async () => {
    const merged = await askFleet(engines, 'How long are backup snapshots kept?');
    assert.equal(merged.citations[0]?.shard, 'ops');
    assert.ok((merged.citations[0]?.line ?? 0) <= 5 && (merged.citations[0]?.endLine ?? 0) >= 4, JSON.stringify(merged.citations[0]));
    assert.equal(merged.confidence, 'high');
  });

  test('When the breadth of a citation is measured, then one matched word is 0, more of the question raises it, and a one-word question is 1', () => {
    const weights = new Map([
      ['australia', 6],
      ['capit', 1],
      ['citi', 1],
    ]);
    assert.equal(evidenceBreadth(weights, new Set(['australia'])), 0);
    assert.equal(evidenceBreadth(weights, new Set(['australia', 'capit'])), 0.5);
    assert.equal(evidenceBreadth(weights, new Set()), 0);
    assert.equal(evidenceBreadth(new Map([['australia', 6]]), new Set(['australia'])), 1);
  });
});
