// The voter page: sign up or log in, solve the poll's proof of work in a Web Worker while the voter chooses,
// vote, show the receipt, then the count moving live. Every answer of the API is shown in words, never a code.
// "Check my vote" proves, in this browser, that the vote is in the poll's signed log (docs/audit.md); with
// ?receipt=<hex> the page checks a receipt kept from earlier, without signing in.
const id = location.pathname.split('/').filter(Boolean)[1]; // /polls/{id}/vote
const $ = s => document.getElementById(s);
const params = new URLSearchParams(location.search);
const checking = params.has('receipt'); // the page only checks a kept receipt
let token = sessionStorage.getItem('landslide.token');
let poll = null;
let proof = null; // a Promise of the solved challenge, started as soon as the voter is known
let mine = null; // {receipt, option} of the vote just cast, known only to this page

function say(text, bad) {
  $('message').textContent = text;
  $('message').className = bad ? 'bad' : '';
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = 'Bearer ' + token;
  let r;
  try {
    r = await fetch('/api/v1' + path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (e) {
    return {status: 0, json: {message: 'The network is unreachable; try again.'}};
  }
  const json = await r.json().catch(() => ({}));
  return {status: r.status, json, retryAfter: r.headers.get('Retry-After')};
}

function subject() {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub;
  } catch (e) {
    return null;
  }
}

async function loadPoll() {
  const r = await api('GET', '/polls/' + id);
  if (r.status !== 200) {
    say(r.json.message || 'This poll could not be loaded.', true);
    return;
  }
  poll = r.json;
  $('title').textContent = poll.title;
  $('question').textContent = poll.title;
  document.title = poll.title + ' · Landslide';
  $('results').href = '/polls/' + id;
  radios($('choices'), 'option');
  radios($('kept-choices'), 'kept-option');
  if (checking) return;
  if (poll.status !== 'open') say(poll.status === 'closed' ? 'This poll is closed.' : 'This poll has not opened yet.', true);
}

function radios(into, name) {
  into.replaceChildren();
  for (const o of poll.options) {
    const label = document.createElement('label');
    label.className = 'choice';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = name;
    input.value = o.id;
    input.required = true;
    label.append(input, document.createTextNode(o.label));
    into.append(label);
  }
}

// Fetches a challenge and solves it off the main thread; resolves to the vote's "pow" (or null at difficulty 0).
function solveChallenge() {
  return api('GET', '/polls/' + id + '/challenge').then(r => {
    if (r.status !== 200) throw new Error(r.json.message || 'No challenge could be had.');
    const c = r.json;
    if (c.difficulty === 0) return null;
    return new Promise((resolve, reject) => {
      const worker = new Worker('/pow-worker.js');
      worker.onmessage = e => {
        worker.terminate();
        resolve({challenge: c.challenge, expires: c.expires, signature: c.signature, nonce: e.data.nonce});
      };
      worker.onerror = e => {
        worker.terminate();
        reject(new Error('The proof of work could not be computed here.'));
      };
      worker.postMessage({prefix: c.challenge + ':' + subject() + ':' + id + ':', difficulty: c.difficulty});
    });
  });
}

// A registration's proof of work, when the edge asks one (bound to the address); null when it asks none.
async function solveRegistration(email) {
  const r = await api('GET', '/auth/challenge?email=' + encodeURIComponent(email));
  if (r.status !== 200 || r.json.difficulty === 0) return null; // a bad address or a limit: the registration says why
  const c = r.json;
  say('Proving this is a person, not a script (a few seconds)…');
  const nonce = await new Promise((resolve, reject) => {
    const worker = new Worker('/pow-worker.js');
    worker.onmessage = e => { worker.terminate(); resolve(e.data.nonce); };
    worker.onerror = () => { worker.terminate(); reject(new Error('The proof of work could not be computed here.')); };
    worker.postMessage({prefix: c.challenge + ':' + c.sub + ':' + c.poll + ':', difficulty: c.difficulty});
  });
  return {challenge: c.challenge, expires: c.expires, signature: c.signature, nonce};
}

function showBallot() {
  $('account').hidden = true;
  $('ballot').hidden = false;
  proof = solveChallenge();
  proof.catch(() => {}); // reported when the vote needs it
  const first = document.querySelector('#choices input');
  if (first) first.focus();
}

async function signIn(create) {
  const email = $('email').value.trim();
  const password = $('password').value;
  $('login').disabled = $('register').disabled = true;
  try {
    if (create) {
      const body = {email, password};
      try {
        const pow = await solveRegistration(email);
        if (pow) body.pow = pow;
      } catch (e) {
        return say(e.message, true);
      }
      const r = await api('POST', '/auth/register', body);
      if (r.status !== 201 && r.status !== 409) return say(r.json.message || 'The account could not be created.', true);
    }
    const r = await api('POST', '/auth/login', {email, password});
    if (r.status !== 200) return say(r.status === 429 ? 'Too many attempts; wait a little.' : (r.json.message || 'Could not log in.'), true);
    token = r.json.token;
    sessionStorage.setItem('landslide.token', token);
    say('');
    showBallot();
  } finally {
    $('login').disabled = $('register').disabled = false;
  }
}

async function vote(option) {
  $('cast').disabled = true;
  say('Sending your vote…');
  try {
    for (let attempt = 1; attempt <= 2; attempt++) {
      let pow;
      try {
        pow = await proof;
      } catch (e) {
        return say(e.message, true);
      }
      const body = pow ? {option, pow} : {option};
      const r = await api('POST', '/polls/' + id + '/votes', body);
      if (r.status === 202) return done(r.json.receipt, option);
      if (r.status === 403 && attempt === 1) { // the challenge expired or the difficulty rose: solve a new one
        proof = solveChallenge();
        continue;
      }
      if (r.status === 401) {
        sessionStorage.removeItem('landslide.token');
        token = null;
        $('ballot').hidden = true;
        $('account').hidden = false;
        return say('Please log in again.', true);
      }
      const wait = r.retryAfter ? ' Try again in ' + r.retryAfter + ' s.' : '';
      return say((r.json.message || 'Your vote could not be sent.') + wait, true);
    }
  } finally {
    $('cast').disabled = false;
  }
}

function done(receipt, option) {
  mine = {receipt, option};
  $('ballot').hidden = true;
  $('done').hidden = false;
  $('receipt').textContent = receipt;
  say('Thank you: your vote was accepted.');
  const events = new EventSource('/api/v1/polls/' + id + '/events');
  events.onmessage = e => {
    $('count').textContent = JSON.parse(e.data).total;
  };
}

// ---- Checking a vote against the signed log, all of it computed here (WebCrypto) ----

const utf8 = new TextEncoder();
const EM_DASH = '\u2014 ';
const RETRIES = [300, 600, 1200, 2400, 4800]; // ms between asks while the vote is not in a signed checkpoint yet

function sayCheck(text, state) {
  $('check-status').textContent = text;
  $('check-status').className = state === 'verified' ? 'good' : ['failed', 'not-found', 'invalid'].includes(state) ? 'bad' : '';
  $('check-status').dataset.state = state;
}

function details(rows) {
  const list = $('check-details');
  list.replaceChildren();
  for (const [name, value, isCode] of rows) {
    const li = document.createElement('li');
    const v = document.createElement(isCode ? 'code' : 'span');
    v.textContent = value;
    li.append(document.createTextNode(name + ': '), v);
    list.append(li);
  }
  list.hidden = rows.length === 0;
}

function label(option) {
  const o = poll && poll.options.find(x => x.id === option);
  return o ? o.label : 'option ' + option;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function uint32(v) {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v);
  return b;
}

function fromHex(s) {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}

function toHex(b) {
  return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
}

/** @return the bytes of base64 text, or null when it is not base64 */
function fromBase64(s) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return null;
  try {
    return Uint8Array.from(atob(s), c => c.charCodeAt(0));
  } catch (e) {
    return null;
  }
}

