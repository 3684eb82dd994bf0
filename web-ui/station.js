/* station.js: the operator dashboard: cameras and their state, the batches with their
 * consumer page, label preview and actions (new, hold, release, recall, add a step), and the
 * sync state.
 * Everything but the page itself needs a signed-in user: the session cookie (HttpOnly, sent
 * by the browser) and, for writes, the session's CSRF token, kept in this script only and
 * asked again from GET /api/v1/session after a reload.  Refreshes every 5 s. */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, table = ui.table;
  var csrf = null;
  /* station-live.js sends its writes with the same token. */
  window.ptSession = { csrf: function () { return csrf; } };
  /* Shows the sign-in form, or who is signed in and the sign-out button. */
  function signedIn(who) {
    csrf = who ? who.csrf_token : null;
    document.getElementById('login').hidden = !!who;
    document.getElementById('who').hidden = document.getElementById('logout').hidden = !who;
    document.getElementById('who').textContent = who ? who.name + ' (' + who.role + ')' : '';
    document.dispatchEvent(new CustomEvent('pt-session', { detail: who }));
  }
  async function get(path) {
    try {
      return await ui.api(path, { unauthorised: 'sign in to see this' });
    } catch (e) {
      if (e.auth && csrf) signedIn(null);
      throw e;
    }
  }
  function say(text, bad) { ui.say('op-msg', text, bad); }
  /* POSTs @body as JSON with the CSRF token; the station's error text is what the operator
   * sees. */
  async function post(path, body, method) {
    if (!csrf && path !== '/api/v1/session') throw new Error('sign in first');
    return ui.api(path, { method: method || 'POST', body: body });
  }
  async function act(batch, action) {
    var body = {};
    if (action !== 'release') {
      var reason = window.prompt(action + ' ' + batch.lot + ': reason');
      if (!reason) return;
      body.reason = reason;
    }
    try {
      var b = await post('/api/v1/batches/' + batch.id + '/' + action, body);
      say(b.lot + ' is ' + b.status);
    } catch (e) { say(e.message, true); }
    refresh();
  }
  /* A step done by hand (CBV business step, e.g. packing) with an optional note. */
  async function addEvent(batch) {
    var step = window.prompt('step for ' + batch.lot + ' (e.g. packing, inspecting, storing)');
    if (!step) return;
    try {
      var r = await post('/api/v1/batches/' + batch.id + '/events', { step: step.trim() });
      say(batch.lot + ': ' + r.event.bizStep + ' recorded');
    } catch (e) { say(e.message, true); }
    refresh();
  }
  function button(text, fn) {
    var b = el('button', { type: 'button', 'data-action': text }, [text]);
    b.addEventListener('click', fn);
    return b;
  }
  function actions(x) {
    var label = '/api/v1/batches/' + x.id + '/label?format=png';
    var page = x.digital_link ? new URL(x.digital_link).pathname : '/01/' + x.gtin + '/10/' + encodeURIComponent(x.lot);
    var kids = [el('a', { href: page }, ['page']), ' ',
      el('a', { href: label, target: '_blank', rel: 'noopener' }, ['label'])];
    if (x.status === 'active') kids.push(' ', button('hold', function () { act(x, 'hold'); }));
    if (x.status === 'held') kids.push(' ', button('release', function () { act(x, 'release'); }));
    if (x.status !== 'recalled') kids.push(' ', button('recall', function () { act(x, 'recall'); }));
    kids.push(' ', button('event', function () { addEvent(x); }));
    return el('span', {}, kids);
  }
  /* One row per sales platform: what waits, what failed, when it last got through. */
  function syncTable(s) {
    var list = s.connectors || [];
    if (!list.length) return el('p', {}, ['No sales platform is configured (packtrace sync add).']);
    return table(['platform', 'pending', 'failed', 'delivered', 'last delivery', 'last error'],
      list.map(function (c) {
        var err = c.last_error ? c.last_error + (c.last_error_at ? ' (' + c.last_error_at + ')' : '') : '';
        return [c.name + ' (' + c.type + ')', String(c.pending), String(c.failed), String(c.delivered),
          c.last_ok || 'never', err ? el('span', { class: 'verify bad' }, [err]) : ''];
      }));
  }
  function show(id, node) { ui.empty(id).appendChild(node); }
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
        return [x.lot, x.product, el('span', { class: 'status', 'data-lot': x.lot }, [x.status]), actions(x)];
      })));
    } catch (e) { show('batches', el('p', { class: 'verify bad' }, [e.message])); }
    if (csrf) {
      try { show('sync', syncTable(await get('/api/v1/sync'))); }
      catch (e) { show('sync', el('p', { class: 'verify bad' }, [e.message])); }
    }
  }
  document.getElementById('login').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var pw = document.getElementById('password');
    try {
      signedIn(await post('/api/v1/session', { name: document.getElementById('name').value, password: pw.value }));
      say('');
    } catch (e) { say(e.message, true); }
    pw.value = '';
    refresh();
  });
  document.getElementById('logout').addEventListener('click', async function () {
    try { await post('/api/v1/session', null, 'DELETE'); } catch (e) { say(e.message, true); }
    signedIn(null);
    show('sync', el('p', {}, ['Sign in to see the sync state.']));
    refresh();
  });
  document.getElementById('new-batch').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var f = ev.target, spec = {};
    ['product', 'gtin', 'variety', 'grower'].forEach(function (k) { if (f[k].value) spec[k] = f[k].value; });
    if (f.quantity.value) { spec.quantity = Number(f.quantity.value); spec.uom = 'KGM'; }
    try {
      var b = await post('/api/v1/batches', spec);
      say('created ' + b.lot);
      f.reset();
    } catch (e) { say(e.message, true); }
    refresh();
  });
  /* After a reload the cookie may still hold a session: take its CSRF token. */
  get('/api/v1/session').then(signedIn, function () { signedIn(null); }).then(refresh);
  setInterval(refresh, 5000);
})();
