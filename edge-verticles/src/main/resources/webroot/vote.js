// The voter page: sign up or log in, solve the poll's proof of work in a Web Worker while the voter chooses,
// vote, show the receipt, then the count moving live. Every answer of the API is shown in words, never a code.
const id = location.pathname.split('/').filter(Boolean)[1]; // /polls/{id}/vote
const $ = s => document.getElementById(s);
let token = sessionStorage.getItem('landslide.token');
let poll = null;
let proof = null; // a Promise of the solved challenge, started as soon as the voter is known

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
  const choices = $('choices');
  choices.replaceChildren();
  for (const o of poll.options) {
    const label = document.createElement('label');
    label.className = 'choice';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'option';
    input.value = o.id;
    input.required = true;
    label.append(input, document.createTextNode(o.label));
    choices.append(label);
  }
  if (poll.status !== 'open') say(poll.status === 'closed' ? 'This poll is closed.' : 'This poll has not opened yet.', true);
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
      const r = await api('POST', '/auth/register', {email, password});
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
      if (r.status === 202) return done(r.json.receipt);
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

function done(receipt) {
  $('ballot').hidden = true;
  $('done').hidden = false;
  $('receipt').textContent = receipt;
  say('Thank you: your vote was accepted.');
  const events = new EventSource('/api/v1/polls/' + id + '/events');
  events.onmessage = e => {
    $('count').textContent = JSON.parse(e.data).total;
  };
}

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

loadPoll().then(() => {
  if (token) showBallot();
});