function equal(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function sha256(...parts) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));
}

/** The log's leaf of a vote, from what the voter knows: RFC 9162 leaf hash of the 38-byte entry (docs/audit.md). */
async function leafOf(pollId, option, receipt) {
  const commitment = await sha256(utf8.encode('landslide/receipt/v1'), Uint8Array.of(0), uint32(pollId), fromHex(receipt));
  const entry = concat(Uint8Array.of(1), uint32(pollId), Uint8Array.of(option), commitment);
  return sha256(Uint8Array.of(0), entry);
}

/** RFC 9162, 2.1.3.2: whether the proof takes the leaf at index, in a tree of size leaves, to root. */
async function included(index, size, leaf, path, root) {
  if (index < 0 || index >= size) return false;
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await sha256(Uint8Array.of(1), r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

/** @return a signed note's text (up to and with the newline before the blank line), its checkpoint and its signatures */
function openCheckpoint(note) {
  const split = typeof note === 'string' ? note.lastIndexOf('\n\n') : -1;
  if (split < 0) return null;
  const text = note.slice(0, split + 1);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || !/^(0|[1-9][0-9]{0,15})$/.test(lines[1])) return null;
  const signatures = [];
  for (const line of note.slice(split + 2).split('\n')) {
    if (!line) continue;
    const m = line.startsWith(EM_DASH) ? /^(\S+) (\S+)$/.exec(line.slice(EM_DASH.length)) : null;
    const raw = m && fromBase64(m[2]);
    if (!raw || raw.length < 5) return null;
    signatures.push({name: m[1], keyId: toHex(raw.slice(0, 4)), signature: raw.slice(4)});
  }
  return {text, origin: lines[0], size: Number(lines[1]), root: lines[2], signatures};
}

/**
 * Checks the checkpoint's Ed25519 signature with the log's published key.
 *
 * @return {state: 'verified' | 'bad' | 'unchecked', text}
 */
async function signatureOf(cp) {
  let line;
  try {
    const r = await fetch('/api/v1/audit/key');
    if (r.status !== 200) return {state: 'unchecked', text: 'not checked: the log\'s key could not be had'};
    line = (await r.text()).trim();
  } catch (e) {
    return {state: 'unchecked', text: 'not checked: the network is unreachable'};
  }
  // <name>+<8 hex key ID>+<base64(0x01 || 32-byte Ed25519 public key)>; the base64 may hold '+' itself
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(line);
  const raw = m && fromBase64(m[3]);
  if (!raw || raw.length !== 33 || raw[0] !== 1) return {state: 'bad', text: 'the log\'s published key is not an Ed25519 key'};
  const [, name, keyId] = m;
  if (toHex((await sha256(utf8.encode(name), Uint8Array.of(0x0a), raw)).slice(0, 4)) !== keyId) {
    return {state: 'bad', text: 'the log\'s published key does not match its key ID'};
  }
  const sig = cp.signatures.find(s => s.name === name && s.keyId === keyId);
  if (!sig) return {state: 'bad', text: 'the checkpoint is not signed by the log\'s key ' + name + ' (' + keyId + ')'};
  let key;
  try {
    key = await crypto.subtle.importKey('raw', raw.slice(1), {name: 'Ed25519'}, false, ['verify']);
  } catch (e) {
    return {state: 'unchecked', text: 'not checked by this browser (it has no Ed25519)'};
  }
  let ok;
  try {
    ok = await crypto.subtle.verify({name: 'Ed25519'}, key, sig.signature, utf8.encode(cp.text));
  } catch (e) {
    return {state: 'unchecked', text: 'not checked by this browser (it has no Ed25519)'};
  }
  return ok ? {state: 'verified', text: 'verified with the log\'s key ' + name + ' (' + keyId + ')'}
    : {state: 'bad', text: 'the checkpoint\'s signature does not verify with the log\'s key ' + name + ' (' + keyId + ')'};
}

const pause = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Asks for the receipt's proof, again while the vote is counted but not yet in a signed checkpoint. */
async function fetchProof(receipt) {
  for (let attempt = 0; ; attempt++) {
    const r = await api('GET', '/polls/' + id + '/receipts/' + receipt);
    if (r.status !== 404 || r.json.error !== 'receipt_not_found' || attempt === RETRIES.length) return r;
    sayCheck('Your vote is not in the log yet, retrying…', 'retrying');
    await pause(RETRIES[attempt]);
  }
}

function fail(text) {
  sayCheck(text, 'failed');
}

/**
 * Checks, here, that the vote of this receipt is in the poll's signed log for this option: the leaf is computed
 * from the receipt, the option and the poll, never taken from the server.
 */
async function checkVote(receipt, option) {
  const status = $('check-status').dataset;
  status.signature = status.index = status.size = '';
  details([]);
  if (!/^[0-9a-f]{32}$/.test(receipt)) return sayCheck('A receipt is 32 characters, 0-9 and a-f.', 'invalid');
  if (!window.crypto || !crypto.subtle) return fail('This browser cannot check the log here: it needs a secure (https) page.');
  sayCheck('Checking your vote in the poll\'s signed log…', 'checking');
  const r = await fetchProof(receipt);
  if (r.status === 404 && r.json.error === 'receipt_not_found') {
    return sayCheck('This receipt is not in the poll\'s signed log: no counted vote of this poll has it. Check the '
      + 'receipt, or, if you voted only a moment ago, try again shortly.', 'not-found');
  }
  if (r.status !== 200) return fail(r.json.message || 'The log could not be asked; try again.');
  const p = r.json;
  const cp = openCheckpoint(p.checkpoint);
  if (!cp) return fail('Check failed: the log sent a checkpoint that is not a signed checkpoint.');
  if (cp.size !== p.size || cp.root !== p.root) return fail('Check failed: the signed checkpoint does not match the size and root sent with it.');
  const root = fromBase64(cp.root);
  const path = Array.isArray(p.proof) ? p.proof.map(fromBase64) : [null];
  if (!root || root.length !== 32 || path.some(h => !h || h.length !== 32) || !Number.isSafeInteger(p.index) || !Number.isSafeInteger(cp.size)) {
    return fail('Check failed: the log sent a malformed proof.');
  }
  if (p.option !== option) {
    return fail('Check failed: the log counts this receipt for ' + label(p.option) + ', not for ' + label(option) + ', the option you chose.');
  }
  const leaf = await leafOf(Number(id), option, receipt);
  if (!(await included(p.index, cp.size, leaf, path, root))) {
    return fail('Check failed: the inclusion proof does not verify; the log does not prove your vote for ' + label(option) + ' is in it.');
  }
  const sig = await signatureOf(cp);
  status.signature = sig.state;
  const rows = [['Entry', (p.index + 1).toLocaleString() + ' of ' + cp.size.toLocaleString() + ' (leaf index ' + p.index + ')'],
    ['Log', cp.origin, true], ['Root', cp.root, true], ['Signature', sig.text]];
  details(rows);
  status.index = p.index;
  status.size = cp.size;
  if (sig.state === 'bad') return fail('Check failed: ' + sig.text + '.');
  sayCheck('Your vote for ' + label(option) + ' is entry ' + (p.index + 1).toLocaleString() + ' of ' + cp.size.toLocaleString()
    + ' in the signed log (root ' + cp.root.slice(0, 12) + '…). '
    + (sig.state === 'verified' ? 'Signature verified.' : 'Signature ' + sig.text + '.'), 'verified');
}

async function runCheck(button, receipt, option) {
  button.disabled = true;
  try {
    await checkVote(receipt, option);
  } catch (e) {
    fail('The check could not be completed here: ' + e.message);
  } finally {
    button.disabled = false;
  }
}

$('verify').addEventListener('click', () => runCheck($('verify'), mine.receipt, mine.option));
$('check').addEventListener('submit', e => {
  e.preventDefault();
  const receipt = $('kept-receipt').value.replace(/[\s-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(receipt)) return sayCheck('A receipt is 32 characters, 0-9 and a-f.', 'invalid');
  const chosen = document.querySelector('#kept-choices input:checked');
  if (!chosen) return sayCheck('Choose the option you voted for.', 'invalid');
  runCheck($('verify-kept'), receipt, Number(chosen.value));
});

$('auth').addEventListener('submit', e => {
  e.preventDefault();
  signIn(false);
});
$('register').addEventListener('click', () => signIn(true));
$('vote').addEventListener('submit', e => {
  e.preventDefault();
  const chosen = document.querySelector('#choices input:checked');
  if (!chosen) return say('Choose an option first.', true);
  vote(Number(chosen.value));
});

if (checking) {
  $('account').hidden = true;
  $('kept').hidden = false;
  $('kept-receipt').value = params.get('receipt');
  $('vote-link').href = location.pathname;
}
loadPoll().then(() => {
  if (checking) {
    const first = params.get('receipt') && document.querySelector('#kept-choices input');
    (first || $('kept-receipt')).focus();
  } else if (token) {
    showBallot();
  }
});
