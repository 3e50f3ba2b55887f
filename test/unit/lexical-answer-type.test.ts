import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { focusWords } from '../../services/shard/engines/lexical/answer-type.js';
import { sharedWordNet } from '../../services/shard/engines/lexical/wordnet.js';
import { Vocabulary } from '../../services/shard/engines/lexical/vocabulary.js';
import { LexicalEngine } from '../../services/shard/engines/lexical/lexical-engine.js';
import { domain, prose } from '../helpers/in-memory-domain.js';

describe('answer type: what a "which X" question asks for', () => {
  test('When a question starts with what or which, then the words up to the first stop word name the answer type', () => {
    assert.deepEqual(focusWords('Which city on the Great Lakes did the sailor hail from?'), ['city']);
    assert.deepEqual(focusWords('What constitutional change did Johnson ask for?'), ['constitutional', 'change']);
    assert.deepEqual(focusWords('In which year was the bank chartered?'), ['year']);
    assert.deepEqual(focusWords('What kind of ship was the Pequod?'), ['ship']);
  });

  test('When a question asks otherwise, then it has no answer type', () => {
    assert.deepEqual(focusWords('What did Ahab nail to the mast?'), []);
    assert.deepEqual(focusWords('Who was the first mate?'), []);
    assert.deepEqual(focusWords('How long are backups kept?'), []);
    assert.deepEqual(focusWords(''), []);
  });

  test('When WordNet is asked for kinds of a noun, then names come as instances and common words as kinds', () => {
    const wordnet = sharedWordNet();
    const city = wordnet.kinds('city');
    assert.deepEqual(city.find((k) => k.lemma === 'buffalo'), { lemma: 'buffalo', instance: true });
    assert.ok(wordnet.kinds('bird').some((k) => k.lemma === 'hawk' && !k.instance), 'a hawk is a kind of bird, several links down');
    assert.ok(wordnet.kinds('weapon').some((k) => k.lemma === 'musket'));
    assert.deepEqual(wordnet.kinds('zzzz'), []);
  });
});

describe('Vocabulary.capitalisedShare', () => {
  test('When a word is written capitalised, then its share counts it, and taking the occurrence back undoes it', () => {
    const v = new Vocabulary();
    v.addOccurrence('buffalo', 'buffalo', true);
    v.addOccurrence('buffalo', 'buffalo', true);
    v.addOccurrence('split', 'split', true);
    v.addOccurrence('split', 'split', false);
    v.addOccurrence('split', 'split', false);
    assert.equal(v.capitalisedShare('buffalo'), 1);
    assert.ok(Math.abs(v.capitalisedShare('split') - 1 / 3) < 1e-9);
    assert.equal(v.capitalisedShare('absent'), 0);
    v.removeOccurrence('split', 'split', true);
    assert.equal(v.capitalisedShare('split'), 0);
  });
});

describe('answer type in the lexical engine', () => {
  // Both passages hold "sailor"; only the first names a city. The second holds "split" and
  // "read", which WordNet also lists as cities (Split, Reading) but which this domain writes in
  // lower case: they are not names here.
  const ctx = domain('harbour', {
    'story.txt': ['Steelkilt was a sailor from Buffalo and a desperado of the worst kind.'],
    'log.txt': ['Every sailor would split the wood and read the log before the watch.'],
    'filler-a.txt': prose(40, 1, ['rope', 'deck', 'mast', 'anchor', 'barrel', 'lantern', 'oar', 'hold']),
    'filler-b.txt': prose(40, 2, ['cask', 'net', 'galley', 'bunk', 'sail', 'keel', 'tide', 'bell']),
  });
  const question = 'Which city was the sailor from?';
  const scores = async (answerTypeWeight: number, answerTypeNameShare = 0.8): Promise<Map<string, number>> => {
    const engine = LexicalEngine.build(ctx, { answerTypeWeight, answerTypeNameShare, sourceEvidence: 'off' });
    const answer = await engine.answer({ question, topK: 5, conversation: [] });
    return new Map(answer.citations.map((c) => [c.source, c.score]));
  };

  test('When the question asks for a city, then the passage naming one ranks first, and a common word that is also a city name counts for nothing', async () => {
    const off = await scores(0);
    const on = await scores(0.5);
    assert.ok((on.get('story.txt') ?? 0) > (on.get('log.txt') ?? 0), `story ${on.get('story.txt')} over log ${on.get('log.txt')}`);
    assert.ok((on.get('story.txt') ?? 0) > (off.get('story.txt') ?? 0), 'Buffalo stands for "city"');
    assert.equal(on.get('log.txt'), off.get('log.txt'), 'split and read are not names in this domain');
    const unchecked = await scores(0.5, 0);
    assert.ok((unchecked.get('log.txt') ?? 0) > (off.get('log.txt') ?? 0), 'without the name check, "split" would stand for a city');
  });
});
