/** The lexical engine takes written sources in incrementally, with the same answers as a full build. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LexicalEngine } from '../../services/shard/engines/lexical/lexical-engine.js';
import type { DomainContext, SourceFile } from '../../services/shard/domain/domain-context.js';
import { splitLines } from '../../shared/text/lines.js';

function file(source: string, text: string): SourceFile {
  return { source, lines: splitLines(text), tokens: Math.ceil(text.length / 4) };
}
function ctx(files: SourceFile[]): DomainContext {
  return { domain: 'harbor', root: '/x', sources: files, totalLines: files.reduce((n, f) => n + f.lines.length, 0), tokens: 1 };
}
const folder = [
  file('cargo.md', '# Cargo\n\nCoal from the southern mines, forty tons, stored in warehouse six.\n\nSalt cod packed in barrels for export.\n'),
  file('ships.txt', 'The schooner Albatross is captained by Mira Holt.\n\nThe ferry leaves at dawn.\n'),
];
const note = file('notes/key.md', 'The spare key of the lighthouse is hidden under the blue anchor.\n');
const QUESTION = { question: 'Where is the spare key of the lighthouse hidden?', topK: 3, conversation: [] };

describe('lexical engine: written sources', () => {
  test('When a note is added, then answers equal those of an engine built with it from the start', async () => {
    const incremental = LexicalEngine.build(ctx(folder));
    incremental.updateWritten({ upserted: [note], removed: [] });
    const full = LexicalEngine.build(ctx([...folder, note]));
    assert.deepEqual(await incremental.answer(QUESTION), await full.answer(QUESTION));
    assert.deepEqual(incremental.domainTerms(), full.domainTerms());
    assert.equal((await incremental.answer(QUESTION)).citations[0]?.source, 'notes/key.md');
  });

  test('When a note is replaced and then removed, then the index is as if it had never been there', async () => {
    const engine = LexicalEngine.build(ctx(folder));
    const before = engine.domainTerms();
    engine.updateWritten({ upserted: [note], removed: [] });
    engine.updateWritten({ upserted: [file('notes/key.md', 'The spare key now hangs in the red buoy.\n')], removed: [] });
    const replaced = await engine.answer(QUESTION);
    assert.ok(replaced.citations.every((c) => !c.text.includes('blue anchor')));
    engine.updateWritten({ upserted: [], removed: ['notes/key.md'] });
    assert.deepEqual(engine.domainTerms(), before);
    assert.ok((await engine.answer(QUESTION)).citations.every((c) => c.source !== 'notes/key.md'));
    assert.deepEqual(engine.topTerms(50), LexicalEngine.build(ctx(folder)).topTerms(50));
  });
});
