// memfleet web console: plain JavaScript, no build step. It calls the same /v1
// API as every client. Text from documents is only ever set with textContent,
// so nothing a source file holds can run as code here.

const TOKEN_KEY = 'memfleet.token';
const CONTEXT_LINES = 3;
const FLEET_REFRESH_MS = 5000;

const $ = (id) => document.getElementById(id);
const els = {
  banner: $('banner'),
  form: $('ask-form'),
  question: $('question'),
  askButton: $('ask-button'),
  mode: $('mode'),
  topK: $('top-k'),
  shardChoices: $('shard-choices'),
  shardChoicesEmpty: $('shard-choices-empty'),
  results: $('results'),
  statusLine: $('status-line'),
  answer: $('answer'),
  citationsBlock: $('citations-block'),
  citations: $('citations'),
  queryShardsBlock: $('query-shards-block'),
  queryShards: $('query-shards'),
  fleet: $('fleet'),
  fleetUpdated: $('fleet-updated'),
  tokenButton: $('token-button'),
  tokenDialog: $('token-dialog'),
  tokenForm: $('token-form'),
  tokenInput: $('token'),
  tokenReason: $('token-reason'),
  queuesLink: $('queues-link'),
  noteForm: $('note-form'),
  noteShard: $('note-shard'),
  noteSource: $('note-source'),
  noteTtl: $('note-ttl'),
  noteText: $('note-text'),
  noteButton: $('note-button'),
  noteStatus: $('note-status'),
};

// ---------- API ----------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

