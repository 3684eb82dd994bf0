/* station-loads.js: the loading half of the operator dashboard: the open loads (plate, seal,
 * dock, destination, the batches on each with who put them there and when, the refusals with
 * their reasons, how many photos the driver took), opening a load, adding a batch by lot and
 * closing a load; and the drivers: listed, added, a login QR shown on screen for the
 * driver's phone to scan, and every login of a driver revoked.  A held or recalled batch on an open load (from the status API's
 * alerts) is marked on its load with its reason and a button that takes it off; a refused
 * close shows the station's answer on the load.  Nothing is asked for while signed out.
 * The QR is drawn by the station (the labels' QR encoder) in the one answer that mints the
 * token (POST /api/v1/drivers/{id}/token with "qr": "png"): the token is in that answer only,
 * and the page forgets it when the QR is hidden.  Requests carry the session cookie and, for
 * writes, the CSRF token station.js got at sign-in (window.ptSession). */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, table = ui.table, say = ui.say, t = ui.t;
  function call(path, method, body) {
    return ui.api(path, { method: method, body: body });
  }
  function time(iso) { return ui.stamp(iso); }
  /* The held or recalled batches on open loads, by "load/lot", as the status API said. */
  var held = {};
  function heldKey(load, lot) { return load + '/' + lot; }
  var driverNames = {};
  /* Who put a batch on: a driver's phone, the operator (here, the CLI or a script), or a
   * loading camera by its name. */
  function source(s) {
    var m = /^driver:(\d+)$/.exec(s || '');
    if (m) return t('d.srcDriver') + (driverNames[m[1]] ? ' (' + driverNames[m[1]] + ')' : ' #' + m[1]);
    if (s === 'operator' || s === 'api') return t('d.srcOperator');
    return t('d.srcCamera', { name: s });
  }
  function dest(l) { return ui.dest(l) || '–'; }

  async function addBatch(load, form) {
    var lot = form.lot.value.trim();
    if (!lot) return;
    try {
      var r = await call('/api/v1/loads/' + load.id + '/batches', 'POST', { batch: lot });
      say('load-msg', t(r.existed ? 'd.already' : 'd.put', { lot: r.lot, id: load.id }));
      form.reset();
    } catch (e) { say('load-msg', lot + ': ' + e.message, true); }
    refresh();
  }
  /* The station refuses to close a load with a held or recalled batch on it (409 naming the
   * batch): that answer stays on the load's card until the next close. */
  var refusedClose = {};
  async function closeLoad(load) {
    if (!window.confirm(t('d.closeConfirm', { id: load.id, plate: load.plate, seal: load.seal, n: load.batches.length }))) return;
    delete refusedClose[load.id];
    try {
      var r = await call('/api/v1/loads/' + load.id + '/close', 'POST');
      say('load-msg', t('d.closed', { id: load.id, n: r.departing_events }));
    } catch (e) {
      refusedClose[load.id] = t('d.refusedClose', { id: load.id, why: e.message });
      say('load-msg', refusedClose[load.id], true);
    }
    refresh();
    if (window.ptSession.refreshLive) window.ptSession.refreshLive();
  }
  async function takeOff(load, lot) {
    try {
      await call('/api/v1/loads/' + load.id + '/batches/' + encodeURIComponent(lot), 'DELETE');
      say('load-msg', t('d.takenOff', { lot: lot, load: load.id }));
      delete refusedClose[load.id];
    } catch (e) { say('load-msg', e.message, true); }
    refresh();
    if (window.ptSession.refreshLive) window.ptSession.refreshLive();
  }
  /* A batch's cell on a load: its lot, and when it is held or recalled its status, reason
   * and the button that takes it off. */
  function lotCell(l, b) {
    var h = held[heldKey(l.id, b.lot)];
    if (!h) return el('span', { class: 'lot' }, [b.lot]);
    var off = el('button', { type: 'button', 'data-action': 'take-off', 'data-lot': b.lot }, [t('d.takeOff', { lot: b.lot, load: l.id })]);
    off.addEventListener('click', function () { takeOff(l, b.lot); });
    return el('span', { class: 'lot blocked' }, [b.lot, ' ', ui.statusBadge(h.status, h.reason, b.lot), ' ', off]);
  }
  /* The driver's photos of plate and seal, each a small picture that opens the full one
   * (the stored JPEG, fetched with the session cookie). */
  function photoStrip(l) {
    if (!l.photo_list || !l.photo_list.length) return null;
    return el('span', { class: 'photo-strip' }, l.photo_list.map(function (p) {
      var src = '/api/v1/loads/' + l.id + '/photos/' + p.id;
      var what = t(p.kind === 'seal' ? 'd.photoSeal' : 'd.photoPlate') + ' · ' + time(p.taken);
      return el('a', { href: src, target: '_blank', rel: 'noopener', class: 'photo', 'data-kind': p.kind }, [
        el('img', { src: src, alt: what, width: '160', height: '120', loading: 'lazy' }, []), el('span', {}, [what])]);
    }));
  }
  function loadCard(l) {
    var form = el('form', { class: 'ops add-batch' }, [
      el('input', { name: 'lot', placeholder: t('d.lotToPut'), required: '', 'aria-label': t('d.lotForLoad', { id: l.id }) }, []),
      el('button', { type: 'submit' }, [t('d.addBatch')])]);
    form.addEventListener('submit', function (ev) { ev.preventDefault(); addBatch(l, form); });
    var close = el('button', { type: 'button', 'data-action': 'close' }, [t('d.closeLoad')]);
    close.addEventListener('click', function () { closeLoad(l); });
    var blocked = l.batches.some(function (b) { return held[heldKey(l.id, b.lot)]; });
    return el('article', { class: 'load' + (blocked ? ' blocked' : ''), 'data-load': String(l.id) }, [
      el('h3', {}, [t('d.loadN', { id: l.id }) + ' · ', el('strong', {}, [l.plate]), ' · ' + t('d.c.seal') + ' ' + l.seal]),
      el('dl', { class: 'facts' }, [
        el('dt', {}, [t('d.c.dock')]), el('dd', {}, [l.dock || '–']),
        el('dt', {}, [t('d.c.destination')]), el('dd', {}, [dest(l)]),
        el('dt', {}, [t('d.c.driver')]), el('dd', {}, [[l.driver_name, l.driver_phone].filter(Boolean).join(', ') || '–']),
        el('dt', {}, [t('d.c.opened')]), el('dd', {}, [time(l.opened)]),
        el('dt', {}, [t('d.c.photos')]), el('dd', { class: 'photos' }, [t('d.photosN', { n: l.photos || 0 }), photoStrip(l)])]),
      l.batches.length ? table([t('d.c.lot'), t('d.c.source'), t('d.c.time')], l.batches.map(function (b) {
        return [lotCell(l, b), source(b.source), time(b.added)];
      }), 'load-batches') : el('p', {}, [t('d.noBatchOnLoad')]),
      l.refusals.length ? el('div', { class: 'refusals' }, [el('h4', {}, [t('d.refused')]),
        table([t('d.c.lot'), t('d.c.source'), t('d.c.reason'), t('d.c.time')], l.refusals.map(function (r) {
          return [r.lot || '–', source(r.source), r.reason, time(r.refused)];
        }), 'load-refusals')]) : null,
      refusedClose[l.id] ? el('p', { class: 'verify bad close-refused', role: 'alert' }, [refusedClose[l.id]]) : null,
      el('div', { class: 'load-actions' }, [form, close])]);
  }

  async function renderLoads() {
    var box = document.getElementById('loads');
    /* The operator is typing a lot: the next refresh redraws. */
    if (box.contains(document.activeElement) && document.activeElement.tagName === 'INPUT') return;
    var list = (await call('/api/v1/loads?limit=50')).loads;
    var open = await Promise.all(list.filter(function (l) { return l.state === 'open'; }).map(async function (l) {
      var full = await call('/api/v1/loads/' + l.id);
      if (full.photos) full.photo_list = (await call('/api/v1/loads/' + l.id + '/photos')).photos;
      return full;
    }));
    box.textContent = '';
    if (!open.length) box.appendChild(el('p', {}, [t('d.noOpenLoad')]));
    open.forEach(function (l) { box.appendChild(loadCard(l)); });
    if (list.length) box.appendChild(el('h3', {}, [t('d.allLoads')]));
    /* One table per state (loads-open, loads-closed), the same columns. */
    ['open', 'closed'].forEach(function (state) {
      var rows = list.filter(function (l) { return l.state === state; });
      if (!rows.length) return;
      box.appendChild(table([t('d.c.load'), t('d.c.plate'), t('d.c.seal'), t('d.c.driver'), t('d.c.destination'), t('d.c.state'), t('d.c.opened'), t('d.c.closed')],
        rows.map(function (l) {
          return [String(l.id), l.plate, l.seal, [l.driver_name, l.driver_phone].filter(Boolean).join(', ') || '–', dest(l),
            el('span', { class: 'state ' + l.state }, [t(l.state === 'open' ? 'd.open' : 'd.departed')]), time(l.opened), time(l.closed)];
        }), 'loads-all loads-' + state));
    });
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
      img.alt = t('d.qrAlt', { name: r.name });
      document.getElementById('qr-who').textContent = r.name;
      var until = document.getElementById('qr-expires');
      until.textContent = time(r.expires);
      until.setAttribute('datetime', r.expires);
      document.getElementById('qr-panel').hidden = false;
      say('driver-msg', '');
    } catch (e) { say('driver-msg', e.message, true); }
    renderDrivers().catch(function () { /* shown on the next refresh */ });
  }
  /* A lost phone, or a driver who left: every login QR of the driver stops working. */
  async function revokeLogins(d) {
    try {
      var r = await call('/api/v1/drivers/' + d.id + '/revoke', 'POST', {});
      say('driver-msg', t('d.revoked', { n: r.revoked, name: d.name }));
    } catch (e) { say('driver-msg', e.message, true); }
    renderDrivers().catch(function () { /* shown on the next refresh */ });
  }
  async function renderDrivers() {
    var list = (await call('/api/v1/drivers')).drivers;
    driverNames = {};
    list.forEach(function (d) { driverNames[d.id] = d.name; });
    var box = document.getElementById('drivers');
    box.textContent = '';
    if (!list.length) { box.appendChild(el('p', {}, [t('d.noDriver')])); return; }
    box.appendChild(table(['#', t('d.name'), t('d.c.phone'), t('d.c.logins'), t('d.c.actions')], list.map(function (d) {
      var b = el('button', { type: 'button', 'data-action': 'login-qr', 'data-driver': String(d.id) }, [t('d.loginQr')]);
      b.addEventListener('click', function () { showQr(d); });
      var actions = [b];
      if (d.active_tokens > 0) {
        var r = el('button', { type: 'button', 'data-action': 'revoke-logins', 'data-driver': String(d.id) }, [t('d.revokeLogins')]);
        r.addEventListener('click', function () { revokeLogins(d); });
        actions.push(' ', r);
      }
      return [String(d.id), d.name, d.phone || '–', String(d.active_tokens), el('span', {}, actions)];
    }), 'drivers'));
  }

  async function refresh() {
    if (document.hidden || !window.ptSession.signedIn()) return;
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
      say('load-msg', t('d.opened', { id: l.id, plate: l.plate }));
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
      say('driver-msg', t('d.driverAdded', { id: d.id, name: d.name }));
      ev.target.reset();
    } catch (e) { say('driver-msg', e.message, true); }
    refresh();
  });
  document.getElementById('qr-hide').addEventListener('click', hideQr);
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') hideQr(); });
  /* station.js signed in or out: what this half may see changed. */
  document.addEventListener('pt-session', function (ev) { if (!ev.detail) hideQr(); refresh(); });
  document.addEventListener('pt-lang', refresh);
  /* The status API's alerts changed what is held on which load: redraw when that differs. */
  document.addEventListener('pt-status', function (ev) {
    var next = {};
    (ev.detail.alerts || []).forEach(function (a) { if (a.kind === 'load-batch') next[heldKey(a.load, a.lot)] = a; });
    var changed = JSON.stringify(next) !== JSON.stringify(held);
    held = next;
    if (changed) refresh();
  });

  setInterval(refresh, 5000);
  document.addEventListener('visibilitychange', refresh);
})();
