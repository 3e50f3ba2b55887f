/**
 * Issue 11, finding 8: a symbolic link in a domain folder that leads outside
 * it (`leak.txt -> /outside/secret.txt`) must not be loaded, and so never
 * served by /lines, MCP read_source or resources (they read only what was
 * loaded: handle-read.ts), unless FOLLOW_EXTERNAL_SYMLINKS=true. Real links.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadDomainContext, type SkippedLink } from '../../services/shard/domain/load-domain.js';
import { answerRead, indexSources } from '../../services/shard/worker/handle-read.js';
import { parseShardConfig } from '../../services/shard/config.js';
import { ConfigError } from '../../shared/config/errors.js';
import { generateKeyring } from '../../shared/envelope/index.js';

const SECRET = 'CANARY-outside-the-domain-7f3a';
const BUDGET = { maxTokens: 200_000 };

describe('symbolic links in a domain folder', () => {
  let tmp: string;
  let contexts: string;
  let outside: string;

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'memfleet-links-'));
    contexts = path.join(tmp, 'contexts');
    outside = path.join(tmp, 'outside');
    const vault = path.join(contexts, 'vault');
    await mkdir(path.join(vault, 'inner'), { recursive: true });
    await mkdir(path.join(vault, '.store'), { recursive: true });
    await mkdir(path.join(outside, 'folder'), { recursive: true });
    await writeFile(path.join(outside, 'secret.txt'), `${SECRET}\n`);
    await writeFile(path.join(outside, 'folder', 'more.md'), `${SECRET} in a folder\n`);
    await writeFile(path.join(vault, 'notes.txt'), 'The vault opens at dawn.\n');
    await writeFile(path.join(vault, 'inner', 'deep.md'), '# Deep\nA note further down.\n');
    // A dot-folder is not walked itself; a link to it is (a folder link inside the domain).
    await writeFile(path.join(vault, '.store', 'old.md'), 'An archived note.\n');
    await symlink(path.join(outside, 'secret.txt'), path.join(vault, 'leak.txt'));
    await symlink('../../outside/secret.txt', path.join(vault, 'relative-leak.md'));
    await symlink(path.join(outside, 'folder'), path.join(vault, 'linked-folder'));
    await symlink('notes.txt', path.join(vault, 'same-notes.txt'));
    await symlink('.store', path.join(vault, 'archive'));
  });

  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  test('When a link leads outside the domain folder, then its file is not loaded and the skip is reported with the path, not the content', async () => {
    const skipped: SkippedLink[] = [];
    const ctx = await loadDomainContext(contexts, 'vault', { ...BUDGET, onSkippedLink: (link) => skipped.push(link) });
    const names = ctx.sources.map((s) => s.source);
    for (const leak of ['leak.txt', 'relative-leak.md', 'linked-folder/more.md']) assert.ok(!names.includes(leak), `${leak} was loaded`);
    assert.ok(!ctx.sources.some((s) => s.lines.some((l) => l.includes(SECRET))), 'the outside file’s text was loaded');
    assert.deepEqual(
      skipped.map((s) => s.source).sort(),
      ['leak.txt', 'linked-folder', 'relative-leak.md'],
    );
    const leak = skipped.find((s) => s.source === 'leak.txt');
    assert.ok(leak?.target.endsWith(path.join('outside', 'secret.txt')), leak?.target);
    assert.ok(!JSON.stringify(skipped).includes(SECRET));
  });

  test('When a link resolves inside the domain folder, then it keeps working', async () => {
    const ctx = await loadDomainContext(contexts, 'vault', BUDGET);
    const names = ctx.sources.map((s) => s.source);
    assert.ok(names.includes('same-notes.txt'), names.join(', '));
    assert.ok(names.includes('archive/old.md'), names.join(', '));
    assert.deepEqual(ctx.sources.find((s) => s.source === 'same-notes.txt')?.lines, ['The vault opens at dawn.']);
  });

  test('When a read job asks for the skipped link, then the shard answers unknown_source', async () => {
    const ctx = await loadDomainContext(contexts, 'vault', BUDGET);
    const who = { shard: 'vault', replica: 'r1' };
    const res = answerRead(indexSources(ctx), { op: 'lines', requestId: 'r_1', deadline: Date.now() + 1_000, source: 'leak.txt', line: 1, endLine: 5 }, who);
    assert.equal(res.op, 'error');
    assert.equal(res.op === 'error' ? res.code : '', 'unknown_source');
    const list = answerRead(indexSources(ctx), { op: 'sources', requestId: 'r_2', deadline: Date.now() + 1_000 }, who);
    assert.ok(list.op === 'sources' && !list.sources.some((s) => s.source.includes('leak')));
  });

  test('When FOLLOW_EXTERNAL_SYMLINKS is on, then links outside the folder are followed as before', async () => {
    const skipped: SkippedLink[] = [];
    const ctx = await loadDomainContext(contexts, 'vault', { ...BUDGET, followExternalSymlinks: true, onSkippedLink: (l) => skipped.push(l) });
    const names = ctx.sources.map((s) => s.source);
    for (const leak of ['leak.txt', 'relative-leak.md', 'linked-folder/more.md']) assert.ok(names.includes(leak), `${leak} missing: ${names.join(', ')}`);
    assert.deepEqual(skipped, []);
  });

  test('When every source is a link leading outside, then loading fails as empty and names the setting', async () => {
    const only = path.join(contexts, 'only-links');
    await mkdir(only, { recursive: true });
    await symlink(path.join(outside, 'secret.txt'), path.join(only, 'a.txt'));
    await assert.rejects(loadDomainContext(contexts, 'only-links', BUDGET), (err: Error) => {
      assert.match(err.message, /FOLLOW_EXTERNAL_SYMLINKS=true/);
      assert.ok(!err.message.includes(SECRET));
      return true;
    });
  });
});

describe('FOLLOW_EXTERNAL_SYMLINKS', () => {
  const env = { MEMFLEET_HMAC_KEYS: generateKeyring('q1'), MEMFLEET_SHARD_HMAC_KEYS: generateKeyring('r1'), SHARD_DOMAIN: 'vault', CONTEXTS_DIR: '/srv/contexts' };

  test('When it is unset, then external links are skipped; "true" follows them', () => {
    assert.equal(parseShardConfig(env).followExternalSymlinks, false);
    assert.equal(parseShardConfig({ ...env, FOLLOW_EXTERNAL_SYMLINKS: 'false' }).followExternalSymlinks, false);
    assert.equal(parseShardConfig({ ...env, FOLLOW_EXTERNAL_SYMLINKS: 'true' }).followExternalSymlinks, true);
  });

  test('When it is anything else, then start-up fails naming the variable and the allowed values', () => {
    assert.throws(
      () => parseShardConfig({ ...env, FOLLOW_EXTERNAL_SYMLINKS: 'yes' }),
      (err: Error) => err instanceof ConfigError && err.message.includes('FOLLOW_EXTERNAL_SYMLINKS') && err.message.includes('"true"'),
    );
  });
});
