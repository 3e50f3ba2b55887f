/**
 * Answer quality defects a new user met (issue 16): ranking before the topK
 * cut, extractive answers in document order with headings apart, comparable
 * scores across shards that share words, and the confidence of an answer.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { domain, prose, RUNBOOK_LINES } from '../helpers/in-memory-domain.js';
import { LexicalEngine } from '../../services/shard/engines/lexical/lexical-engine.js';
import { composeAnswer } from '../../services/shard/engines/lexical/extractive-answer.js';
import { splitSentences } from '../../services/shard/engines/lexical/sentences.js';
import { confidenceOf, mergeReplies, NOTHING_FOUND, type ShardReply } from '../../services/coordinator/domain/merge.js';
import { EMPTY_USAGE } from '../../shared/queues/schemas.js';

async function ask(engine: LexicalEngine, question: string, topK: number) {
  return engine.answer({ question, topK, conversation: [] });
}

async function askFleet(engines: ReadonlyMap<string, LexicalEngine>, question: string, topK = 5) {
  const replies: ShardReply[] = [];
  for (const [shard, engine] of engines) {
    const a = await ask(engine, question, topK);
    replies.push({
      outcome: { shard, status: 'ok', latencyMs: 1 },
      result: { queryId: 'q_test000000', shard, replica: 'r', engine: 'lexical', answer: a.answer, citations: a.citations, usage: { ...EMPTY_USAGE }, timings: { queueWaitMs: 0, engineMs: 0 } },
    });
  }
  return mergeReplies(replies, { topK, minScore: 0.15, highScore: 0.32 });
}

const SEA = ['whale', 'ship', 'harpoon', 'captain', 'mast', 'sailor', 'deck', 'rope', 'boat', 'sea', 'wave', 'oar'];

describe('ranking happens before the topK cut', () => {
  // Paragraphs of different lengths, each holding a different subset of the question's words: BM25's
  // order (favouring short windows and repeated words) differs from the relevance score's.
  const KEY = ['Ishmael', 'shared', 'bed', 'tavern', 'harpooneer', 'landlord', 'night'];
  const paragraphs: string[] = [];
  for (let p = 0; p < 24; p++) {
    const words = KEY.filter((_, i) => ((p * 5 + i * 3) % 7) < 3 + (p % 3));
    const filler = prose(1 + (p % 5), p, SEA);
    paragraphs.push(`${words.join(' and the ')} were spoken of.`, ...filler, '');
  }
  paragraphs.push('Ishmael shared a bed at the inn with a harpooneer, said the landlord that night.', '');
  const novel = domain('novel', { 'chapter-1.txt': paragraphs });
  const engine = LexicalEngine.build(novel);
  const questions = ['Who did Ishmael share a bed with at the inn?', 'What did the landlord say about the harpooneer that night?', 'bed inn night'];

  test('When topK grows, then the shorter list is a prefix of the longer one (no passage scoring more is ever left out)', async () => {
    for (const question of questions) {
      const all = (await ask(engine, question, 8)).citations;
      for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.score >= all[i]!.score, 'best first');
      for (const k of [1, 2, 3, 5]) {
        const cut = (await ask(engine, question, k)).citations;
        assert.deepEqual(cut.map((c) => [c.line, c.score]), all.slice(0, k).map((c) => [c.line, c.score]), `"${question}" topK ${k}`);
      }
    }
  });

  test('When topK is 1, then the first citation is the passage holding the whole answer', async () => {
    const a = await ask(engine, questions[0] as string, 1);
    assert.match(a.citations[0]?.text ?? '', /Ishmael shared a bed at the inn/);
  });
});

describe('extractive answers quote in document order and keep headings apart', () => {
  test('When a plain-text heading sits between two sentences, then it is a sentence of its own', () => {
    const s = splitSentences(['The generator was serviced in October 2026.', 'UPS and power', 'The UPS is tested monthly.'], 1);
    assert.deepEqual(
      s.map((x) => x.text),
      ['The generator was serviced in October 2026.', 'UPS and power', 'The UPS is tested monthly.'],
    );
  });

  test('When a wrapped line of prose ends without punctuation, then it is not mistaken for a heading', () => {
    const s = splitSentences(['There she blows, cried Tashtego from', 'The masthead, and all hands ran up.'], 1);
    assert.equal(s.length, 1);
  });

  test('When the best sentence comes after a weaker one, then the answer still quotes them in line order', () => {
    const answer = composeAnswer(
      [
        [
          { text: 'The UPS is tested monthly.', line: 3, endLine: 3, weight: 3 },
          { text: 'UPS and power', line: 2, endLine: 2, weight: 2 },
          { text: 'The generator was serviced in October 2026.', line: 1, endLine: 1, weight: 1.6 },
        ],
      ],
      new Set(['ups', 'power']),
    );
    assert.equal(answer, 'The generator was serviced in October 2026. UPS and power: The UPS is tested monthly.');
  });

  const recipes = domain('kitchen', {
    'recipes.md': [
      '# Family recipes',
      '',
      '## Plum jam',
      '',
      "Grandmother's plum jam uses a pinch of cinnamon and a strip of lemon peel.",
      'Simmer the plums with sugar for forty minutes, stirring often.',
    ],
  });

  test('When a heading holds the question\'s words, then the citation still narrows to the text under it, not to the heading alone', async () => {
    const answer = await ask(LexicalEngine.build(recipes), 'Which spice goes into the plum jam?', 3);
    const top = answer.citations[0];
    assert.ok(top !== undefined && top.line <= 5 && 5 <= top.endLine, JSON.stringify(answer.citations));
    assert.match(answer.answer, /cinnamon/);
    assert.ok(!answer.citations.some((c) => c.line === 3 && c.endLine === 3), 'no citation of the heading line alone');
  });

  test('When only a heading holds the question\'s words, then the heading is cited', async () => {
    const answer = await ask(LexicalEngine.build(recipes), 'Family recipes?', 3);
    assert.equal(answer.citations[0]?.line, 1);
  });
});

describe('cross-shard merge: shards of different sizes sharing most words', () => {
  const HARBOUR = ['tug', 'barge', 'breakwater', 'harbour', 'pier', 'crane', 'channel', 'quay', 'buoy', 'tide', 'dredger', 'silt'];
  const small = domain('harbour-small', {
    'log.txt': [...prose(20, 1, HARBOUR), '', 'The tug Marlin tows the grain barges past the breakwater every Tuesday.', '', ...prose(20, 4, HARBOUR)],
  });
  const big = domain('harbour-big', {
    'a.txt': prose(400, 2, HARBOUR),
    'b.txt': [...prose(300, 3, HARBOUR), '', 'The dredger Heron clears the silt from the north channel each spring.', '', ...prose(300, 5, HARBOUR)],
    'c.txt': prose(400, 6, HARBOUR),
  });
  const engines = new Map([
    ['harbour-small', LexicalEngine.build(small)],
    ['harbour-big', LexicalEngine.build(big)],
  ]);

  test('When the fact is in the small shard, then its citation comes first although the big shard matches most words too', async () => {
    const merged = await askFleet(engines, 'On which day does the tug Marlin take barges past the breakwater?');
    assert.equal(merged.citations[0]?.shard, 'harbour-small');
    assert.match(merged.citations[0]?.text ?? '', /Marlin/);
    assert.equal(merged.confidence, 'high');
  });

  test('When the fact is in the big shard, then its citation comes first over the small shard', async () => {
    const merged = await askFleet(engines, 'When does the dredger Heron clear silt out of the north channel?');
    assert.equal(merged.citations[0]?.shard, 'harbour-big');
    assert.match(merged.citations[0]?.text ?? '', /Heron/);
    const bestOther = merged.citations.find((c) => c.shard === 'harbour-small');
    if (bestOther) assert.ok(bestOther.score < merged.citations[0]!.score);
  });

  test('When scores come from shards of different sizes, then every score lies in [0, 1]', async () => {
    const merged = await askFleet(engines, 'tug barge breakwater harbour');
    for (const c of merged.citations) assert.ok(c.score >= 0 && c.score <= 1, String(c.score));
  });
});

describe('confidence of an answer', () => {
  const ops = domain('ops', {
    'runbook.md': [
      ...RUNBOOK_LINES,
      '',
      '## UPS and power',
      'The UPS is tested monthly and the generator was serviced in October 2026.',
    ],
  });
  const engines = new Map([['ops', LexicalEngine.build(ops)]]);

  test('When a question about the notes is asked in other words, then it is answered from the right section, not refused', async () => {
    const merged = await askFleet(engines, 'How long are backup snapshots kept?');
    assert.notEqual(merged.confidence, 'none');
    const first = merged.citations[0];
    assert.ok(first !== undefined && first.line <= 5 && first.endLine >= 3, `cites the Backups section (lines 3-5), got ${JSON.stringify(first)}`);
  });

  test('When the question swaps in other words for the runbook\'s ("swap out" for "replace"), then the right section is still cited', async () => {
    const merged = await askFleet(engines, 'how do we swap out the signing keys?');
    assert.notEqual(merged.confidence, 'none');
    assert.match(merged.citations[0]?.text ?? '', /To replace a key/);
  });

  test('When the question is about something the notes never mention, then the answer is nothing found, confidence none', async () => {
    const merged = await askFleet(engines, 'What is the capital of Australia?');
    assert.equal(merged.confidence, 'none');
    assert.equal(merged.answer, NOTHING_FOUND);
    assert.deepEqual(merged.citations, []);
  });

  test('When citation scores straddle HIGH_SCORE, then each citation carries its own confidence and the answer its best one', () => {
    assert.equal(confidenceOf(0.28, 0.28), 'high');
    assert.equal(confidenceOf(0.2799, 0.28), 'low');
    const reply = (shard: string, score: number): ShardReply => ({
      outcome: { shard, status: 'ok', latencyMs: 1 },
      result: { queryId: 'q_test000000', shard, replica: 'r', engine: 'lexical', answer: `${shard} says.`, citations: [{ source: 'a.txt', line: 1, endLine: 1, text: 'x', score }], usage: { ...EMPTY_USAGE }, timings: { queueWaitMs: 0, engineMs: 0 } },
    });
    const low = mergeReplies([reply('a', 0.2), reply('b', 0.16)], { topK: 5, minScore: 0.15, highScore: 0.32 });
    assert.equal(low.confidence, 'low');
    assert.deepEqual(low.citations.map((c) => c.confidence), ['low', 'low']);
    const mixed = mergeReplies([reply('a', 0.5), reply('b', 0.2)], { topK: 5, minScore: 0.15, highScore: 0.32 });
    assert.equal(mixed.confidence, 'high');
    assert.deepEqual(mixed.citations.map((c) => c.confidence), ['high', 'low']);
    const none = mergeReplies([reply('a', 0.1)], { topK: 5, minScore: 0.15, highScore: 0.32 });
    assert.equal(none.confidence, 'none');
    assert.deepEqual(none.citations, []);
  });
});
