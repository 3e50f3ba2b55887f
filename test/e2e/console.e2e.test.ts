/**
 * The web console in a real browser (Debian's headless Chromium through
 * playwright-core) against a live fixture fleet behind an API token: the page
 * asks for the token, a question typed and submitted with the keyboard gets
 * cited answers, a citation opens on the cited lines with their context, and
 * the Queues link reaches bull-board. Saves a screenshot (see SCREENSHOT).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FIXTURE_CONTEXTS, REPO_ROOT } from '../helpers/fleet-processes.js';
import { startFixtureFleet, type FixtureFleet } from '../helpers/fixture-fleet.js';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'console-e2e-test-token-0123456789ab';
// Tests write under test-results/ (git-ignored); UPDATE_SCREENSHOT=1 refreshes the README's docs/console.png.
const SCREENSHOT = process.env.UPDATE_SCREENSHOT === '1' ? join(REPO_ROOT, 'docs', 'console.png') : join(REPO_ROOT, 'test-results', 'console.png');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's chromium (the only browser this machine can get): installed with apt when missing and we are root. */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (sudo apt-get install chromium) to run the console test.`);
  }
  const apt = { stdio: 'inherit' as const, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  execFileSync('apt-get', ['update', '-qq'], apt);
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], apt);
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is still missing.`);
}

