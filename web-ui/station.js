/* station.js: the operator dashboard (read side): cameras and their state, the batches with
 * their consumer page and label preview, and the sync state (operator token, kept in
 * sessionStorage for this tab only).  Refreshes every 5 s. */
'use strict';
(function () {
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    (kids || []).forEach(function (c) { if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function token() { return sessionStorage.getItem('pt-token'); }
  async function get(path, auth) {
    var h = { Accept: 'application/json' };
    if (auth && token()) h.Authorization = 'Bearer ' + token();
    var r = await fetch(path, { headers: h, cache: 'no-store' });
    if (!r.ok) throw new Error(path + ': ' + r.status);
    return r.json();
  }
  function table(head, rows) {
    return el('table', {}, [el('tr', {}, head.map(function (h) { return el('th', {}, [h]); }))].concat(
      rows.map(function (r) { return el('tr', {}, r.map(function (c) { return el('td', {}, [c]); })); })));
  }
  function show(id, node) { var box = document.getElementById(id); box.textContent = ''; box.appendChild(node); }
  async function refresh() {
    try {
      var cams = await get('/api/v1/cameras');
      show('cameras', table(['camera', 'state'], (cams.cameras || []).map(function (c) {
        return [String(c.name || c.id || ''), String(c.state || '')];
      })));
    } catch (e) { show('cameras', el('p', { class: 'verify bad' }, [e.message])); }
    try {
      var b = await get('/api/v1/batches?limit=50');
      show('batches', table(['lot', 'product', 'status', ''], b.batches.map(function (x) {
        var page = x.digital_link ? new URL(x.digital_link).pathname : '/01/' + x.gtin + '/10/' + encodeURIComponent(x.lot);
        return [x.lot, x.product, x.status, el('span', {}, [el('a', { href: page }, ['page']), ' ',
          el('a', { href: '/api/v1/batches/' + x.id + '/label?format=png' }, ['label'])])];
      })));
    } catch (e) { show('batches', el('p', { class: 'verify bad' }, [e.message])); }
    if (token()) {
      try { show('sync', el('pre', {}, [JSON.stringify(await get('/api/v1/sync', true), null, 1)])); }
      catch (e) { show('sync', el('p', { class: 'verify bad' }, [e.message])); }
    }
  }
  document.getElementById('login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    sessionStorage.setItem('pt-token', document.getElementById('token').value);
    document.getElementById('token').value = '';
    refresh();
  });
  refresh();
  setInterval(refresh, 5000);
})();
