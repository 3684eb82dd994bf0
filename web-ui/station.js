/* station.js: the operator dashboard: sign-in, the language, the "needs attention" strip,
 * the cameras' states, the batches (search, grade verdict, grower, pack date, status with
 * its reason) with their consumer page, label and actions (new, hold, release, recall, add a
 * step; for admins, attach a photo or certificate), and the sync state.
 * Signed out, the page is the sign-in form and nothing else, and nothing protected is asked
 * for: the session cookie (HttpOnly, sent by the browser) and, for writes, the session's CSRF
 * token, kept in this script only and asked again from GET /api/v1/session after a reload.
 * Every word comes from ui-kit.js's table (keys "d."), dates are YYYY-MM-DD HH:MM in the
 * station's time zone.  Refreshes every 5 s while signed in. */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, table = ui.table, t = ui.t;
  ui.strings({
    'd.recalls': ['Recalls and holds', '召回与暂扣'], 'd.noRecalls': ['No recall, hold or drill has sent notices.', '尚无发送通知的召回、暂扣或演练。'],
    'd.r.lot': ['Lot', '批次'], 'd.r.kind': ['Kind', '类型'], 'd.r.reason': ['Reason', '原因'], 'd.r.when': ['Sent', '发送时间'],
    'd.r.progress': ['Buyers', '采购商'], 'd.r.shipped': ['Shipped', '已发货'], 'd.r.onHand': ['Reported on hand', '反馈库存'],
    'd.r.kind:recall': ['recall', '召回'], 'd.r.kind:hold': ['hold', '暂扣'], 'd.r.kind:drill': ['drill', '演练'],
    'd.r.acked': ['{a} of {m} acknowledged', '{m} 家中 {a} 家已确认'], 'd.r.escalated': ['{e} overdue', '{e} 家逾期'],
    'd.r.accounted': ['{q} of {s} accounted for', '已核对 {q} / {s}']
  });
  /* The words of attaching a photo or certificate (admins). */
  ui.strings({
    'd.attach': ['Attach…', '添加照片/证书…'],
    'd.attachIsPhoto': ['Is {name} a photo of the produce? OK: photo. Cancel: a certificate.', '{name} 是产品照片吗？确定：照片。取消：证书。'],
    'd.attachKind': ['Kind of certificate: residue-test, gi-mark, organic or other', '证书类型：residue-test（农残检测）、gi-mark（地理标志）、organic（有机）或 other'],
    'd.attachTitle': ['Its title, as the consumer page shows it', '证书名称（显示在消费者页面）'],
    'd.attached': ['{lot}: {name} attached, signed with the lot\'s records.', '{lot}：已添加 {name}，并随批次记录签名。']
  });
  var csrf = null, lastStatus = null, role = null;
  /* station-live.js and station-loads.js send their writes with the same token, ask
   * signedIn() before they poll, and hand the status they fetched for the strip. */
  window.ptSession = {
    csrf: function () { return csrf; },
    signedIn: function () { return !!csrf; },
    status: function (s) {
      lastStatus = s;
      if (s && s.time_zone) ui.setZone(s.time_zone);
      renderAttention();
      document.dispatchEvent(new CustomEvent('pt-status', { detail: s }));
    },
    refresh: function () { refresh(); },
    batches: function () { return batches; }
  };
  /* Shows the sign-in form alone, or the dashboard with who is signed in. */
  function signedIn(who) {
    csrf = who ? who.csrf_token : null;
    role = who ? who.role : null;
    document.body.classList.toggle('signed-out', !who);
    document.getElementById('login').hidden = !!who;
    document.getElementById('dash').hidden = !who;
    document.getElementById('who').hidden = document.getElementById('logout').hidden = !who;
    document.getElementById('who').textContent = who ? who.name + ' (' + who.role + ')' : '';
    if (!who) { lastStatus = null; renderAttention(); }
    document.dispatchEvent(new CustomEvent('pt-session', { detail: who }));
  }
  async function get(path) {
    try {
      return await ui.api(path);
    } catch (e) {
      if (e.auth && csrf) { signedIn(null); ui.say('login-msg', t('d.signedOut'), true); }
      throw e;
    }
  }
  function say(text, bad) { ui.say('op-msg', text, bad); }
  /* POSTs @body as JSON with the CSRF token; the station's error text is what the operator
   * sees. */
  async function post(path, body, method) {
    return ui.api(path, { method: method || 'POST', body: body });
  }
  function statusWord(s) { return t('d.s.' + s); }
  /* A status as colour, word and reason: "held: Customer complaint: mould" (the word alone
   * in span.status, which scripts and tests read). */
  function statusBadge(status, reason, lot) {
    return el('span', { class: 'status-line ' + status }, [
      el('span', { class: 'status ' + status, 'data-lot': lot || '' }, [statusWord(status)]),
      reason && status !== 'active' ? el('span', { class: 'reason' }, [': ' + reason]) : null]);
  }
  ui.statusBadge = statusBadge;
  async function act(batch, action) {
    var body = {};
    if (action !== 'release') {
      var reason = window.prompt(t('d.reasonFor', { action: t('d.' + action), lot: batch.lot }));
      if (!reason) return;
      body.reason = reason;
    }
    try {
      var b = await post('/api/v1/batches/' + batch.id + '/' + action, body);
      say(t('d.isNow', { lot: b.lot, status: statusWord(b.status) }));
    } catch (e) { say(e.message, true); }
    refresh();
  }
  /* A step done by hand (CBV business step, e.g. packing), with a note for shoppers if the
   * operator writes one (signed; shown under the step on the consumer page). */
  async function addEvent(batch) {
    var step = window.prompt(t('d.stepFor', { lot: batch.lot }));
    if (!step) return;
    var note = window.prompt(t('d.publicNoteFor', { lot: batch.lot }), '');
    var body = { step: step.trim() };
    if (note && note.trim()) body.public_note = note.trim();
    try {
      var r = await post('/api/v1/batches/' + batch.id + '/events', body);
      say(t('d.recorded', { lot: batch.lot, step: r.event.bizStep }));
    } catch (e) { say(e.message, true); }
    refresh();
  }
  /* A product photo or a certificate for the lot's consumer page: the file as the body of
   * POST /api/v1/batches/{id}/attachments (admins), its facts in the query. */
  function attach(batch) {
    var input = el('input', { type: 'file', accept: 'image/jpeg,image/png,application/pdf', hidden: '' });
    input.addEventListener('change', async function () {
      var file = input.files[0];
      input.remove();
      if (!file) return;
      var query = 'role=photo';
      if (file.type === 'application/pdf' || !window.confirm(t('d.attachIsPhoto', { name: file.name }))) {
        var kind = window.prompt(t('d.attachKind'), 'residue-test');
        var title = kind && window.prompt(t('d.attachTitle'), '');
        if (!kind || !title) return;
        query = 'role=certificate&kind=' + encodeURIComponent(kind.trim()) + '&title=' + encodeURIComponent(title.trim());
      }
      try {
        var r = await fetch('/api/v1/batches/' + batch.id + '/attachments?' + query, {
          method: 'POST', body: file, credentials: 'same-origin', cache: 'no-store',
          headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/octet-stream', Accept: 'application/json' }
        });
        var j = await r.json().catch(function () { return {}; });
        if (!r.ok) throw new Error(j.error || r.status);
        say(t('d.attached', { lot: batch.lot, name: file.name }));
      } catch (e) { say(e.message, true); }
      refresh();
    });
    document.body.appendChild(input);
    input.click();
  }
  function button(text, action, fn) {
    var b = el('button', { type: 'button', 'data-action': action }, [text]);
    b.addEventListener('click', fn);
    return b;
  }
  function actions(x) {
    var label = '/api/v1/batches/' + x.id + '/label?format=png';
    var page = x.digital_link ? new URL(x.digital_link).pathname : '/01/' + x.gtin + '/10/' + encodeURIComponent(x.lot);
    var kids = [el('a', { href: page }, [t('d.page')]), ' ',
      el('a', { href: label, target: '_blank', rel: 'noopener' }, [t('d.label')])];
    if (x.status === 'active') kids.push(' ', button(t('d.hold'), 'hold', function () { act(x, 'hold'); }));
    if (x.status === 'held') kids.push(' ', button(t('d.release'), 'release', function () { act(x, 'release'); }));
    if (x.status !== 'recalled') kids.push(' ', button(t('d.recall'), 'recall', function () { act(x, 'recall'); }));
    kids.push(' ', button(t('d.event'), 'event', function () { addEvent(x); }));
    if (role === 'admin') kids.push(' ', button(t('d.attach'), 'attach', function () { attach(x); }));
    return el('span', {}, kids);
  }
  /* The class and disposition the batch's last closed grading declared (GET /api/v1/grades),
   * '–' for a batch never graded. */
  var grades = {};
  function verdict(x) {
    var g = grades[x.id] || {};
    var cls = g.declared_class || '';
    var disp = g.disposition ? ui.lastPart(g.disposition) : '';
    if (!cls && !disp) return '–';
    var good = !/non_conformant/.test(disp);
    return el('span', { class: 'verdict ' + (good ? 'ok' : 'bad') },
      [[cls, disp ? t(good ? 'd.gradeOk' : 'd.gradeBad') : ''].filter(Boolean).join(' · ')]);
  }

  /* ---- the "needs attention" strip: the status API's alerts, each with its action ---- */
  function alertAction(a) {
    if (a.kind === 'load-batch') {
      return button(t('d.takeOff', { lot: a.lot, load: a.load }), 'take-off', async function () {
        try {
          await post('/api/v1/loads/' + a.load + '/batches/' + encodeURIComponent(a.lot), null, 'DELETE');
          ui.say('load-msg', t('d.takenOff', { lot: a.lot, load: a.load }));
        } catch (e) { ui.say('load-msg', e.message, true); }
        window.ptSession.refreshLive && window.ptSession.refreshLive();
        refresh();
      });
    }
    var to = { camera: ['#live', 'd.seeCameras'], recording: ['#live', 'd.seeCameras'], printer: ['#print-jobs-title', 'd.seePrintJobs'],
      disk: ['#live-disk', 'd.seeDisk'], sync: ['#sync-title', 'd.seeSync'], 'sync-quarantine': ['#sync-title', 'd.seeSync'] }[a.kind];
    return to ? el('a', { href: to[0] }, [t(to[1])]) : null;
  }
  /* A printer's trouble from its parts: "Printer Dock label printer (127.0.0.1:9101): cannot
   * connect — retrying, 3 jobs waiting"; an error of no known kind in the station's words. */
  function printerText(a) {
    var p = a.printer, parts = [];
    var problem = p.error_kind && t('d.pk.' + p.error_kind) !== 'd.pk.' + p.error_kind ? t('d.pk.' + p.error_kind)
      : p.last_error || t('d.pk.none');
    if (p.retrying) parts.push(t('d.pa.retrying'));
    if (p.queued) parts.push(p.queued === 1 ? t('d.pa.waiting1') : t('d.pa.waiting', { n: p.queued }));
    if (p.failed) parts.push(t('d.pa.failed', { n: p.failed }));
    return t('d.pa.line', { who: a.who, problem: problem, state: parts.join(t('d.pa.sep')) });
  }
  /* An alert's text in the reader's language where the status carries its parts (a printer,
   * the clock), else the station's own words. */
  function alertText(a) {
    if (a.kind === 'printer' && a.printer) return printerText(a);
    if (a.kind === 'clock' && lastStatus.clock) return t(lastStatus.clock.known ? 'd.a.clock' : 'd.a.clockUnknown');
    return a.text;
  }
  function renderAttention() {
    var box = document.getElementById('attention'), list = ui.empty('attention-list');
    var alerts = lastStatus ? lastStatus.alerts || [] : [];
    box.hidden = !csrf || !lastStatus;
    if (!alerts.length) { list.appendChild(el('li', { class: 'calm' }, [t('d.nothing')])); return; }
    alerts.forEach(function (a) {
      var sev = a.kind === 'load-batch' ? a.status : a.kind === 'disk' || a.kind === 'clock' ? 'warn' : 'bad';
      /* A printer's line says "Printer ..." itself: no kind before it. */
      var text = a.kind === 'load-batch'
        ? [statusBadge(a.status, a.reason, a.lot), ' · ', t('d.onLoad', { lot: a.lot, load: a.load, plate: a.plate })]
        : [a.kind === 'printer' ? null : el('strong', { class: 'kind' }, [t('d.k.' + a.kind)]), a.kind === 'printer' ? '' : ': ',
          el('span', { class: 'alert-text' }, [alertText(a)]),
          a.since ? ' (' + t('d.since', { when: ui.stamp(a.since) }) + ')' : null];
      var act = alertAction(a);
      list.appendChild(el('li', { class: 'alert ' + sev, 'data-kind': a.kind }, text.concat(act ? [' ', act] : [])));
    });
  }

  /* One row per sales platform: what waits, what failed, when it last got through. */
  function syncTable(s) {
    var list = s.connectors || [];
    if (!list.length) return el('p', {}, [t('d.noPlatform')]);
    return table([t('d.c.platform'), t('d.c.pending'), t('d.c.failed'), t('d.c.delivered'), t('d.c.lastDelivery'), t('d.c.lastError')],
      list.map(function (c) {
        var err = c.last_error ? c.last_error + (c.last_error_at ? ' (' + ui.stamp(c.last_error_at) + ')' : '') : '';
        return [c.name + ' (' + c.type + ')', String(c.pending), String(c.failed), String(c.delivered),
          c.last_ok ? ui.stamp(c.last_ok) : t('d.never'), err ? el('span', { class: 'verify bad' }, [err]) : ''];
      }));
  }
  function show(id, node) { ui.empty(id).appendChild(node); }
  /* Each recall, hold and drill with its notices' progress: buyers who acknowledged, those
   * overdue, and the quantity shipped against what acknowledgements account for, per unit. */
  function amounts(o) { return Object.keys(o || {}).map(function (u) { return o[u] + ' ' + u; }).join(', ') || '0'; }
  function recallTable(list) {
    if (!list.length) return el('p', { class: 'sub' }, [t('d.noRecalls')]);
    /* An admin can open a recall's impact list (station-recall.js). */
    var impact = window.ptImpact && window.ptImpact.available();
    var head = [t('d.r.lot'), t('d.r.kind'), t('d.r.reason'), t('d.r.when'), t('d.r.progress'), t('d.r.shipped'), t('d.r.onHand')];
    return table(impact ? head.concat([t('d.i.title')]) : head,
      list.map(function (r) {
        var progress = t('d.r.acked', { a: r.acknowledged, m: r.buyers });
        if (r.escalated) progress += ' · ' + t('d.r.escalated', { e: r.escalated });
        return [r.lot, t('d.r.kind:' + (r.drill ? 'drill' : r.kind)), r.reason || '', ui.stamp(new Date(r.created_ns / 1e6).toISOString()),
          el('span', { class: 'r-progress' + (r.escalated ? ' bad' : '') }, [progress]),
          amounts(r.shipped), t('d.r.accounted', { q: amounts(r.shipped_acknowledged), s: amounts(r.shipped) }) + (Object.keys(r.on_hand_reported || {}).length ? ' · ' + amounts(r.on_hand_reported) : '')]
          .concat(impact ? [button(t('d.i.button'), 'impact', function () { window.ptImpact.show(r.lot); })] : []);
      }), 'recalls');
  }
  var batches = [];
  function renderBatches() {
    var q = document.getElementById('batch-search').value.trim().toLowerCase();
    var rows = batches.filter(function (x) {
      return !q || [x.lot, x.product, x.grower, x.variety, x.origin, x.status, statusWord(x.status), x.status_reason]
        .some(function (v) { return v && String(v).toLowerCase().indexOf(q) >= 0; });
    });
    if (!rows.length) { show('batches', el('p', {}, [t('d.noBatch')])); return; }
    show('batches', table([t('d.c.lot'), t('d.c.product'), t('d.c.grower'), t('d.c.packDate'), t('d.c.grade'), t('d.c.status'), t('d.c.actions')],
      rows.map(function (x) {
        return [el('span', { id: 'batch-' + x.lot }, [x.lot]), x.product, x.grower || '–', x.pack_date || '–', verdict(x),
          statusBadge(x.status, x.status_reason, x.lot), actions(x)];
      }), 'batches'));
  }
  async function refresh() {
    if (!csrf || document.hidden) return;
    try {
      var cams = await get('/api/v1/cameras');
      show('cameras', table([t('d.c.camera'), t('d.c.state')], (cams.cameras || []).map(function (c) {
        return [String(c.name || c.id || ''), String(c.state || '')];
      })));
    } catch (e) { show('cameras', el('p', { class: 'verify bad' }, [e.message])); }
    try {
      var list = (await get('/api/v1/batches?limit=50')).batches;
      var next = {};
      if (list.length) {
        (await get('/api/v1/grades?batches=' + list.map(function (x) { return x.id; }).join(','))).grades
          .forEach(function (g) { next[g.batch_id] = g; });
      }
      batches = list;
      grades = next;
      renderBatches();
      document.dispatchEvent(new CustomEvent('pt-batches'));
    } catch (e) { show('batches', el('p', { class: 'verify bad' }, [e.message])); }
    if (!csrf) return;
    try { show('recalls', recallTable((await get('/api/v1/recalls')).recalls || [])); }
    catch (e) { show('recalls', el('p', { class: 'verify bad' }, [e.message])); }
    try { show('sync', syncTable(await get('/api/v1/sync'))); }
    catch (e) { show('sync', el('p', { class: 'verify bad' }, [e.message])); }
  }
  /* Everything drawn again in the new language. */
  function render() {
    ui.localize();
    renderAttention();
    renderBatches();
    document.dispatchEvent(new CustomEvent('pt-lang'));
    refresh();
  }
  document.getElementById('batch-search').addEventListener('input', renderBatches);
  document.getElementById('login').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var pw = document.getElementById('password');
    try {
      var who = await post('/api/v1/session', { name: document.getElementById('name').value, password: pw.value });
      ui.say('login-msg', '');
      signedIn(who);
      refresh();
    } catch (e) {
      ui.say('login-msg', e.status === 401 || e.status === 403 ? t('d.badLogin') : e.message, true);
      pw.focus();
    }
    pw.value = '';
  });
  document.getElementById('logout').addEventListener('click', async function () {
    try { await post('/api/v1/session', null, 'DELETE'); } catch (e) { /* the cookie ends with the page anyway */ }
    signedIn(null);
  });

  /* ---- the new-batch form: each message next to its field ---- */
  var batchFields = ['product', 'gtin', 'origin', 'variety', 'grower', 'harvest_date', 'pack_date', 'quantity', 'uom', 'lot'];
  function fieldMsg(form, name, text) {
    var m = form.querySelector('.field-msg[data-for="' + name + '"]');
    m.textContent = text || '';
    form[name].setAttribute('aria-invalid', text ? 'true' : 'false');
    if (text) form[name].setAttribute('aria-describedby', 'msg-' + name);
    m.id = 'msg-' + name;
  }
  /* The field a station error is about: the first field name, or its words, it mentions. */
  function fieldOf(message) {
    var m = String(message).toLowerCase();
    var words = { harvest_date: /harvest/, pack_date: /pack.?date|packed/, uom: /\bunit\b|\buom\b/, quantity: /quantity/ };
    for (var i = 0; i < batchFields.length; i++) {
      var f = batchFields[i];
      if ((words[f] && words[f].test(m)) || new RegExp('\\b' + f + '\\b').test(m)) return f;
    }
    return null;
  }
  document.getElementById('new-batch').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var f = ev.target, spec = {}, bad = false;
    batchFields.forEach(function (k) { fieldMsg(f, k, ''); });
    if (!f.product.value.trim()) { fieldMsg(f, 'product', t('d.required')); bad = true; }
    if (!f.gtin.value.trim()) { fieldMsg(f, 'gtin', t('d.required')); bad = true; }
    else if (!/^[0-9]{8,14}$/.test(f.gtin.value.trim())) { fieldMsg(f, 'gtin', t('d.gtinForm')); bad = true; }
    if (f.quantity.value && !(Number(f.quantity.value) >= 0)) { fieldMsg(f, 'quantity', t('d.notNegative')); bad = true; }
    if (bad) { say(''); return; }
    ['product', 'gtin', 'origin', 'variety', 'grower', 'harvest_date', 'pack_date', 'lot'].forEach(function (k) {
      if (f[k].value.trim()) spec[k] = f[k].value.trim();
    });
    if (f.quantity.value) { spec.quantity = Number(f.quantity.value); spec.uom = f.uom.value; }
    try {
      var b = await post('/api/v1/batches', spec);
      say(t('d.created', { lot: b.lot }));
      f.reset();
    } catch (e) {
      var field = fieldOf(e.message);
      if (field) { fieldMsg(f, field, e.message); say(''); } else say(e.message, true);
    }
    refresh();
  });

  ui.localize();
  ui.langButton(render);
  /* After a reload the cookie may still hold a session: take its CSRF token. */
  ui.api('/api/v1/session').then(signedIn, function () { signedIn(null); }).then(refresh);
  setInterval(refresh, 5000);
})();
