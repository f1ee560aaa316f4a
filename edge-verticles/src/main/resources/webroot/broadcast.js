// The broadcast view: the same frames as the results page (WebSocket …/live), drawn for a studio screen.
(function () {
  'use strict';
  const id = location.pathname.split('/').filter(Boolean)[1];
  const $ = s => document.getElementById(s);
  const bg = new URLSearchParams(location.search).get('bg');
  if (bg === 'transparent' || bg === 'chroma') document.body.classList.add(bg);
  let shown = -1;
  let built = false;

  function build(options) {          // the rows once; a frame then only moves widths and figures (the bars animate)
    $('options').innerHTML = '';
    for (const o of options) {
      const li = document.createElement('li');
      li.dataset.option = o.id;
      li.innerHTML = '<span class="label"></span><div class="bar"><div class="fill"></div></div>'
        + '<span class="figure"><span class="count">0</span><small class="pct"></small></span>';
      li.querySelector('.label').textContent = o.label;
      $('options').appendChild(li);
    }
    built = true;
  }

  function render(r) {
    if (!built) build(r.options);
    const hidden = !!r.hidden;
    $('hidden').hidden = !hidden;
    $('options').hidden = hidden;
    if (hidden) { $('total').textContent = '—'; $('final').textContent = ''; return; }
    if (r.total < shown) return;      // frames never go back
    shown = r.total;
    const lead = Math.max(...r.options.map(o => o.count));
    for (const o of r.options) {
      const li = $('options').querySelector(`[data-option="${o.id}"]`);
      if (!li) continue;
      const pct = r.total ? 100 * o.count / r.total : 0;
      li.querySelector('.fill').style.width = pct + '%';
      li.querySelector('.count').textContent = o.count.toLocaleString();
      li.querySelector('.pct').textContent = pct.toFixed(1) + '%';
      li.classList.toggle('leader', r.total > 0 && o.count === lead);
    }
    $('total').textContent = r.total.toLocaleString();
    $('final').textContent = r.final ? '· final result' : '';
    if (r.checkpoint) {
      $('log').hidden = false;
      $('log-size').textContent = r.checkpoint.size.toLocaleString();
      $('log-root').textContent = r.checkpoint.root.slice(0, 12) + '…';
    }
  }

  window.LandslideLive.watch(id, {
    frame: render,
    title: t => { $('title').textContent = t; document.title = `${t} · broadcast`; },
    open: () => { document.body.dataset.live = 'true'; },
    lost: () => { document.body.dataset.live = 'false'; }
  });
}());
