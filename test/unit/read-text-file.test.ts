/** Which files a shard reads as text, and how (services/shard/domain/read-text-file.ts). */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeTextFile } from '../../services/shard/domain/read-text-file.js';
import { DomainLoadError, loadDomainContext } from '../../services/shard/domain/load-domain.js';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
/** A PNG header and a few bytes of image data. */
const PNG = bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x01, 0x00]);
const LATIN1_CAFE = bytes('Le caf', [0xe9], ' cr', [0xe8], 'me est ', [0xe0], ' la carte.\n');

describe('decodeTextFile', () => {
  test('When a file is UTF-8, then it is read as is, accents and emoji included', () => {
    assert.deepEqual(decodeTextFile(bytes('Café crème 🍮\nline two\n')), { ok: true, text: 'Café crème 🍮\nline two\n' });
  });

  test('When a file is empty, then it is text (the domain decides whether empty is an error)', () => {
    assert.deepEqual(decodeTextFile(bytes('')), { ok: true, text: '' });
  });

  test('When a file holds a NUL byte, then it is binary and skipped', () => {
    const result = decodeTextFile(PNG);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /^binary: it holds NUL bytes/);
  });

  test('When a file is mostly control characters without NUL, then it is binary', () => {
    const result = decodeTextFile(bytes([1, 2, 3, 4, 5, 6, 7, 8, 0x0e, 0x0f], 'ab'));
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /^binary: \d+% of its first bytes are control characters/);
  });

  test('When text has tabs, form feeds, CRLF and ANSI colour codes, then it is still text', () => {
    const text = 'a\tb\r\n\fpage\x1b[31mred\x1b[0m\n';
    assert.deepEqual(decodeTextFile(bytes(text)), { ok: true, text });
  });

  test('When a file is Latin-1, then it is decoded as Latin-1 with a warning, not with replacement characters', () => {
    const result = decodeTextFile(LATIN1_CAFE);
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.equal(result.text, 'Le café crème est à la carte.\n');
    assert.doesNotMatch(result.text, /\uFFFD/);
    assert.match(result.warning ?? '', /not UTF-8: read as Latin-1 .*iconv -f WINDOWS-1252 -t UTF-8/);
  });

  test('When a Windows-1252 file has curly quotes, then they decode to curly quotes', () => {
    const result = decodeTextFile(bytes([0x93], 'quoted', [0x94], ' and it', [0x92], 's fine\n'));
    assert.equal(result.ok && result.text, '\u201Cquoted\u201D and it\u2019s fine\n');
  });

  test('When a non-UTF-8 file is dense in high bytes (a legacy CJK encoding), then it is refused with the fix', () => {
    // "日本語のテキスト" in Shift-JIS.
    const sjis = bytes([0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea, 0x82, 0xcc, 0x83, 0x65, 0x83, 0x4c, 0x83, 0x58, 0x83, 0x67, 0x0a]);
    const result = decodeTextFile(sjis);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /^not UTF-8 text \(\d+% of its bytes are non-ASCII.*convert it to UTF-8/);
  });

  test('When a file starts with a UTF-16 byte-order mark, then it is refused with the conversion command', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hello\n', 'utf16le')]);
    const result = decodeTextFile(utf16);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /UTF-16 text: convert it to UTF-8 \(iconv -f UTF-16/);
  });
});

describe('loadDomainContext with files that are not UTF-8 text', () => {
  let contexts: string;
  before(async () => {
    contexts = await mkdtemp(path.join(os.tmpdir(), 'memfleet-text-'));
    await mkdir(path.join(contexts, 'mixed'), { recursive: true });
    await writeFile(path.join(contexts, 'mixed', 'good.md'), 'The ferry runs twice a day.\n');
    await writeFile(path.join(contexts, 'mixed', 'photo.txt'), PNG);
    await writeFile(path.join(contexts, 'mixed', 'menu.txt'), LATIN1_CAFE);
    await mkdir(path.join(contexts, 'allbinary'), { recursive: true });
    await writeFile(path.join(contexts, 'allbinary', 'a.txt'), PNG);
  });
  after(async () => {
    await rm(contexts, { recursive: true, force: true });
  });

  test('When a domain holds a binary and a Latin-1 file, then the binary is skipped with its reason and the Latin-1 file is read correctly', async () => {
    const ctx = await loadDomainContext(contexts, 'mixed', { maxTokens: 200_000 });
    assert.deepEqual(ctx.sources.map((s) => s.source), ['good.md', 'menu.txt']);
    assert.deepEqual(ctx.sources[1]?.lines, ['Le café crème est à la carte.']);
    assert.deepEqual(ctx.skipped?.map((s) => s.source), ['photo.txt']);
    assert.match(ctx.skipped?.[0]?.reason ?? '', /binary/);
    assert.deepEqual(ctx.warnings?.map((w) => w.source), ['menu.txt']);
  });

  test('When every file of a domain is skipped, then loading fails and lists each file with its reason', async () => {
    await assert.rejects(loadDomainContext(contexts, 'allbinary', { maxTokens: 200_000 }), (err: unknown) => {
      assert.ok(err instanceof DomainLoadError);
      assert.equal(err.code, 'empty');
      assert.match(err.message, /holds no readable text: a\.txt skipped \(binary: it holds NUL bytes/);
      return true;
    });
  });
});