async function api(path, options = {}) {
  const headers = { accept: 'application/json', ...(options.headers || {}) };
  if (token()) headers.authorization = `Bearer ${token()}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method: options.method || 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch (err) {
    throw new ApiError(0, 'network', `The coordinator did not answer (${err.message}). Is it still running?`);
  }
  if (res.status === 204) return undefined;
  let json;
  try {
    json = await res.json();
  } catch {
    throw new ApiError(res.status, 'bad_response', `The coordinator answered ${res.status} with a body that is not JSON.`);
  }
  if (!res.ok) {
    const e = (json && json.error) || {};
    if (res.status === 401) needToken(token() ? 'The saved token was refused. Enter the coordinator\'s MEMFLEET_API_TOKEN.' : 'This coordinator needs an API token (MEMFLEET_API_TOKEN). Enter it to continue.');
    throw new ApiError(res.status, e.code || 'http_error', e.message || `HTTP ${res.status}`);
  }
  return json;
}

// ---------- token ----------

let tokenPromptShown = false;

function needToken(reason) {
  showBanner(`${reason} Use the “API token” button.`);
  if (tokenPromptShown || els.tokenDialog.open) return;
  tokenPromptShown = true;
  openTokenDialog(reason);
}

function openTokenDialog(reason) {
  if (reason) els.tokenReason.textContent = reason;
  els.tokenInput.value = token();
  els.tokenDialog.showModal();
  els.tokenInput.focus();
}

els.tokenButton.addEventListener('click', () => openTokenDialog());
els.tokenDialog.addEventListener('close', () => {
  const action = els.tokenDialog.returnValue;
  if (action === 'save') {
    const value = els.tokenInput.value.trim();
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } else if (action === 'clear') {
    sessionStorage.removeItem(TOKEN_KEY);
    // Forgetting the token also ends the queue-dashboard session it bought, server-side.
    void fetch('/admin/session', { method: 'DELETE' }).catch(() => undefined);
  }
  if (action === 'save' || action === 'clear') {
    tokenPromptShown = false;
    hideBanner();
    void refreshFleet();
  }
  els.question.focus();
});

// ---------- helpers ----------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== undefined && c !== null) node.append(c);
  return node;
}

function cite(c) {
  return `${c.shard}/${c.source}:${c.line}${c.endLine > c.line ? `-${c.endLine}` : ''}`;
}

function ms(v) {
  if (v === null || v === undefined) return '–';
  return v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
}

function age(iso) {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
}

function showBanner(text) {
  els.banner.textContent = text;
  els.banner.hidden = false;
}

function hideBanner() {
  els.banner.hidden = true;
  els.banner.textContent = '';
}

// ---------- asking ----------

let asking = false;

els.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void ask();
});

function selectedShards() {
  return [...els.shardChoices.querySelectorAll('input[type=checkbox]:checked')].map((i) => i.value);
}

async function ask() {
  const question = els.question.value.trim();
  if (!question || asking) return;
  asking = true;
  els.askButton.disabled = true;
  els.results.setAttribute('aria-busy', 'true');
  els.statusLine.className = 'status-line waiting';
  const shards = selectedShards();
  els.statusLine.textContent = `Asking ${shards.length ? shards.join(', ') : 'every live shard'}…`;
  const body = { question, mode: els.mode.value, topK: Math.min(50, Math.max(1, Number(els.topK.value) || 5)) };
  if (shards.length) body.shards = shards;
  try {
    const res = await api('/v1/query', { method: 'POST', body });
    hideBanner();
    render(res);
    // The query just moved the shards' p50 and queue: show it now rather than at the next tick.
    void refreshFleet();
    const url = new URL(location.href);
    url.searchParams.set('q', question);
    history.replaceState(null, '', url);
  } catch (err) {
    els.statusLine.className = 'status-line error';
    els.statusLine.textContent = `Could not ask: ${err.message}`;
  } finally {
    asking = false;
    els.askButton.disabled = false;
    els.results.setAttribute('aria-busy', 'false');
  }
}

function render(res) {
  const ok = res.shards.filter((s) => s.status === 'ok').length;
  // Older coordinators sent no confidence: any citation then counts as high.
  const confidence = res.confidence || (res.citations.length ? 'high' : 'none');
  els.statusLine.className = confidence === 'high' ? 'status-line ok' : confidence === 'low' ? 'status-line weak' : 'status-line empty';
  els.statusLine.textContent = `${res.citations.length ? `${res.citations.length} citation${res.citations.length === 1 ? '' : 's'}` : 'Nothing found'} · confidence ${confidence} · ${ok}/${res.shards.length} shards answered · ${ms(res.latencyMs)}`;
  els.answer.replaceChildren(
    ...(confidence === 'low'
      ? [el('p', { class: 'confidence-note', text: 'Weak match: these are the closest passages in memory, but they only partly match the question. Check them before relying on the answer.' })]
      : []),
    el('p', { text: res.answer }),
  );

  els.citations.replaceChildren(...res.citations.map((c, i) => citationItem(c, i)));
  els.citationsBlock.hidden = res.citations.length === 0;

  els.queryShards.replaceChildren(
    ...res.shards.map((s) =>
      el('tr', {},
        el('th', { scope: 'row', text: s.shard }),
        el('td', {}, el('span', { class: `pill ${s.status}`, text: s.status })),
        el('td', { class: 'num', text: ms(s.latencyMs) }),
        el('td', { class: 'note', text: s.error || (s.replica ? `replica ${s.replica}` : '') }),
      ),
    ),
  );
  els.queryShardsBlock.hidden = res.shards.length === 0;
}

function citationItem(c, i) {
  const contextId = `context-${i + 1}`;
  const toggle = el('button', { type: 'button', class: 'open-citation', 'aria-expanded': 'false', 'aria-controls': contextId }, `Open ${cite(c)}`);
  const context = el('div', { id: contextId, class: 'context', hidden: true });
  toggle.addEventListener('click', () => void toggleContext(c, toggle, context));
  return el('li', { class: 'citation' },
    el('div', { class: 'cite-head' },
      el('span', { class: 'badge', text: c.shard }),
      el('code', { class: 'cite-ref', text: `${c.source}:${c.line}${c.endLine > c.line ? `-${c.endLine}` : ''}` }),
      el('span', { class: 'score', text: `score ${c.score.toFixed(2)}` }),
      el('span', { class: `confidence ${c.confidence || 'high'}`, text: `confidence ${c.confidence || 'high'}` }),
    ),
    el('blockquote', { class: 'cite-text', text: c.text }),
    toggle,
    context,
  );
}

async function toggleContext(c, toggle, context) {
  const open = toggle.getAttribute('aria-expanded') === 'true';
  if (open) {
    toggle.setAttribute('aria-expanded', 'false');
    context.hidden = true;
    return;
  }
  toggle.setAttribute('aria-expanded', 'true');
  context.hidden = false;
  if (context.dataset.loaded === 'yes') return;
  context.replaceChildren(el('p', { class: 'hint', text: 'Loading the source…' }));
  const from = Math.max(1, c.line - CONTEXT_LINES);
  const to = c.endLine + CONTEXT_LINES;
  const query = new URLSearchParams({ source: c.source, from: String(from), to: String(to) });
  try {
    const res = await api(`/v1/shards/${encodeURIComponent(c.shard)}/lines?${query}`);
    const list = el('ol', { class: 'source-lines', start: res.from, 'aria-label': `${c.shard}/${res.source}, lines ${res.from} to ${res.to} of ${res.totalLines}` },
      ...res.lines.map((l) => {
        const cited = l.line >= c.line && l.line <= c.endLine;
        return el('li', { class: cited ? 'cited' : undefined, value: l.line },
          cited ? el('span', { class: 'visually-hidden', text: 'cited: ' }) : null,
          l.text === '' ? '\u00a0' : l.text,
        );
      }),
    );
    context.replaceChildren(
      el('p', { class: 'context-head' }, el('code', { text: `${c.shard}/${res.source}` }), ` lines ${res.from}–${res.to} of ${res.totalLines}`),
      list,
    );
    context.dataset.loaded = 'yes';
  } catch (err) {
    context.replaceChildren(el('p', { class: 'error', text: `Could not read the source: ${err.message}` }));
  }
}

// ---------- fleet ----------

let knownShards = [];

async function refreshFleet() {
  let rows;
  try {
    rows = await api('/v1/shards');
  } catch (err) {
    els.fleetUpdated.textContent = `Fleet unavailable: ${err.message}`;
    return;
  }
  els.fleet.replaceChildren(
    ...(rows.length === 0
      ? [el('tr', {}, el('td', { colspan: '6', class: 'hint', text: 'No shard has registered yet.' }))]
      : rows.map((r) =>
          el('tr', {},
            el('th', { scope: 'row', text: r.shard }),
            el('td', {}, el('span', { class: `pill ${r.status === 'up' ? 'ok' : 'error'}`, text: r.status })),
            el('td', { class: 'num', text: String(r.replicas) }),
            el('td', { class: 'num', text: r.queue ? `${r.queue.waiting}${r.queue.active ? ` (+${r.queue.active})` : ''}` : '–' }),
            el('td', { class: 'num', text: ms(r.p50Ms) }),
            el('td', { text: age(r.lastSeen) }),
          ),
        )),
  );
  els.fleetUpdated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  updateShardChoices(rows.map((r) => r.shard));
}

function updateNoteShards(names) {
  const current = els.noteShard.value;
  els.noteShard.replaceChildren(...names.map((name) => el('option', { value: name, text: name })));
  if (names.includes(current)) els.noteShard.value = current;
}

// ---------- add a note (PUT /v1/shards/{shard}/sources/{source}) ----------

els.noteForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void saveNote();
});

async function saveNote() {
  const shard = els.noteShard.value;
  const source = els.noteSource.value.trim();
  const ttl = els.noteTtl.value.trim();
  if (!shard) {
    els.noteStatus.textContent = 'No domain to write to: start a shard first.';
    return;
  }
  els.noteButton.disabled = true;
  els.noteStatus.textContent = 'Saving…';
  try {
    const path = `/v1/shards/${encodeURIComponent(shard)}/sources/${source.split('/').map(encodeURIComponent).join('/')}${ttl ? `?ttl=${encodeURIComponent(ttl)}` : ''}`;
    const res = await api(path, { method: 'PUT', body: { text: els.noteText.value } });
    els.noteStatus.textContent = `Saved ${res.shard}/${res.source}: ${res.lines} ${res.lines === 1 ? 'line' : 'lines'}, version ${res.version}${res.expiresAt ? `, forgotten at ${new Date(res.expiresAt).toLocaleString()}` : ''}. Ask about it now.`;
  } catch (err) {
    els.noteStatus.textContent = `Not saved: ${err.message}`;
  } finally {
    els.noteButton.disabled = false;
  }
}

function updateShardChoices(names) {
  if (names.join(',') === knownShards.join(',')) return;
  updateNoteShards(names);
  const ticked = new Set(selectedShards());
  knownShards = names;
  els.shardChoicesEmpty.hidden = names.length > 0;
  els.shardChoicesEmpty.textContent = 'No shard has registered yet.';
  for (const old of els.shardChoices.querySelectorAll('.choice')) old.remove();
  for (const name of names) {
    const id = `shard-${name}`;
    els.shardChoices.append(
      el('div', { class: 'choice' },
        el('input', { type: 'checkbox', id, name: 'shards', value: name, checked: ticked.has(name) }),
        el('label', { for: id, text: name }),
      ),
    );
  }
}

// ---------- queue dashboard ----------

els.queuesLink.addEventListener('click', async (event) => {
  event.preventDefault();
  const headers = token() ? { authorization: `Bearer ${token()}` } : {};
  try {
    const res = await fetch('/admin/session', { method: 'POST', headers });
    if (res.ok) {
      location.href = els.queuesLink.getAttribute('href');
      return;
    }
    const json = await res.json().catch(() => ({}));
    const message = (json.error && json.error.message) || `HTTP ${res.status}`;
    if (res.status === 401) needToken('The queue dashboard needs the API token (MEMFLEET_API_TOKEN).');
    else showBanner(`Queue dashboard: ${message}`);
  } catch (err) {
    showBanner(`Queue dashboard: ${err.message}`);
  }
});

// ---------- start ----------

void refreshFleet();
setInterval(() => {
  if (!document.hidden) void refreshFleet();
}, FLEET_REFRESH_MS);

const initial = new URL(location.href).searchParams.get('q');
if (initial) {
  els.question.value = initial;
  void ask();
}
