/**
 * Issue 11, finding 3: a 4,000-character question of hundreds of distinct
 * common words must not cost a shard (or the router) work in proportion to
 * its length. Asserted on the engine's work counters, never on time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scoreDomains, type RoutableDomain } from '../../services/coordinator/domain/routing/route-by-terms.js';
import { loadDomainContext } from '../../services/shard/domain/load-domain.js';
import { LexicalEngine } from '../../services/shard/engines/lexical/lexical-engine.js';
import { analyzeText } from '../../shared/text/text-analysis.js';
import { MAX_QUESTION_CHARS, MAX_TOP_K } from '../../shared/queues/schemas.js';
import { DEFAULT_QUERY_TERM_BUDGET, mostInformativeTerms } from '../../shared/text/query-term-budget.js';

// Everyday words with plenty of WordNet synonyms and related words: the expensive kind of question.
const COMMON = (
  'time year people way day man thing woman life child world school state family student group country problem hand part place ' +
  'case week company system program question work government number night point home water room mother area money story fact month ' +
  'lot right study book eye job word business issue side kind head house service friend father power hour game line end member law car ' +
  'city community name president team minute idea kid body information back parent face others level office door health person art war ' +
  'history party result change morning reason research girl guy moment air teacher force education foot boy age policy process music ' +
  'market sense nation plan college interest death experience effect use class control care field development role effort rate heart ' +
  'drug show leader light voice wife police mind price report decision son view relationship town road arm difference value building ' +
  'action model season society tax director position player record paper space ground form event official matter center couple site ' +
  'project activity star table need court oil situation cost industry figure street image phone data picture practice piece land product ' +
  'doctor wall patient worker news test movie north love support technology step baby computer type attention film tree source organization ' +
  'hair window evidence population truth song answer bank sea ship wind iron stone river bridge garden field'
).split(' ');

// Made-up words (not in WordNet) the domain uses as often as the common ones: more distinct terms to fill 4,000 characters with.
const SYLLABLES = ['ka', 'lo', 'mu', 'ti', 'zo', 'pa', 'nu', 'ri', 'go', 'fa', 'du', 'vi'];
const MADE_UP = Array.from({ length: 600 }, (_, i) => `${SYLLABLES[i % 12]}${SYLLABLES[Math.floor(i / 12) % 12]}${SYLLABLES[Math.floor(i / 144) % 12]}`);
const VOCABULARY = [...COMMON, ...MADE_UP];

const FACT = 'The quartermaster hid the zeppelin ledger beneath the galley floor.';

/** Filler lines of words drawn at random (seeded) from the vocabulary, so every word has a long index entry. */
function fillerLines(count: number): string[] {
  let seed = 11;
  const next = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  return Array.from({ length: count }, () => {
    const words = Array.from({ length: 12 }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]);
    return `${words.join(' ')}.`;
  });
}

/** As long as the API admits: distinct domain words, the two rare words last. */
function longQuestion(): string {
  const tail = 'where is the zeppelin ledger?';
  let question = '';
  for (const word of VOCABULARY) {
    if (question.length + word.length + 1 + tail.length > MAX_QUESTION_CHARS) break;
    question += `${word} `;
  }
  return question + tail;
}

