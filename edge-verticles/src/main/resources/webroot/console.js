// The operator console: every action goes through the public API (docs/openapi.yaml) with the admin's token, and the
// edge records each with who and when. The token is kept in this tab's sessionStorage only, never in a URL.
'use strict';

const TOKEN_KEY = 'landslide.console.token';
const $ = (id) => document.getElementById(id);
const state = { token: null, expires: 0, polls: [], selected: null, panelTimer: 0, listTimer: 0, pendingConfirm: null };

function say(text, error) {
  const m = $('message');
  m.textContent = text || '';
  m.className = error ? 'error' : 'muted';
}

// ---- the session -------------------------------------------------------------------------------------------------

function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part + '==='.slice((part.length + 3) % 4)));
  } catch (e) {
    return null;
  }
}

function useToken(token) {
  const claims = claimsOf(token);
  if (!claims || !Array.isArray(claims.roles) || !claims.roles.includes('admin')) {
    say('That is not an admin token.', true);
    return false;
  }
  state.token = token;
  state.expires = (claims.exp || 0) * 1000;
  sessionStorage.setItem(TOKEN_KEY, token);
  $('who-text').textContent = 'Signed in as admin ' + claims.sub + (state.expires ? ', until ' + new Date(state.expires).toLocaleTimeString() : '');
  $('who').hidden = false;
  $('signin').hidden = true;
  $('room').hidden = false;
  document.body.dataset.signedIn = 'true';
  loadPolls();
  clearInterval(state.listTimer);
  state.listTimer = setInterval(() => { if (Date.now() >= state.expires) signOut('Your session ended: sign in again.'); else loadPolls(); }, 5000);
  return true;
}

function signOut(why) {
  state.token = null;
  sessionStorage.removeItem(TOKEN_KEY);
  clearInterval(state.listTimer);
  clearInterval(state.panelTimer);
  state.selected = null;
  $('who').hidden = true;
  $('room').hidden = true;
  $('signin').hidden = false;
  document.body.dataset.signedIn = 'false';
  say(why || 'Signed out.', !!why);
}

async function api(method, path, body) {
  if (!state.token) throw new Error('Not signed in.');
  const init = { method, headers: { Authorization: 'Bearer ' + state.token } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401) {
    signOut('Your session ended or the token was refused: sign in again.');
    throw new Error('unauthorized');
  }
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (!res.ok) {
    const err = new Error(json && json.message ? json.message : res.status + ' ' + res.statusText);
    err.code = json && json.error;
    err.status = res.status;
    throw err;
  }
  return json;
}

$('signin-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  say('Signing in…');
  try {
    const res = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: $('email').value, password: $('password').value }) });
    const json = await res.json().catch(() => ({}));
    $('password').value = '';
    if (!res.ok) { say(json.message || 'Sign-in refused.', true); return; }
    if (useToken(json.token)) say('Signed in.');
  } catch (err) {
    say('Sign-in failed: ' + err.message, true);
  }
});

$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const t = $('token').value.trim();
  $('token').value = '';
  if (useToken(t)) say('Signed in with a token.');
});

$('signout').addEventListener('click', () => signOut());

// ---- times -------------------------------------------------------------------------------------------------------

function pad(n) { return String(n).padStart(2, '0'); }

function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}

function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