describe('web console in headless Chromium', () => {
  let fleet: FixtureFleet;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  /** What Chromium refused under a Content-Security-Policy, as it reports it on the console. */
  const cspViolations: string[] = [];

  before(async () => {
    ensureChromium();
    fleet = await startFixtureFleet({ coordinatorEnv: { MEMFLEET_API_TOKEN: TOKEN }, token: TOKEN });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 820 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    await page.goto(`${fleet.coordinator.url}/`);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await fleet?.stop();
  });

  test('When the API needs a token and none is saved, then the page asks for it, and the fleet shows once it is given', async () => {
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await dialog.waitFor({ state: 'visible' });
    assert.match(await page.locator('#token-reason').textContent() ?? '', /needs an API token/);
    await page.getByLabel('Token', { exact: true }).fill(TOKEN);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('#fleet tr').nth(2).waitFor();
    const domains = await page.locator('#fleet th[scope=row]').allTextContents();
    assert.deepEqual(domains, ['harbor', 'kitchen', 'observatory']);
    assert.match(await page.locator('#fleet tr').first().textContent() ?? '', /up/);
  });

  test('When the page is inspected, then every control has a label, the results region is aria-live, and Tab reaches the question then Ask', async () => {
    // String expressions: the page's DOM types are not part of this Node project's typecheck.
    const unlabelled = await page.evaluate<string[]>(`
      Array.from(document.querySelectorAll('input, select, textarea'))
        .filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
        .map((e) => e.id || e.outerHTML)`);
    assert.deepEqual(unlabelled, []);
    assert.equal(await page.locator('#results').getAttribute('aria-live'), 'polite');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');

    // A fresh load starts keyboard navigation at the top; the token stays in sessionStorage.
    await page.reload();
    await page.locator('#fleet tr').nth(2).waitFor();
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate<string>("document.activeElement.id || (document.activeElement.tagName === 'A' ? document.activeElement.textContent.trim() : document.activeElement.tagName)"));
    }
    assert.deepEqual(order, ['Skip to the question', 'queues-link', 'token-button', 'question', 'ask-button']);
  });

  test('When a question is typed and submitted with Enter, then the merged answer, its citations and each shard\'s status appear', async () => {
    await page.getByLabel('Question').fill('Who is the captain of the schooner Albatross?');
    await page.getByLabel('Question').press('Enter');
    await page.locator('.citation').first().waitFor();
    assert.match(await page.locator('#answer').textContent() ?? '', /Ilse Varga/);
    assert.match(await page.locator('.citation .cite-head').first().textContent() ?? '', /harbor\s*ships\.txt:\d+/);
    const shardRows = await page.locator('#query-shards tr').allTextContents();
    assert.equal(shardRows.length, 3);
    assert.ok(shardRows.every((r) => /ok/.test(r)), shardRows.join(' | '));
    assert.match(await page.locator('#status-line').textContent() ?? '', /3\/3 shards answered/);
  });

  test('When a citation is opened with the keyboard, then the cited lines show highlighted among their neighbours, read from the shard', async () => {
    const open = page.locator('.open-citation').first();
    const label = (await open.textContent()) ?? '';
    const m = /harbor\/ships\.txt:(\d+)(?:-(\d+))?/.exec(label);
    assert.ok(m, label);
    const line = Number(m[1]);
    const endLine = Number(m[2] ?? m[1]);
    await open.focus();
    await page.keyboard.press('Enter');
    await page.locator('.source-lines li').first().waitFor();
    assert.equal(await open.getAttribute('aria-expanded'), 'true');

    const file = readFileSync(join(FIXTURE_CONTEXTS, 'harbor', 'ships.txt'), 'utf8').split('\n');
    const items = page.locator('.source-lines li');
    const numbers = await items.evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('value'))));
    assert.ok(numbers[0]! < line && numbers.at(-1)! > endLine, `context ${numbers[0]}-${numbers.at(-1)} surrounds ${line}-${endLine}`);
    const cited = await page.locator('.source-lines li.cited').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('value'))));
    assert.deepEqual(cited, Array.from({ length: endLine - line + 1 }, (_, i) => line + i));
    const texts = await items.allTextContents();
    numbers.forEach((n, i) => assert.equal(texts[i]!.replace(/^cited: /, '').replace(/\u00a0/, ''), file[n - 1], `line ${n}`));

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.locator('#fleet td.num', { hasText: /ms/ }).first().waitFor();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(statSync(SCREENSHOT).size > 10_000, 'screenshot written');
    assert.deepEqual(pageErrors, []);
  });

  test('When a note is added in the console, then the next question cites it and opening the citation shows its lines', async () => {
    await page.getByLabel('Domain').selectOption('kitchen');
    await page.getByLabel('Name').fill('notes/oven.md');
    await page.getByLabel('Text').fill('The bakery oven must be preheated to two hundred and thirty degrees for the rye loaves.\n');
    await page.getByRole('button', { name: 'Save note' }).click();
    await page.locator('#note-status', { hasText: 'Saved kitchen/notes/oven.md' }).waitFor();
    assert.match(await page.locator('#note-status').textContent() ?? '', /1 line, version \d+/);

    await page.getByLabel('Question').fill('How hot must the bakery oven be for the rye loaves?');
    await page.getByLabel('Question').press('Enter');
    await page.locator('.citation .cite-head', { hasText: 'notes/oven.md:1' }).first().waitFor();
    const item = page.locator('.citation', { hasText: 'notes/oven.md:1' }).first();
    await item.locator('.open-citation').click();
    await item.locator('.source-lines').waitFor();
    assert.match(await item.locator('.source-lines').textContent() ?? '', /two hundred and thirty degrees/);

    await page.getByLabel('Name').fill('cargo.md');
    await page.getByLabel('Domain').selectOption('harbor');
    await page.getByRole('button', { name: 'Save note' }).click();
    await page.locator('#note-status', { hasText: 'Not saved' }).waitFor();
    assert.match(await page.locator('#note-status').textContent() ?? '', /read-only/);
  });

  test('When the Queues link is followed, then bull-board opens with the session the token bought, renders under its CSP, and is read-only', async (t) => {
    const violationsBefore = cspViolations.length;
    const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/admin/queues' || new URL(r.url()).pathname === '/admin/queues/');
    await page.locator('#queues-link').click();
    await page.waitForURL(/\/admin\/queues/);
    const headers = (await response).headers();
    assert.match(headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    await page.getByText('shard.harbor').first().waitFor();
    // The policy refuses only bull-board's Google Fonts stylesheet (it falls back to local fonts); its own code all runs.
    t.diagnostic(`CSP refusals on the dashboard: ${JSON.stringify(cspViolations.slice(violationsBefore).map((v) => v.slice(0, 120)))}`);
    const refused = cspViolations.slice(violationsBefore).filter((v) => !v.includes('https://fonts.googleapis.com'));
    assert.deepEqual(refused, []);
    assert.deepEqual(pageErrors, []);
    const api = await page.evaluate<unknown>("fetch('/admin/queues/api/queues').then((r) => r.json())");
    const queues = (api as { queues: { name: string; readOnlyMode: boolean }[] }).queues;
    assert.deepEqual(queues.map((q) => q.name).sort(), ['shard.harbor', 'shard.kitchen', 'shard.observatory']);
    assert.ok(queues.every((q) => q.readOnlyMode));
    const anonymous = await fetch(`${fleet.coordinator.url}/admin/queues/api/queues`);
    assert.equal(anonymous.status, 401, 'without the cookie or the token the dashboard is closed');
  });

  test('When the token is forgotten in the console, then the dashboard session it bought ends too', async () => {
    await page.goto(`${fleet.coordinator.url}/`);
    assert.equal(await page.evaluate<number>("fetch('/admin/queues/api/queues').then((r) => r.status)"), 200, 'the session cookie still opens the dashboard');
    await page.locator('#token-button').click();
    const ended = page.waitForResponse((r) => new URL(r.url()).pathname === '/admin/session' && r.request().method() === 'DELETE');
    await page.getByRole('button', { name: 'Forget' }).click();
    assert.equal((await ended).status(), 204);
    assert.equal(await page.evaluate<number>("fetch('/admin/queues/api/queues').then((r) => r.status)"), 401);
  });
});
