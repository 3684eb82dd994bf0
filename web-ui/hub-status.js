/* hub-status.js: the co-op hub's per-station status (GET /hub/v1/status with the status token,
 * kept for this tab only): last heard, last seq, how far the log is complete, the chain head
 * posted, gaps, quarantined events, alerts and the video relay's last poll.  Refreshed every
 * 10 s. */
'use strict';
(function () {
  var token = sessionStorage.getItem('pt-hub-status-token') || '';
  var body = document.querySelector('#stations tbody'), state = document.getElementById('state');
  function td(text, cls) { var c = document.createElement('td'); c.textContent = text; if (cls) c.className = cls; return c; }
  function row(s) {
    var tr = document.createElement('tr');
    tr.appendChild(td(s.name + ' (' + s.station + ')' + (s.revoked ? ' revoked' : '')));
    tr.appendChild(td(s.last_heard || 'never'));
    tr.appendChild(td(String(s.last_seq)));
    tr.appendChild(td(String(s.contiguous_seq), s.contiguous_seq < s.last_seq ? 'bad' : ''));
    tr.appendChild(td(s.head ? s.head.seq + ' ' + s.head.hash.slice(0, 12) : 'none'));
    tr.appendChild(td(s.gaps.map(function (g) { return g[0] === g[1] ? g[0] : g[0] + '-' + g[1]; }).join(', ') || 'none', s.gaps.length ? 'bad' : ''));
    tr.appendChild(td(String(s.quarantined), s.quarantined ? 'bad' : ''));
    var alerts = td(String(s.alerts), s.alerts ? 'bad' : '');
    if (s.recent_alerts.length) alerts.title = s.recent_alerts.map(function (a) { return a.created_at + ' ' + a.message; }).join('\n');
    tr.appendChild(alerts);
    tr.appendChild(td(s.video_polled || 'off'));
    return tr;
  }
  async function load() {
    if (!token) return;
    var r = await fetch('/hub/v1/status', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' });
    if (!r.ok) { state.textContent = r.status === 401 ? 'Wrong status token.' : 'The hub answered ' + r.status + '.'; return; }
    var data = await r.json();
    body.replaceChildren.apply(body, data.stations.map(row));
    document.getElementById('stations').hidden = false;
    state.textContent = data.stations.length + ' stations, as of ' + data.now;
  }
  document.getElementById('signin').addEventListener('submit', function (e) {
    e.preventDefault();
    token = document.getElementById('token').value;
    sessionStorage.setItem('pt-hub-status-token', token);
    load();
  });
  load();
  setInterval(load, 10000);
})();