function shown(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

// ---- polls -------------------------------------------------------------------------------------------------------

async function loadPolls() {
  try {
    state.polls = await api('GET', '/api/v1/polls');
  } catch (err) {
    if (err.message !== 'unauthorized') say('Could not load the polls: ' + err.message, true);
    return;
  }
  const body = $('polls');
  body.replaceChildren();
  // What is on tonight first: open, then scheduled, then the closed ones; the latest first within each.
  const rank = { open: 0, scheduled: 1, closed: 2 };
  for (const p of state.polls.slice().sort((a, b) => (rank[a.status] - rank[b.status]) || (b.id - a.id))) {
    const tr = document.createElement('tr');
    tr.dataset.poll = p.id;
    if (state.selected === p.id) tr.className = 'selected';
    const id = document.createElement('td');
    id.textContent = p.id;
    const title = document.createElement('td');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'select';
    b.textContent = p.title;
    b.setAttribute('aria-label', 'Select poll ' + p.id + ': ' + p.title);
    b.addEventListener('click', () => select(p.id));
    title.appendChild(b);
    const st = document.createElement('td');
    st.appendChild(statusBadge(p.status));
    tr.append(id, title, st);
    body.appendChild(tr);
  }
}

function statusBadge(status) {
  const s = document.createElement('span');
  s.className = 'status ' + status;
  s.textContent = status;
  return s;
}

function formValues() {
  const options = $('f-options').value.split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
  const body = { title: $('f-title').value.trim(), options };
  const opens = fromLocalInput($('f-opens').value);
  const closes = fromLocalInput($('f-closes').value);
  if (opens) body.opensAt = opens;
  body.closesAt = closes;
  if ($('f-pow').value !== '') body.powDifficulty = Number($('f-pow').value);
  body.eligibility = { verified: $('f-verified').checked, accountBeforeOpening: $('f-before').checked };
  body.hideResults = $('f-hide').checked;
  return body;
}

/** @return the fields of the form that differ from the poll's: an edit sends, and records, only what changed */
function changed(poll, body) {
  const out = {};
  const same = (a, b) => (a ? new Date(a).getTime() : null) === (b ? new Date(b).getTime() : null);
  if (body.title !== poll.title) out.title = body.title;
  if (JSON.stringify(body.options) !== JSON.stringify(poll.options.map((o) => o.label))) out.options = body.options;
  if (body.opensAt && !same(body.opensAt, poll.opensAt)) out.opensAt = body.opensAt;
  if (!same(body.closesAt, poll.closesAt)) out.closesAt = body.closesAt;
  if (body.powDifficulty !== undefined) out.powDifficulty = body.powDifficulty;
  const el = poll.eligibility || { verified: false, accountBeforeOpening: false };
  if (body.eligibility.verified !== !!el.verified || body.eligibility.accountBeforeOpening !== !!el.accountBeforeOpening) out.eligibility = body.eligibility;
  if (body.hideResults !== !!poll.hidden) out.hideResults = body.hideResults;
  return out;
}

function resetForm() {
  const f = $('poll-form');
  f.reset();
  f.dataset.mode = 'create';
  $('form-h').textContent = 'New poll';
  $('f-submit').textContent = 'Create poll';
  $('f-cancel').hidden = true;
}

$('new-poll').addEventListener('click', () => { resetForm(); $('f-title').focus(); });
$('f-cancel').addEventListener('click', resetForm);
$('refresh').addEventListener('click', loadPolls);

$('poll-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = $('poll-form');
  const body = formValues();
  try {
    if (f.dataset.mode === 'edit') {
      const changes = changed(state.poll, body);
      if (Object.keys(changes).length === 0) { say('Nothing changed.'); return; }
      const p = await api('PATCH', '/api/v1/polls/' + state.selected, changes);
      say('Poll ' + p.id + ' saved.');
      resetForm();
      await loadPolls();
      await select(p.id);
    } else {
      if (body.closesAt === null) delete body.closesAt;
      const p = await api('POST', '/api/v1/polls', body);
      say('Poll ' + p.id + ' created: ' + p.status + '.');
      resetForm();
      await loadPolls();
      await select(p.id);
    }
  } catch (err) {
    if (err.message !== 'unauthorized') say(err.message, true);
  }
});

// ---- the selected poll -------------------------------------------------------------------------------------------

async function select(id) {
  state.selected = id;
  for (const tr of $('polls').children) tr.className = Number(tr.dataset.poll) === id ? 'selected' : '';
  $('flags').replaceChildren();
  await refreshDetail();
  clearInterval(state.panelTimer);
  refreshPanel();
  state.panelTimer = setInterval(refreshPanel, 1000);
  refreshActions();
}

async function refreshDetail() {
  let p;
  try {
    p = await api('GET', '/api/v1/polls/' + state.selected);
  } catch (err) {
    if (err.message !== 'unauthorized') say(err.message, true);
    return;
  }
  state.poll = p;
  $('detail').hidden = false;
  $('live').hidden = false;
  $('flags-section').hidden = false;
  $('actions-section').hidden = false;
  $('d-id').textContent = p.id;
  $('d-title').textContent = p.title;
  $('d-status').textContent = p.status;
  $('d-status').className = 'status ' + p.status;
  $('d-opens').textContent = shown(p.opensAt);
  $('d-closes').textContent = p.closesAt ? shown(p.closesAt) : 'when closed';
  $('d-hidden').hidden = !p.hidden;
  $('detail').dataset.status = p.status;
  $('detail').dataset.hidden = String(!!p.hidden);
  $('open-now').disabled = p.status !== 'scheduled';
  $('close-now').disabled = p.status === 'closed';
  $('extend').disabled = p.status === 'closed';
  $('reveal').disabled = !p.hidden;
  $('edit').disabled = p.status !== 'scheduled';
  $('broadcast-link').href = '/polls/' + p.id + '/broadcast';
  $('results-link').href = '/polls/' + p.id;
}

