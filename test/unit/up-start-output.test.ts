/**
 * What `memfleet up` prints while starting: the start banner with commands that work
 * as printed, the contexts entries it skips, and its children's log lines made readable.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cliInvocation, startBanner } from '../../services/cli/up/start-banner.js';
import { discoverDomains, suggestDomainName } from '../../services/cli/up/discover-domains.js';
import { renderChildLine } from '../../services/cli/up/child-log-line.js';

const line = (banner: string, label: string) => banner.split('\n').find((l) => l.trimStart().startsWith(`${label}:`)) ?? '';

describe('startBanner', () => {
  const base = { shards: ['harbor', 'kitchen'], replicas: 2, cli: 'memfleet' };

  test('When the fleet is on the default URL without a token, then the hints are the bare commands', () => {
    const b = startBanner({ ...base, url: 'http://127.0.0.1:8080' });
    assert.match(b, /^memfleet is up at http:\/\/127\.0\.0\.1:8080$/m);
    assert.match(b, /shards: +harbor×2, kitchen×2/);
    assert.equal(line(b, 'ask'), '  ask:     memfleet ask "your question"');
    assert.equal(line(b, 'status'), '  status:  memfleet status');
    assert.doesNotMatch(line(b, 'curl'), /authorization/i);
  });

  test('When --port moves the coordinator, then ask and status carry --url', () => {
    const b = startBanner({ ...base, url: 'http://127.0.0.1:8093' });
    assert.equal(line(b, 'ask'), '  ask:     memfleet ask "your question" --url http://127.0.0.1:8093');
    assert.equal(line(b, 'status'), '  status:  memfleet status --url http://127.0.0.1:8093');
    assert.match(line(b, 'curl'), /curl -s http:\/\/127\.0\.0\.1:8093\/v1\/query /);
  });

  test('When the API needs a token, then every /v1 hint carries it by reference, never the secret', () => {
    const b = startBanner({ ...base, url: 'http://127.0.0.1:8093', token: { env: 'MEMFLEET_API_TOKEN' } });
    assert.equal(line(b, 'ask'), '  ask:     memfleet ask "your question" --url http://127.0.0.1:8093 --token "$MEMFLEET_API_TOKEN"');
    assert.equal(line(b, 'status'), '  status:  memfleet status --url http://127.0.0.1:8093 --token "$MEMFLEET_API_TOKEN"');
    assert.match(line(b, 'curl'), /-H "authorization: Bearer \$MEMFLEET_API_TOKEN"/);
  });

  test('When the token comes from a file, then the hints read the file', () => {
    const b = startBanner({ ...base, url: 'http://127.0.0.1:8080', token: { file: '/run/secrets/api token' } });
    assert.equal(line(b, 'ask'), `  ask:     memfleet ask "your question" --token "$(cat '/run/secrets/api token')"`);
    assert.match(line(b, 'curl'), /-H "authorization: Bearer \$\(cat '\/run\/secrets\/api token'\)"/);
  });

  test('When up runs from a checkout, then the hints run the same script', () => {
    assert.equal(cliInvocation('/repo/dist/services/cli/main.js', '/repo'), 'node dist/services/cli/main.js');
    assert.equal(cliInvocation('/repo/dist/services/cli/main.js', '/elsewhere'), 'node /repo/dist/services/cli/main.js');
    assert.equal(cliInvocation('/usr/local/bin/memfleet', '/home/me'), 'memfleet');
  });
});

describe('discoverDomains', () => {
  let contexts: string;
  before(async () => {
    contexts = await mkdtemp(path.join(os.tmpdir(), 'memfleet-discover-'));
    for (const dir of ['notes', 'My Notes', 'Recipes', '.git']) await mkdir(path.join(contexts, dir));
    await writeFile(path.join(contexts, 'README.md'), 'about these notes\n');
  });
  after(async () => {
    await rm(contexts, { recursive: true, force: true });
  });

  test('When folders break the naming rules, then they are skipped with the reason and a valid name to use', () => {
    const { domains, skipped } = discoverDomains(contexts);
    assert.deepEqual(domains, ['notes']);
    assert.deepEqual(skipped, [
      { name: 'My Notes', reason: 'folder name is not a valid domain name (lowercase letters, digits and dashes): rename it to "my-notes"' },
      { name: 'README.md', reason: 'not a folder (each domain is a sub-folder holding .md/.txt files)' },
      { name: 'Recipes', reason: 'folder name is not a valid domain name (lowercase letters, digits and dashes): rename it to "recipes"' },
    ]);
  });

  test('When no folder is a valid domain, then the error lists what was skipped', async () => {
    const only = await mkdtemp(path.join(os.tmpdir(), 'memfleet-discover-'));
    try {
      await mkdir(path.join(only, 'My Notes'));
      assert.throws(() => discoverDomains(only), /has no domain sub-folders.*Skipped: "My Notes" \(folder name is not a valid domain name.*"my-notes"\)/);
    } finally {
      await rm(only, { recursive: true, force: true });
    }
  });

  test('When a name has accents, spaces or punctuation, then the suggestion is a valid domain name', () => {
    assert.equal(suggestDomainName('Café Notes (2024)'), 'cafe-notes-2024');
    assert.equal(suggestDomainName('__Recipes__'), 'recipes');
  });
});

describe('renderChildLine', () => {
  test('When a child logs pino JSON, then up shows level, message and the fields that matter', () => {
    const raw = JSON.stringify({ level: 'warn', time: '2026-12-01T00:00:00.000Z', service: 'shard', pid: 7, shard: 'notes', replica: 'h-7', source: 'photo.txt', reason: 'binary: it holds NUL bytes', msg: 'source skipped' });
    assert.equal(renderChildLine(raw), 'warn: source skipped (source=photo.txt, reason=binary: it holds NUL bytes)');
  });

  test('When a child logs an error object, then its message is shown', () => {
    assert.equal(renderChildLine(JSON.stringify({ level: 'error', err: { type: 'Error', message: 'boom', stack: 'x' }, msg: 'job failed' })), 'error: job failed (error="boom")');
  });

  test('When a line is not JSON, then it is shown as printed', () => {
    assert.equal(renderChildLine('memfleet shard: configuration error: X'), 'memfleet shard: configuration error: X');
    assert.equal(renderChildLine('{not json'), '{not json');
  });
});
