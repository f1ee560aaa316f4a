  const root = document.getElementById('polls');
  const esc = s => String(s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  async function refresh() {
    try {
      const polls = await (await fetch('/api/v1/polls')).json();
      const blocks = await Promise.all(polls.map(async p => {
        const r = await (await fetch(`/api/v1/polls/${p.id}/results`)).json();
        const rows = r.options.map(o => {
          const pct = r.total ? (100 * o.count / r.total) : 0;
          return `<div>${esc(o.label)}: <strong>${o.count}</strong> (${pct.toFixed(1)}%)</div>
                  <div class="bar" role="img" aria-label="${esc(o.label)} ${pct.toFixed(1)} percent"><div class="fill" style="width:${pct}%"></div></div>`;
        }).join('');
        return `<section class="poll" data-poll="${p.id}"><h2><a href="/polls/${p.id}">${esc(p.title)}</a></h2>
                <p class="meta">Poll ${p.id} · ${p.status} · <span class="total">${r.total}</span> votes${r.final ? ' · final' : ''}</p>${rows}</section>`;
      }));
      root.innerHTML = blocks.join('') || '<p>No polls yet.</p>';
    } catch (e) {
      root.setAttribute('data-error', String(e));
    }
  }
  refresh();
  setInterval(refresh, 1000);
