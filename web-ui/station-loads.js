/* station-loads.js: the loading half of the operator dashboard: the open loads (plate, seal,
 * dock, destination, the batches on each with who put them there and when, the refusals with
 * their reasons, how many photos the driver took), opening a load, adding a batch by lot and
 * closing a load; and the drivers: listed, added, and a login QR shown on screen for the
 * driver's phone to scan.
 * The QR is drawn by the station (the labels' QR encoder) in the one answer that mints the
 * token (POST /api/v1/drivers/{id}/token with "qr": "png"): the token is in that answer only,
 * and the page forgets it when the QR is hidden.  Requests carry the session cookie and, for
 * writes, the CSRF token station.js got at sign-in (window.ptSession). */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, table = ui.table, say = ui.say;
  function call(path, method, body) {
    return ui.api(path, { method: method, body: body, unauthorised: 'sign in to see loads and drivers' });
  }
  function time(iso) { return iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' }) : ''; }
  var driverNames = {};
  /* Who put a batch on: a driver's phone, the operator (here, the CLI or a script), or a
   * loading camera by its name. */
  function source(s) {
    var m = /^driver:(\d+)$/.exec(s || '');
    if (m) return 'driver' + (driverNames[m[1]] ? ' (' + driverNames[m[1]] + ')' : ' #' + m[1]);
    if (s === 'operator' || s === 'api') return 'operator';
    return 'camera (' + s + ')';
  }
  function dest(l) { return ui.dest(l) || '–'; }

  async function addBatch(load, form) {
    var lot = form.lot.value.trim();
    if (!lot) return;
    try {
      var r = await call('/api/v1/loads/' + load.id + '/batches', 'POST', { batch: lot });
      say('load-msg', r.existed ? r.lot + ' was already on load ' + load.id : r.lot + ' put on load ' + load.id);
      form.reset();
    } catch (e) { say('load-msg', lot + ': ' + e.message, true); }
    refresh();
  }
  async function closeLoad(load) {
    if (!window.confirm('Close load ' + load.id + ' (' + load.plate + ', seal ' + load.seal + ')? ' +
        'The truck departs with its ' + load.batches.length + ' batch(es).')) return;
    try {
      var r = await call('/api/v1/loads/' + load.id + '/close', 'POST');
      say('load-msg', 'load ' + load.id + ' closed: ' + r.departing_events + ' departing event(s)');
    } catch (e) { say('load-msg', e.message, true); }
    refresh();
  }
  function loadCard(l) {
    var form = el('form', { class: 'ops add-batch' }, [
      el('input', { name: 'lot', placeholder: 'lot to put on', required: '', 'aria-label': 'lot for load ' + l.id }, []),
      el('button', { type: 'submit' }, ['Add batch'])]);
    form.addEventListener('submit', function (ev) { ev.preventDefault(); addBatch(l, form); });
    var close = el('button', { type: 'button', 'data-action': 'close' }, ['Close load']);
    close.addEventListener('click', function () { closeLoad(l); });
    return el('article', { class: 'load', 'data-load': String(l.id) }, [
      el('h3', {}, ['Load ' + l.id + ' · ', el('strong', {}, [l.plate]), ' · seal ' + l.seal]),
      el('dl', { class: 'facts' }, [
        el('dt', {}, ['Dock']), el('dd', {}, [l.dock || '–']),
        el('dt', {}, ['Destination']), el('dd', {}, [dest(l)]),
        el('dt', {}, ['Driver']), el('dd', {}, [[l.driver_name, l.driver_phone].filter(Boolean).join(', ') || '–']),
        el('dt', {}, ['Opened']), el('dd', {}, [time(l.opened)]),
        el('dt', {}, ['Photos']), el('dd', { class: 'photos' }, [String(l.photos || 0) + ' (plate and seal, from the driver)'])]),
      l.batches.length ? table(['lot', 'source', 'time'], l.batches.map(function (b) {
        return [el('span', { class: 'lot' }, [b.lot]), source(b.source), time(b.added)];
      }), 'load-batches') : el('p', {}, ['No batch on it yet.']),
      l.refusals.length ? el('div', { class: 'refusals' }, [el('h4', {}, ['Refused']),
        table(['lot', 'source', 'reason', 'time'], l.refusals.map(function (r) {
          return [r.lot || '–', source(r.source), r.reason, time(r.refused)];
        }), 'load-refusals')]) : null,
      el('div', { class: 'load-actions' }, [form, close])]);
  }

  async function renderLoads() {
    var box = document.getElementById('loads');
    /* The operator is typing a lot: the next refresh redraws. */
    if (box.contains(document.activeElement) && document.activeElement.tagName === 'INPUT') return;
    var list = (await call('/api/v1/loads?limit=50')).loads;
    var open = await Promise.all(list.filter(function (l) { return l.state === 'open'; }).map(function (l) {
      return call('/api/v1/loads/' + l.id);
    }));
    var closed = list.filter(function (l) { return l.state === 'closed'; }).slice(0, 10);
    box.textContent = '';
    if (!open.length) box.appendChild(el('p', {}, ['No load is open.']));
    open.forEach(function (l) { box.appendChild(loadCard(l)); });
    if (closed.length) {
      box.appendChild(el('h3', {}, ['Recently departed']));
      box.appendChild(table(['load', 'plate', 'seal', 'destination', 'closed'], closed.map(function (l) {
        return [String(l.id), l.plate, l.seal, dest(l), time(l.closed)];
      }), 'loads-closed'));
    }
  }

  /* ---- drivers and their login QR ---- */
  function hideQr() {
    var panel = document.getElementById('qr-panel');
    panel.hidden = true;
    document.getElementById('qr-img').removeAttribute('src');
  }
  async function showQr(d) {
    try {
      var r = await call('/api/v1/drivers/' + d.id + '/token', 'POST', { qr: 'png', base: location.origin });
      var img = document.getElementById('qr-img');
      img.src = r.qr_png;
      img.alt = 'login QR for ' + r.name;
      document.getElementById('qr-who').textContent = r.name;
      var until = document.getElementById('qr-expires');
      until.textContent = time(r.expires);
      until.setAttribute('datetime', r.expires);
      document.getElementById('qr-panel').hidden = false;
      say('driver-msg', '');
    } catch (e) { say('driver-msg', e.message, true); }
    renderDrivers().catch(function () { /* shown on the next refresh */ });
  }
  async function renderDrivers() {
    var list = (await call('/api/v1/drivers')).drivers;
    driverNames = {};
    list.forEach(function (d) { driverNames[d.id] = d.name; });
    var box = document.getElementById('drivers');
    box.textContent = '';
    if (!list.length) { box.appendChild(el('p', {}, ['No driver yet.'])); return; }
    box.appendChild(table(['#', 'name', 'phone', 'valid logins', ''], list.map(function (d) {
      var b = el('button', { type: 'button', 'data-action': 'login-qr', 'data-driver': String(d.id) }, ['Login QR']);
      b.addEventListener('click', function () { showQr(d); });
      return [String(d.id), d.name, d.phone || '–', String(d.active_tokens), b];
    }), 'drivers'));
  }

  async function refresh() {
    if (document.hidden) return;
    try { await renderDrivers(); } catch (e) { document.getElementById('drivers').textContent = e.message; }
    try { await renderLoads(); } catch (e) { var b = document.getElementById('loads'); b.textContent = ''; b.appendChild(el('p', { class: 'verify bad' }, [e.message])); }
  }

  document.getElementById('new-load').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var f = ev.target, spec = {};
    ['plate', 'seal', 'dock', 'destination', 'destination_gln', 'driver_name', 'driver_phone'].forEach(function (k) {
      if (f[k].value.trim()) spec[k] = f[k].value.trim();
    });
    try {
      var l = await call('/api/v1/loads', 'POST', spec);
      say('load-msg', 'load ' + l.id + ' opened for ' + l.plate);
      f.reset();
    } catch (e) { say('load-msg', e.message, true); }
    refresh();
  });
  document.getElementById('new-driver').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var f = ev.target.elements, body = { name: f['name'].value.trim() };
    if (f.phone.value.trim()) body.phone = f.phone.value.trim();
    try {
      var d = await call('/api/v1/drivers', 'POST', body);
      say('driver-msg', 'driver ' + d.id + ' added: ' + d.name);
      ev.target.reset();
    } catch (e) { say('driver-msg', e.message, true); }
    refresh();
  });
  document.getElementById('qr-hide').addEventListener('click', hideQr);
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') hideQr(); });
  /* station.js signed in or out: what this half may see changed. */
  document.addEventListener('pt-session', function (ev) { if (!ev.detail) hideQr(); refresh(); });

  refresh();
  setInterval(refresh, 5000);
  document.addEventListener('visibilitychange', refresh);
})();