function number(v, digits) {
  if (v === null || v === undefined) return '–';
  return Number(v).toLocaleString(undefined, { maximumFractionDigits: digits === undefined ? 1 : digits });
}

async function refreshPanel() {
  if (!state.selected) return;
  let p;
  try {
    p = await api('GET', '/api/v1/admin/polls/' + state.selected + '/panel');
  } catch (err) {
    if (err.message !== 'unauthorized') $('p-asof').textContent = '(not updating: ' + err.message + ')';
    return;
  }
  if (p.poll.id !== state.selected) return;
  $('p-asof').textContent = 'as of ' + new Date(p.asOf).toLocaleTimeString();
  $('p-total').textContent = number(p.results.total, 0);
  $('p-accepted').textContent = number(p.votesPerSecond.accepted);
  const refused = p.votesPerSecond.refused || {};
  let refusedTotal = 0;
  const rows = $('p-refused');
  rows.replaceChildren();
  for (const [code, rate] of Object.entries(refused)) {
    refusedTotal += rate;
    const tr = document.createElement('tr');
    const c = document.createElement('td');
    c.innerHTML = '<code></code>';
    c.firstChild.textContent = code;
    const r = document.createElement('td');
    r.textContent = number(rate);
    tr.append(c, r);
    rows.appendChild(tr);
  }
  $('p-refused-total').textContent = number(refusedTotal);
  $('p-flagged').textContent = number(p.votesPerSecond.flagged);
  $('p-spectators').textContent = number(p.spectators, 0);
  const v = p.voteToScreen;
  $('p-v2s').textContent = v.p99Seconds === null ? '–' : number(v.p99Seconds * 1000, 0) + ' ms';
  $('p-v2s-p50').textContent = v.p50Seconds === null ? '–' : number(v.p50Seconds * 1000, 0) + ' ms';
  $('p-v2s-tile').classList.toggle('alert', v.p99Seconds !== null && v.p99Seconds > 1);
  $('p-lag').textContent = number(p.writerLag.records, 0);
  $('p-oldest').textContent = number(p.writerLag.oldestVoteAgeSeconds);
  $('p-lag-tile').classList.toggle('alert', p.writerLag.oldestVoteAgeSeconds > 5);
  $('p-edges').textContent = p.edges;
  $('p-writers').textContent = p.writers;
  const counts = $('p-counts');
  counts.replaceChildren();
  for (const o of p.results.options) {
    const tr = document.createElement('tr');
    tr.dataset.option = o.id;
    const l = document.createElement('td');
    l.textContent = o.label;
    const n = document.createElement('td');
    n.className = 'count';
    n.textContent = number(o.count, 0);
    tr.append(l, n);
    counts.appendChild(tr);
  }
  if (p.poll.status !== (state.poll && state.poll.status)) refreshDetail(); // the clock opened or closed it
}

async function refreshActions() {
  if (!state.selected) return;
  let json;
  try {
    json = await api('GET', '/api/v1/admin/polls/' + state.selected + '/actions');
  } catch (err) {
    return;
  }
  const body = $('actions');
  body.replaceChildren();
  for (const a of json.actions.slice().reverse()) {
    const tr = document.createElement('tr');
    tr.dataset.action = a.action;
    const when = document.createElement('td');
    when.textContent = new Date(a.at).toLocaleString();
    const who = document.createElement('td');
    who.textContent = a.actor;
    const what = document.createElement('td');
    what.textContent = a.action + (a.details && Object.keys(a.details).length ? ' ' + JSON.stringify(a.details) : '');
    tr.append(when, who, what);
    body.appendChild(tr);
  }
}

// ---- actions -----------------------------------------------------------------------------------------------------

function confirmThen(text, action) {
  const d = $('confirm');
  $('confirm-text').textContent = text;
  state.pendingConfirm = action;
  d.showModal();
  $('confirm-no').focus();
}

