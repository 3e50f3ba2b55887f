import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DomainLoadError, loadDomainContext } from '../../services/shard/domain/load-domain.js';
import { estimateTokens } from '../../shared/text/tokens.js';

const BUDGET = { maxTokens: 200_000 };

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(root, rel);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, content, 'utf8');
  }
}

function expectLoadError(code: DomainLoadError['code'], ...fragments: string[]) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof DomainLoadError, `expected DomainLoadError, got ${String(err)}`);
    assert.equal(err.code, code);
    for (const fragment of fragments) assert.ok(err.message.includes(fragment), `"${err.message}" lacks "${fragment}"`);
    return true;
  };
}

describe('loadDomainContext', () => {
  let contexts: string;

  before(async () => {
    contexts = await mkdtemp(path.join(os.tmpdir(), 'memfleet-load-'));
    await writeTree(contexts, {
      'library/b.txt': 'bee\n',
      'library/a.txt': 'a file\n',
      'library/a/z.md': '# Zed\n',
      'library/a/deeper/c.txt': 'see\n',
      'library/A.md': 'capital\n',
      'library/data.json': '{"not": "a source"}\n',
      'library/notes.pdf': 'binary-ish',
      'library/.hidden.md': 'secret\n',
      'library/.git/HEAD.txt': 'ref\n',
      'library/crlf.txt': '\uFEFFfirst\r\nsecond\r\n\r\nfourth\r\n',
      'library/trailing-blank.txt': 'only line\n\n',
      'library/no-newline.txt': 'one\ntwo',
      'library/empty.txt': '',
      'json-only/data.json': '{}\n',
      'blank-files/a.md': '',
      'big/huge.txt': 'x'.repeat(8_000),
    });
  });

  after(async () => {
    await rm(contexts, { recursive: true, force: true });
  });

  test('When a domain has nested folders, then every .md and .txt below it is loaded and nothing else', async () => {
    const ctx = await loadDomainContext(contexts, 'library', BUDGET);
    const sources = ctx.sources.map((s) => s.source);
    assert.ok(sources.includes('a/deeper/c.txt'));
    assert.ok(sources.includes('a/z.md'));
    assert.ok(!sources.some((s) => s.endsWith('.json') || s.endsWith('.pdf')));
    assert.ok(!sources.some((s) => s.split('/').some((part) => part.startsWith('.'))), 'dot-files and dot-folders are skipped');
  });

  test('When sources are listed, then they are sorted by relative path with forward slashes', async () => {
    const ctx = await loadDomainContext(contexts, 'library', BUDGET);
    assert.deepEqual(
      ctx.sources.map((s) => s.source),
      ['A.md', 'a.txt', 'a/deeper/c.txt', 'a/z.md', 'b.txt', 'crlf.txt', 'empty.txt', 'no-newline.txt', 'trailing-blank.txt'],
    );
  });

  test('When a file has a BOM and CRLF endings, then its lines match what an editor numbers', async () => {
    const ctx = await loadDomainContext(contexts, 'library', BUDGET);
    const lines = (name: string) => ctx.sources.find((s) => s.source === name)?.lines;
    assert.deepEqual(lines('crlf.txt'), ['first', 'second', '', 'fourth']);
    assert.deepEqual(lines('trailing-blank.txt'), ['only line', ''], 'only the newline-terminated final empty line is dropped');
    assert.deepEqual(lines('no-newline.txt'), ['one', 'two']);
    assert.deepEqual(lines('empty.txt'), []);
  });

  test('When a domain loads, then its totals add up over its sources', async () => {
    const ctx = await loadDomainContext(contexts, 'library', BUDGET);
    assert.equal(ctx.domain, 'library');
    assert.ok(path.isAbsolute(ctx.root));
    assert.equal(ctx.totalLines, ctx.sources.reduce((n, s) => n + s.lines.length, 0));
    assert.equal(ctx.tokens, ctx.sources.reduce((n, s) => n + s.tokens, 0));
    assert.equal(ctx.sources.find((s) => s.source === 'a.txt')?.tokens, estimateTokens('a file\n'));
  });

  test('When a domain is over its token budget, then the error names the domain, its size and the budget', async () => {
    await assert.rejects(
      loadDomainContext(contexts, 'big', { maxTokens: 1_000 }),
      expectLoadError('over_budget', 'Domain "big"', '2,000 tokens', 'budget of 1,000', 'MAX_DOMAIN_TOKENS'),
    );
  });

  test('When the domain folder is missing, then the error names the path and how contexts are laid out', async () => {
    await assert.rejects(
      loadDomainContext(contexts, 'nowhere', BUDGET),
      expectLoadError('not_found', path.join(contexts, 'nowhere'), 'CONTEXTS_DIR/<domain>'),
    );
  });

  test('When the domain name is a path, then it is refused rather than read outside the contexts folder', async () => {
    await assert.rejects(loadDomainContext(path.join(contexts, 'library'), '../big', BUDGET), expectLoadError('not_found'));
  });

  test('When a folder has no .md or .txt files, then the error says it is empty', async () => {
    await assert.rejects(loadDomainContext(contexts, 'json-only', BUDGET), expectLoadError('empty', 'no .md or .txt'));
  });

  test('When every source file is empty, then the domain is refused as empty', async () => {
    await assert.rejects(loadDomainContext(contexts, 'blank-files', BUDGET), expectLoadError('empty'));
  });
});