describe('query term budget', () => {
  let dir: string;
  let engine: LexicalEngine;
  const question = longQuestion();

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'memfleet-budget-'));
    const domain = path.join(dir, 'port');
    await mkdir(domain, { recursive: true });
    const lines = fillerLines(1_200);
    // The fact in a paragraph of its own, so its window is not narrowed to a filler sentence beside it.
    lines.splice(600, 0, '', FACT, 'The galley floor was painted green in the spring.', 'Nobody aboard ever spoke of it again.', '');
    await writeFile(path.join(domain, 'log.txt'), `${lines.join('\n')}\n`);
    engine = LexicalEngine.build(await loadDomainContext(dir, 'port', { maxTokens: 200_000 }));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('When a question is 4,000 characters of hundreds of distinct common words, then the engine scores at most maxTerms of them', async () => {
    const distinct = new Set(analyzeText(question)).size;
    assert.ok(question.length > 3_900 && question.length <= MAX_QUESTION_CHARS, `question is ${question.length} characters`);
    assert.ok(distinct > 250, `only ${distinct} distinct terms: the question does not test the cap`);

    const before = engine.work;
    await engine.answer({ question, topK: 5, conversation: [] });
    const work = engine.work;
    const budget = DEFAULT_QUERY_TERM_BUDGET;
    assert.equal(work.questions - before.questions, 1);
    assert.ok(work.termsScored - before.termsScored <= budget.maxTerms, `${work.termsScored - before.termsScored} terms scored`);
    assert.ok(work.wordsExpanded - before.wordsExpanded <= budget.maxTerms, `${work.wordsExpanded - before.wordsExpanded} words looked up in WordNet`);
    assert.ok(work.expansionsSearched - before.expansionsSearched <= budget.maxExpansions, `${work.expansionsSearched - before.expansionsSearched} expansions`);
    assert.ok(work.hitsExamined - before.hitsExamined <= 5 + budget.maxHitsExamined, `${work.hitsExamined - before.hitsExamined} hits narrowed`);
  });

  test('When a long question is capped, then its rarest words are among those kept: the fact only they match is still cited', async () => {
    // The rare words come last in the question: a cap that kept the first maxTerms terms would drop them, and the fact's
    // window would match nothing and never be cited. It need not come first: windows matching many of the common words
    // kept beside them outrank it (MiniSearch multiplies a hit's score by its matched terms), hence all MAX_TOP_K citations.
    // Without WordNet, so that synonyms of those common words do not crowd it out too.
    const plain = LexicalEngine.build(await loadDomainContext(dir, 'port', { maxTokens: 200_000 }), { synonymWeight: 0, relatedWeight: 0 });
    const result = await plain.answer({ question, topK: MAX_TOP_K, conversation: [] });
    assert.equal(plain.work.termsScored, DEFAULT_QUERY_TERM_BUDGET.maxTerms);
    assert.ok(
      result.citations.some((c) => c.text.includes(FACT)),
      `the fact is not cited: ${result.citations.map((c) => c.line).join(', ')}`,
    );
  });

  test('When a question is ordinary, then every one of its terms is scored', async () => {
    const ordinary = 'Where did the quartermaster hide the zeppelin ledger on the ship?';
    const before = engine.work;
    await engine.answer({ question: ordinary, topK: 5, conversation: [] });
    assert.equal(engine.work.termsScored - before.termsScored, new Set(analyzeText(ordinary)).size);
  });

  test('When the hits to narrow are capped, then the engine stops after maxHitsExamined even if every hit overlaps', async () => {
    const tight = LexicalEngine.build(await loadDomainContext(dir, 'port', { maxTokens: 200_000 }), {
      budget: { ...DEFAULT_QUERY_TERM_BUDGET, maxHitsExamined: 3 },
    });
    await tight.answer({ question: 'water', topK: 50, conversation: [] });
    assert.ok(tight.work.hitsExamined <= 53, `${tight.work.hitsExamined} hits narrowed`);
  });
});

describe('mostInformativeTerms', () => {
  const idf = (term: string): number => ({ rare: 5, unknown: 9, mid: 2 })[term] ?? 0.1;

  test('When there are more terms than the cap, then the highest-IDF ones are kept, in question order', () => {
    assert.deepEqual(mostInformativeTerms(['the', 'rare', 'a', 'mid', 'unknown', 'b'], idf, 3), ['rare', 'mid', 'unknown']);
  });

  test('When IDFs tie, then the earlier term is kept', () => {
    assert.deepEqual(mostInformativeTerms(['x', 'y', 'z'], idf, 2), ['x', 'y']);
  });

  test('When the terms fit the cap, then they come back unchanged', () => {
    const terms = ['a', 'b'];
    assert.equal(mostInformativeTerms(terms, idf, 32), terms);
  });
});

describe('routing a long question', () => {
  // 10 words the domain never uses (the highest IDF) and 90 it uses everywhere.
  const unknown = Array.from({ length: 10 }, (_, i) => `unknown${i}`);
  const common = Array.from({ length: 90 }, (_, i) => `common${i}`);
  const domain: RoutableDomain = { shard: 'sea', terms: { windows: 1_000, df: Object.fromEntries(common.map((t) => [t, 900])) } };
  const idf = (df: number): number => Math.log(1 + (1_000 - df + 0.5) / (df + 0.5));

  test('When a question has more terms than maxTerms, then a domain is scored on its maxTerms most informative terms, as the shard will', () => {
    const [score] = scoreDomains([...common, ...unknown], [domain]);
    const kept = DEFAULT_QUERY_TERM_BUDGET.maxTerms - unknown.length; // all unknown words, then common ones
    const expected = (kept * idf(900)) / (unknown.length * idf(0) + kept * idf(900));
    assert.ok(Math.abs((score?.coverage ?? -1) - expected) < 1e-9, `coverage ${score?.coverage}, expected ${expected}`);
  });

  test('When a question word is an Object.prototype property name, then routing scores it as a word the domain never uses', () => {
    // df is a plain object parsed from the manifest: df['constructor'] is Object's constructor unless looked up as an own key.
    const [score] = scoreDomains(['constructor', 'common1'], [domain]);
    const expected = idf(900) / (idf(0) + idf(900));
    assert.ok(Math.abs((score?.coverage ?? -1) - expected) < 1e-9, `coverage ${score?.coverage}, expected ${expected}`);
  });
});
