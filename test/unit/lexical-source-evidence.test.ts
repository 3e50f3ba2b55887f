import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mixEvidence, sourceEvidence, type EvidenceHit } from '../../services/shard/engines/lexical/source-evidence.js';
import { LexicalEngine } from '../../services/shard/engines/lexical/lexical-engine.js';
import type { DomainContext } from '../../services/shard/domain/domain-context.js';

// Question terms whale, harpoon, chowder, each of IDF 1: coverage is the share of them a set holds.
const question = ['whale', 'harpoon', 'chowder'];
const coverageOf = (...matched: readonly (readonly string[])[]): number => {
  const set = new Set(matched.flat());
  return question.filter((t) => set.has(t)).length / question.length;
};
const hits: EvidenceHit[] = [
  { id: 0, sourceIndex: 0, matched: ['whale'] },
  { id: 1, sourceIndex: 0, matched: ['harpoon'] },
  { id: 3, sourceIndex: 0, matched: ['chowder'] },
  { id: 4, sourceIndex: 1, matched: ['whale', 'harpoon'] },
];

describe('source-level evidence', () => {
  test('When a source holds every question word over several windows, then each of its windows gets full source evidence', () => {
    const evidence = sourceEvidence('source', hits, coverageOf);
    assert.equal(evidence.get(0), 1);
    assert.equal(evidence.get(3), 1);
    assert.ok(Math.abs((evidence.get(4) ?? 0) - 2 / 3) < 1e-9, 'the other source holds two of three');
  });

  test('When the evidence is the neighbours, then only the windows right beside one in the same source count', () => {
    const evidence = sourceEvidence('neighbours', hits, coverageOf);
    assert.ok(Math.abs((evidence.get(0) ?? 0) - 2 / 3) < 1e-9, 'window 0 and window 1');
    assert.ok(Math.abs((evidence.get(3) ?? 0) - 1 / 3) < 1e-9, 'window 2 is no hit and window 4 is another source: only its own');
    assert.ok(Math.abs((evidence.get(4) ?? 0) - 2 / 3) < 1e-9);
  });

  test('When the evidence is the best windows, then a source is the mean of its best three (missing ones count 0)', () => {
    const evidence = sourceEvidence('source-best', hits, coverageOf);
    assert.ok(Math.abs((evidence.get(1) ?? 0) - 1 / 3) < 1e-9);
    assert.ok(Math.abs((evidence.get(4) ?? 0) - 2 / 9) < 1e-9);
  });

  test('When the form is off or there are no hits, then there is no evidence', () => {
    assert.equal(sourceEvidence('off', hits, coverageOf).size, 0);
    assert.equal(sourceEvidence('source', [], coverageOf).size, 0);
  });

  test('When evidence is mixed in, then the result stays in [0, 1] and never falls as the coverage rises', () => {
    for (const mix of ['blend', 'prior'] as const) {
      for (const weight of [0, 0.2, 0.5, 1, 1.5]) {
        let last = -1;
        for (let c = 0; c <= 1.0001; c += 0.1) {
          const m = mixEvidence(c, 0.7, weight, mix);
          assert.ok(m >= 0 && m <= 1, `${mix} ${weight} ${c}`);
          assert.ok(m >= last - 1e-12, `${mix} ${weight}: monotone`);
          last = m;
        }
      }
    }
    assert.ok(Math.abs(mixEvidence(0.4, 1, 0.25) - 0.55) < 1e-9);
    assert.ok(Math.abs(mixEvidence(0.4, 0.5, 0.5, 'prior') - 0.3) < 1e-9);
  });
});

describe('source-level evidence in the engine', () => {
  const lines = [
    'The harpooneer sat by the fire with his harpoon.',
    '',
    'Later the crew ate a chowder of clams.',
    '',
    'A whale rose far off the bow.',
    '',
    'Nothing of note happened on deck that day.',
  ];
  const other = ['A whale and a harpoon, in one line, and nothing else here.'];
  const ctx: DomainContext = {
    domain: 'sea',
    root: '/nowhere',
    sources: [
      { source: 'chapter.txt', lines, tokens: 60 },
      { source: 'log.txt', lines: other, tokens: 15 },
    ],
    totalLines: lines.length + other.length,
    tokens: 75,
  };

  test('When every form is on, then scores stay in [0, 1] and topK 1 is the prefix of topK 5', async () => {
    for (const form of ['source', 'source-best', 'neighbours'] as const) {
      for (const mix of ['blend', 'prior'] as const) {
        const engine = LexicalEngine.build(ctx, { sourceEvidence: form, sourceEvidenceWeight: 0.35, sourceEvidenceMix: mix });
        const q = { question: 'whale harpoon chowder', conversation: [] };
        const five = await engine.answer({ ...q, topK: 5 });
        const one = await engine.answer({ ...q, topK: 1 });
        assert.ok(five.citations.length > 0);
        for (const c of five.citations) assert.ok(c.score >= 0 && c.score <= 1, `${form} ${mix}: ${c.score}`);
        assert.deepEqual(one.citations, five.citations.slice(0, 1), `${form} ${mix}`);
      }
    }
  });
});
