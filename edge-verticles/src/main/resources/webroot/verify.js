// The link's secret is in the fragment (#token=...): no request carries it until the button posts it, so a mail
// scanner that prefetches the link verifies nothing.
(function () {
  'use strict';
  const status = document.getElementById('status');
  const button = document.getElementById('confirm');
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  function say(text, kind) {
    status.textContent = text;
    status.className = kind || '';
  }
  if (!token) {
    button.disabled = true;
    say('This link has no token: open the link from the e-mail as it was sent.', 'bad');
    return;
  }
  button.addEventListener('click', async () => {
    button.disabled = true;
    say('Confirming…');
    try {
      const res = await fetch('/api/v1/auth/verify', {
        method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({token: token})
      });
      const body = await res.json();
      if (res.ok) {
        history.replaceState(null, '', location.pathname); // the spent secret leaves the address bar
        say('Your address is confirmed. Sign in again to vote in polls for verified accounts.', 'good');
      } else {
        say(body.message || 'This link could not be used.', 'bad');
        button.disabled = false;
      }
    } catch (e) {
      say('No answer from the server: try again in a moment.', 'bad');
      button.disabled = false;
    }
  });
}());
