// What the results page and the broadcast view share: the poll's title, and its frames over the WebSocket with a
// jittered reconnect. window.LandslideLive.watch(pollId, {frame, open, lost, title}).
(function () {
  'use strict';
  function watch(id, on) {
    fetch(`/api/v1/polls/${id}`).then(r => r.json()).then(p => { if (p.title && on.title) on.title(p.title); })
      .catch(() => { /* the counts still show */ });
    (function connect(delay) {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/polls/${id}/live`);
      ws.onopen = () => { delay = 500; if (on.open) on.open(); };
      ws.onmessage = e => on.frame(JSON.parse(e.data));
      ws.onclose = () => {
        if (on.lost) on.lost();
        setTimeout(() => connect(Math.min(delay * 2, 10000)), delay + Math.random() * delay);  // jittered backoff
      };
    }(500));
  }
  window.LandslideLive = {watch: watch};
}());