$('confirm-yes').addEventListener('click', () => {
  const action = state.pendingConfirm;
  state.pendingConfirm = null;
  $('confirm').close();
  if (action) action();
});
$('confirm-no').addEventListener('click', () => { state.pendingConfirm = null; $('confirm').close(); });

async function act(what, method, path, body) {
  try {
    await api(method, path, body);
    say(what + ': done.');
  } catch (err) {
    if (err.message !== 'unauthorized') say(what + ': ' + err.message, true);
  }
  await refreshDetail();
  await loadPolls();
  refreshActions();
  refreshPanel();
}

$('open-now').addEventListener('click', () => confirmThen('Open poll ' + state.selected + ' to votes now?',
  () => act('Opened', 'POST', '/api/v1/polls/' + state.selected + '/open')));
$('close-now').addEventListener('click', () => confirmThen('Close poll ' + state.selected + ' now? A close is final: no vote after it is counted.',
  () => act('Closed', 'POST', '/api/v1/polls/' + state.selected + '/close')));
$('reveal').addEventListener('click', () => confirmThen('Reveal the results of poll ' + state.selected + ' to everyone watching?',
  () => act('Revealed', 'POST', '/api/v1/polls/' + state.selected + '/reveal')));
$('extend').addEventListener('click', () => {
  const at = fromLocalInput($('extend-at').value);
  if (!at) { say('Choose the new closing time first.', true); $('extend-at').focus(); return; }
  act('Extended', 'POST', '/api/v1/polls/' + state.selected + '/extend', { closesAt: at });
});
$('rebuild').addEventListener('click', () => confirmThen('Rebuild the bitmap of poll ' + state.selected + ' from PostgreSQL?',
  () => act('Bitmap rebuilt', 'POST', '/api/v1/polls/' + state.selected + '/bitmap/rebuild')));

$('edit').addEventListener('click', () => {
  const p = state.poll;
  if (!p) return;
  const f = $('poll-form');
  f.dataset.mode = 'edit';
  $('form-h').textContent = 'Edit poll ' + p.id;
  $('f-submit').textContent = 'Save changes';
  $('f-cancel').hidden = false;
  $('f-title').value = p.title;
  $('f-options').value = p.options.map((o) => o.label).join('\n');
  $('f-opens').value = toLocalInput(p.opensAt);
  $('f-closes').value = toLocalInput(p.closesAt);
  $('f-verified').checked = !!(p.eligibility && p.eligibility.verified);
  $('f-before').checked = !!(p.eligibility && p.eligibility.accountBeforeOpening);
  $('f-hide').checked = !!p.hidden;
  // The poll's JSON does not carry its difficulty (voters learn it from the challenge): empty means unchanged, never a
  // value left from another poll's form.
  $('f-pow').value = '';
  $('f-title').focus();
});

$('export').addEventListener('click', async () => {
  say('Exporting…');
  try {
    const res = await fetch('/api/v1/admin/polls/' + state.selected + '/audit/bundle', { headers: { Authorization: 'Bearer ' + state.token } });
    if (!res.ok) { say('Export: ' + res.status + ' ' + res.statusText, true); return; }
    const blob = await res.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'poll-' + state.selected + '-audit.tar';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    say('Exported the audit bundle of poll ' + state.selected + '.');
    refreshActions();
  } catch (err) {
    say('Export failed: ' + err.message, true);
  }
});

$('flags-load').addEventListener('click', async () => {
  let json;
  try {
    json = await api('GET', '/api/v1/polls/' + state.selected + '/flags');
  } catch (err) {
    if (err.message !== 'unauthorized') say(err.message, true);
    return;
  }
  $('flags-summary').textContent = json.flagged + ' flagged votes (abuse score at or over ' + json.threshold + '), counted like any vote. The 100 highest-scored:';
  const body = $('flags');
  body.replaceChildren();
  for (const v of json.votes) {
    const tr = document.createElement('tr');
    for (const cell of [v.user, v.option, v.score, new Date(v.acceptedAt).toLocaleString(), v.address || '']) {
      const td = document.createElement('td');
      td.textContent = cell;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
});

// ---- start -------------------------------------------------------------------------------------------------------

const kept = sessionStorage.getItem(TOKEN_KEY);
if (kept && (claimsOf(kept) || {}).exp * 1000 > Date.now()) useToken(kept);
else document.body.dataset.signedIn = 'false';
