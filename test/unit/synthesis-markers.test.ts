/** The synthesiser may cite only the passages the shards cited; anything else refuses the synthesis. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MergedCitation } from '../../shared/api/query.js';
import { NOT_ANSWERED, resolveMarkers } from '../../services/coordinator/domain/synthesis/markers.js';
import { buildSynthesisMessage, PASSAGE_CHARS } from '../../services/coordinator/domain/synthesis/synthesis-prompt.js';

const CITATIONS: MergedCitation[] = [
  { shard: 'harbor', source: 'ships.txt', line: 7, endLine: 8, text: 'Her captain, Ilse Varga.', score: 1, confidence: 'high' },
  { shard: 'kitchen', source: 'recipes.md', line: 3, endLine: 3, text: 'Plum jam.', score: 0.5, confidence: 'high' },
];

describe('synthesis markers', () => {
  test('When every marker names a given passage, then markers become fleet tags', () => {
    const r = resolveMarkers('Ilse Varga captains the Albatross [1]. Jam is made of plums [2][1, 2].', CITATIONS);
    assert.deepEqual(r, {
      ok: true,
      answer: 'Ilse Varga captains the Albatross [harbor/ships.txt:7-8]. Jam is made of plums [kitchen/recipes.md:3][harbor/ships.txt:7-8][kitchen/recipes.md:3].',
      used: [1, 2],
    });
  });

  test('When a marker names a passage the shards did not give, then the synthesis is refused and the number named', () => {
    const r = resolveMarkers('Ilse Varga [1]. The harbor opened in 1820 [3].', CITATIONS);
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /passage 3.*there are 2/);
    assert.equal(resolveMarkers('Zero is not a passage [0].', CITATIONS).ok, false);
  });

  test('When the answer cites nothing or says NOT_ANSWERED, then it is refused', () => {
    assert.equal(resolveMarkers('Ilse Varga captains it.', CITATIONS).ok, false);
    assert.equal(resolveMarkers(` ${NOT_ANSWERED}\n`, CITATIONS).ok, false);
    assert.equal(resolveMarkers('', CITATIONS).ok, false);
  });

  test('When the prompt is built, then passages are numbered in citation order with their tags, and long ones are cut', () => {
    const long: MergedCitation = { ...CITATIONS[1]!, text: 'x'.repeat(PASSAGE_CHARS + 50) };
    const message = buildSynthesisMessage('Who?', [{ shard: 'harbor', answer: 'Ilse.' }], [CITATIONS[0]!, long]);
    assert.match(message, /<passage n="1" cite="harbor\/ships\.txt:7-8">\nHer captain, Ilse Varga\.\n<\/passage>/);
    assert.match(message, /<passage n="2" cite="kitchen\/recipes\.md:3">\nx{4000}…\n<\/passage>/);
    assert.match(message, /<answer shard="harbor">\nIlse\.\n<\/answer>/);
  });
});
