  const id = location.pathname.split('/').filter(Boolean).pop();
  const $ = s => document.getElementById(s);
  $('vote-link').href = '/polls/' + id + '/vote';
  $('log-link').href = '/api/v1/polls/' + id + '/log/checkpoint';
  const esc = s => String(s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  let shown = -1, lastSpoken = 0, latest = null, speakTimer = null;

  // Screen readers: a spoken summary at most every 5 s, always ending on the latest results.
  function speak(r) {
    latest = r;
    if (speakTimer) return;
    speakTimer = setTimeout(() => {
      speakTimer = null;
      lastSpoken = Date.now();
      $('summary').textContent = latest.options.map(o => `${o.label}: ${o.count} votes`).join('; ') + (latest.final ? '. Final result.' : '.');
    }, Math.max(0, 5000 - (Date.now() - lastSpoken)));
  }

  function render(r) {
    if (r.hidden) {                          // the embargo: no count until the broadcaster reveals the results
      $('total').textContent = '—';
      $('final').textContent = r.final ? '· voting has closed' : '';
      $('options').innerHTML = r.options.map(o => `<li data-option="${o.id}"><div class="row"><span>${esc(o.label)}</span>
                <span class="count">hidden</span></div></li>`).join('');
      $('summary').textContent = 'The results are hidden until the broadcaster reveals them.';
      return;
    }
    if (r.total < shown) return;            // frames never go back; ignore a stale one
    shown = r.total;
    $('total').textContent = r.total.toLocaleString();
    $('final').textContent = r.final ? '· final result' : '';
    $('options').innerHTML = r.options.map(o => {
      const pct = r.total ? 100 * o.count / r.total : 0;
      return `<li data-option="${o.id}"><div class="row"><span>${esc(o.label)}</span>
                <span><span class="count">${o.count.toLocaleString()}</span> (${pct.toFixed(1)}%)</span></div>
              <div class="bar" role="progressbar" aria-label="${esc(o.label)}" aria-valuemin="0" aria-valuemax="100"
                   aria-valuenow="${pct.toFixed(1)}"><div class="fill" style="width:${pct}%"></div></div></li>`;
    }).join('');
    if (r.checkpoint) {  // the signed state these counts can be matched to (docs/audit.md)
      $('log').hidden = false;
      $('log-size').textContent = r.checkpoint.size.toLocaleString();
      $('log-root').textContent = r.checkpoint.root.slice(0, 12) + '…';
      $('log-root').title = r.checkpoint.root;
    }
    speak(r);
  }

  window.LandslideLive.watch(id, {
    frame: render,
    title: t => { $('title').textContent = t; document.title = `${t} · Landslide`; },
    open: () => { $('conn').textContent = 'live'; $('conn').classList.remove('down'); },
    lost: () => { $('conn').textContent = 'reconnecting…'; $('conn').classList.add('down'); }
  });
