/* station-live.js: the live half of the operator dashboard: the status that feeds the "needs
 * attention" strip (drawn by station.js), each camera's thumbnail refreshed about once a
 * second with its state (shown only once a frame has come), the open grading's counters and
 * chart and the stills of fruit graded below the declared class, disk use and retention, and
 * label printing: the printers of station.ini to choose from (a typed address only when
 * there are none), a progress bar fed by the print queue's job states, and the newest jobs
 * with Retry and Cancel for those that wait or failed.
 * Everything here is operator only: requests carry the session cookie and, for writes, the
 * CSRF token station.js got at sign-in (window.ptSession).  Nothing is fetched while signed
 * out or while the tab is hidden, so a dashboard nobody looks at costs the station nothing. */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, box = ui.empty, t = ui.t;
  function json(path, opts) { return ui.api(path, opts); }
  function signedIn() { return window.ptSession.signedIn(); }
  function bytes(n) {
    if (n === null || n === undefined) return '–';
    var u = ['B', 'KB', 'MB', 'GB', 'TB'], i = 0;
    while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return (i ? n.toFixed(1) : String(n)) + ' ' + u[i];
  }

  /* ---- disk, retention ---- */
  function renderDisk(s) {
    var d = s.disk, r = s.retention, p = s.print;
    var used = d.total_bytes ? Math.round(100 * d.used_bytes / d.total_bytes) : 0;
    box('live-disk').appendChild(el('p', {}, [
      t('d.disk') + ': ', el('meter', { min: '0', max: '100', value: String(used), high: String(100 - d.low_percent), 'aria-label': t('d.disk') }, []),
      ' ' + t('d.freeOf', { free: bytes(d.free_bytes), total: bytes(d.total_bytes) }) + ' (' + d.free_percent.toFixed(1) + '%)',
      ' · ' + t('d.recordings', { n: bytes(r.recordings_bytes) }) + (r.quota_bytes ? ' ' + t('d.quota', { n: bytes(r.quota_bytes) }) : ''),
      ' · ' + t('d.keepFree', { n: bytes(r.min_free_bytes) }) + ' · ' + t('d.clipsKept', { n: r.evidence_retention_days }),
      ' · ' + t('d.printQueue', { q: p.queued, p: p.printing, f: p.failed })]));
  }

  /* ---- cameras: one thumbnail each, refreshed about once a second ---- */
  var cams = {};
  function renderCameras(list) {
    var grid = document.getElementById('live-cams');
    var seen = {};
    list.forEach(function (c) {
      seen[c.name] = true;
      var cam = cams[c.name];
      if (!cam) {
        /* No image until the first frame has decoded: no broken picture meanwhile. */
        cam = cams[c.name] = { img: null,
          wait: el('div', { class: 'no-frame' }, [t('d.waitingFrame')]), caption: el('figcaption', {}, []) };
        cam.watch = el('button', { type: 'button', class: 'watch-live' }, []);
        cam.watch.addEventListener('click', watchLive.bind(null, c.name));
        cam.fig = el('figure', { class: 'thumb', 'data-camera': c.name }, [cam.wait, cam.caption, cam.watch]);
        grid.appendChild(cam.fig);
      }
      cam.watch.textContent = t('d.watchLive');
      var state = c.state === 'recording' ? c.state : c.state + ' ' + t('d.since', { when: ui.stamp(c.since) });
      cam.wait.textContent = t('d.waitingFrame');
      cam.caption.textContent = c.name + ' (' + c.role + '): ' + state;
      cam.fig.className = 'thumb ' + c.state;
    });
    Object.keys(cams).forEach(function (n) { if (!seen[n]) { cams[n].fig.remove(); delete cams[n]; } });
  }
  /* ---- live view: the camera's HLS playlist in a <video> ----
   * The station runs a camera's live branch only while its playlist is asked for: closing
   * the player (or signing out, or hiding the tab) stops the requests and the branch goes a
   * few seconds later.  The playlist is asked for once first, so a camera that is down is said
   * in words (the station's reason) rather than as a black video.  Where the browser has Media
   * Source Extensions the vendored hls.js plays it one segment behind the newest (about 2 s
   * glass to glass); elsewhere (iOS Safari) the browser's own HLS player does, three segments
   * behind (HLS's rule for live playlists, about 4 s), since it can neither seek nor speed up
   * in a live stream. */
  var liveCam = null, hls = null;
  function liveMsg(text, bad) { ui.say('live-msg', text, bad); }
  function stopLive() {
    var v = document.getElementById('live-video');
    liveCam = null;
    if (hls) { hls.destroy(); hls = null; }
    v.pause();
    v.removeAttribute('src');
    v.load();
    document.getElementById('live-view').hidden = true;
  }
  async function watchLive(name) {
    var v = document.getElementById('live-video'), view = document.getElementById('live-view');
    var url = '/api/v1/cameras/' + encodeURIComponent(name) + '/live/index.m3u8';
    stopLive();
    liveCam = name;
    view.hidden = false;
    view.dataset.camera = name;
    document.getElementById('live-title').textContent = t('d.liveOf', { cam: name });
    liveMsg(t('d.liveStarting'));
    var r;
    try { r = await ui.api(url, { accept: 'application/vnd.apple.mpegurl', raw: true }); } catch (e) { r = null; }
    if (liveCam !== name) return;
    if (!r || !r.ok) {
      var why = r ? ((await r.json().catch(function () { return {}; })).error || r.statusText) : t('d.liveFailed');
      liveMsg(t('d.liveDown', { why: why }), true);
      return;
    }
    v.onplaying = function () { if (liveCam === name) liveMsg(''); };
    v.onerror = function () { if (liveCam === name) liveMsg(t('d.liveFailed'), true); };
    var Hls = window.MediaSource ? await ui.loadHls() : null;
    if (liveCam !== name) return;
    if (Hls && Hls.isSupported()) {
      view.dataset.player = 'hls.js';
      hls = new Hls({ enableWorker: false, liveSyncDurationCount: 1, liveMaxLatencyDurationCount: 3,
        maxLiveSyncPlaybackRate: 1.5, backBufferLength: 4 });
      hls.on(Hls.Events.ERROR, function (ev, data) {
        if (data.fatal && liveCam === name) liveMsg(t('d.liveFailed'), true);
      });
      hls.loadSource(url);
      hls.attachMedia(v);
    } else {
      view.dataset.player = 'native';
      v.src = url;
    }
    v.play().catch(function () { /* autoplay refused: the controls start it */ v.controls = true; });
  }
  document.getElementById('live-close').addEventListener('click', stopLive);
  document.addEventListener('visibilitychange', function () { if (document.hidden && liveCam) stopLive(); });

  function dropCameras() {
    if (liveCam) stopLive();
    Object.keys(cams).forEach(function (n) { if (cams[n].url) URL.revokeObjectURL(cams[n].url); cams[n].fig.remove(); delete cams[n]; });
  }
  async function refreshThumbs() {
    if (document.hidden || !signedIn()) return;
    await Promise.all(Object.keys(cams).map(async function (n) {
      try {
        var r = await ui.api('/api/v1/cameras/' + encodeURIComponent(n) + '/thumbnail.jpg', { accept: 'image/jpeg', raw: true });
        if (!r.ok) return; /* 503: no frame yet; the next tick tries again */
        var url = URL.createObjectURL(await r.blob()), cam = cams[n];
        if (!cam) { URL.revokeObjectURL(url); return; }
        var frameTime = r.headers.get('X-Frame-Time') || '';
        /* The new frame replaces the shown one only once decoded: never a half-loaded or
         * broken picture between two frames. */
        var next = el('img', { alt: n, width: '320', height: '180' }, []);
        next.onerror = function () { URL.revokeObjectURL(url); };
        next.onload = function () {
          if (cams[n] !== cam) { URL.revokeObjectURL(url); return; }
          if (cam.url) URL.revokeObjectURL(cam.url);
          cam.url = url;
          if (cam.img) cam.fig.replaceChild(next, cam.img);
          else cam.fig.insertBefore(next, cam.wait);
          cam.img = next;
          cam.wait.hidden = true;
          cam.fig.dataset.frameTime = frameTime;
        };
        next.src = url;
      } catch (e) { /* shown by the status refresh */ }
    }));
  }

  /* ---- grading: open one, its live counters, chart and tolerance check, close it ---- */
  function gradingMsg(text, bad) { ui.say('grading-msg', text, bad); }
  /* The form that opens a grading on an active batch, for the grading camera to fill: made
   * once, its batch choices brought up to date (the choice kept) at each refresh. */
  var gradingForm = null;
  function openForm() {
    if (!gradingForm) {
      var pick = el('select', { name: 'batch' }, []);
      var cls = el('select', { name: 'declared_class' }, ['Extra', 'I', 'II'].map(function (c) {
        return el('option', c === 'I' ? { value: c, selected: '' } : { value: c }, [c]);
      }));
      gradingForm = el('form', { id: 'grading-open', class: 'ops' }, [
        el('label', {}, [el('span', { class: 'lbl-lot' }, []), ' ', pick]), el('label', {}, [el('span', { class: 'lbl-class' }, []), ' ', cls]),
        el('button', { type: 'submit' }, [])]);
      gradingForm.addEventListener('submit', async function (ev) {
        ev.preventDefault();
        if (!pick.value) return;
        try {
          var g = await json('/api/v1/batches/' + pick.value + '/grading/open', { method: 'POST', body: { declared_class: cls.value } });
          gradingMsg(t('d.gradingOpened', { cls: g.declaredClass }));
        } catch (e) { gradingMsg(e.message, true); }
        refreshStatus();
      });
    }
    gradingForm.querySelector('.lbl-lot').textContent = t('d.c.lot');
    gradingForm.querySelector('.lbl-class').textContent = t('declared');
    gradingForm.querySelector('button').textContent = t('d.openGrading');
    var sel = gradingForm.batch, keep = sel.value;
    var active = (window.ptSession.batches() || []).filter(function (x) { return x.status === 'active'; });
    var want = active.map(function (x) { return x.id + ':' + x.lot + ' · ' + x.product; }).join('|');
    if (sel.dataset.list !== want) {
      sel.textContent = '';
      active.forEach(function (x) { sel.appendChild(el('option', { value: String(x.id) }, [x.lot + ' · ' + x.product])); });
      sel.dataset.list = want;
      if (keep && active.some(function (x) { return String(x.id) === keep; })) sel.value = keep;
    }
    return gradingForm;
  }
  /* The lot tolerances as the close would decide them now: each one broken is a warning. */
  function toleranceList(g) {
    var broken = (g.tolerances || []).filter(function (c) { return !c.met; });
    if (!g.fruitCount) return null;
    if (!broken.length) return el('p', { class: 'tolerance ok' }, [t('d.withinTolerance')]);
    return el('div', { class: 'tolerance bad', role: 'alert' }, [el('strong', {}, [t('d.outsideTolerance')]),
      el('ul', {}, broken.map(function (c) {
        return el('li', {}, [t('d.tol.' + c.check) + ': ' + t('d.tolLine', { n: c.fruit, pct: c.percent, limit: c.limitPercent })]);
      }))]);
  }
  async function closeGrading(open) {
    if (!window.confirm(t('d.closeGradingConfirm', { lot: open.lot }))) return;
    try {
      var g = await json('/api/v1/batches/' + open.batch_id + '/grading/close', { method: 'POST' });
      gradingMsg(t('d.gradingClosed', { lot: g.lot, verdict: t(g.disposition === 'conformant' ? 'd.gradeOk' : 'd.gradeBad') }), g.disposition !== 'conformant');
    } catch (e) { gradingMsg(e.message, true); }
    refreshStatus();
    window.ptSession.refresh();
  }
  /* The stills the grading keeps of fruit below the declared class, newest first: each
   * JPEG is served once and then kept by the browser (it never changes). */
  function defectWord(s) {
    if (!s.defect_kind) return t('d.noDefect');
    var w = t('d.defect.' + s.defect_kind);
    return w === 'd.defect.' + s.defect_kind ? s.defect_kind : w;
  }
  function stillsPanel(g, st) {
    var cls = g.declaredClass, kids = [el('h3', {}, [t('d.stills', { cls: cls })])];
    if (!st.stills.length) return el('div', { class: 'stills' }, kids.concat([el('p', {}, [t('d.noStills', { cls: cls })])]));
    return el('div', { class: 'stills' }, kids.concat([el('ul', {}, st.stills.map(function (f) {
      var klass = f.class === 'out' ? t('d.cls.out') : f.class;
      var caption = klass + ' · ' + defectWord(f) + (f.defect_area_mm2 ? ' · ' + f.defect_area_mm2 + ' mm²' : '') +
        ' · ⌀ ' + f.diameter_mm + ' mm';
      return el('li', {}, [el('figure', { class: 'still', 'data-fruit': String(f.fruit), 'data-class': f.class }, [
        el('img', { src: f.url, alt: t('d.stillAlt', { cls: klass, defect: defectWord(f) }), width: '160', height: '160' }, []),
        el('figcaption', {}, [caption])])]);
    }))]));
  }
  async function renderGrading(open) {
    if (!open) { box('live-grading').append(el('p', {}, [t('d.noGrading')]), openForm()); return; }
    var g = await json('/api/v1/batches/' + open.batch_id + '/grading');
    var st = await json('/api/v1/batches/' + open.batch_id + '/grading/stills');
    var close = el('button', { type: 'button', 'data-action': 'close-grading' }, [t('d.closeGrading')]);
    close.addEventListener('click', function () { closeGrading(open); });
    box('live-grading').append(el('p', {}, [el('strong', {}, [open.lot]), ' ' + open.product + ' · ' + t('declared') + ' ' + g.declaredClass + ' · ' +
      t('d.gradingSince', { when: ui.stamp(open.opened) }) + ' · ', el('span', { id: 'fruit-count' }, [String(g.fruitCount)]),
      ' ' + t('d.fruit') + ' · ' + g.meanDiameterMm + ' ' + t('d.mmMean') + ' · ' + g.estimatedWeightKg + ' kg ', close]),
      toleranceList(g), ui.barChart(ui.bars(g.gradeDistribution), { width: 320, value: String, label: t('grade') }),
      stillsPanel(g, st));
  }

  async function refreshStatus() {
    if (document.hidden || !signedIn()) return;
    try {
      var s = await json('/api/v1/status');
      if (!signedIn()) return;
      window.ptSession.status(s);
      renderCameras(s.cameras);
      renderDisk(s);
      renderPrinters(s.print.printers);
      await renderJobs();
      await renderGrading(s.grading);
    } catch (e) {
      if (!e.auth) window.ptSession.status({ alerts: [{ kind: 'station', text: e.message }] });
    }
  }
  window.ptSession.refreshLive = refreshStatus;

  /* ---- printers: those of station.ini by name; a typed address only when there are none ---- */
  var form = document.getElementById('bulk-print');
  function printerName(p) { return (p.label || p.name) + ' (' + (p.label ? p.name + ', ' : '') + p.address + ')'; }
  function renderPrinters(list) {
    var configured = (list || []).filter(function (p) { return p.configured; });
    var sel = form.printer, addr = form.address;
    sel.hidden = sel.disabled = !configured.length;
    addr.hidden = addr.disabled = configured.length > 0;
    var want = configured.map(printerName).join('|');
    if (sel.dataset.list === want) return;
    var keep = sel.value || localStorage.getItem('pt-printer-name');
    sel.textContent = '';
    configured.forEach(function (p) { sel.appendChild(el('option', { value: p.name }, [printerName(p)])); });
    var def = configured.filter(function (p) { return p.default; })[0];
    if (keep && configured.some(function (p) { return p.name === keep; })) sel.value = keep;
    else if (def) sel.value = def.name;
    sel.dataset.list = want;
  }

  /* ---- the newest print jobs: a waiting or failed one can be retried or cancelled ---- */
  function jobError(e) {
    var b = e.body || {};
    if (b.params && b.params.state) b = Object.assign({}, b, { params: Object.assign({}, b.params, { state: t('d.j.' + b.params.state) }) });
    return b.code ? ui.error(b, e.status) : e.message;
  }
  async function jobAction(j, action) {
    try {
      await json('/api/v1/print-jobs/' + j.id + '/' + action, { method: 'POST' });
      ui.say('print-msg', t(action === 'retry' ? 'd.jobRetried' : 'd.jobCancelled', { id: j.id, lot: j.lot }));
    } catch (e) { ui.say('print-msg', jobError(e), true); }
    refreshStatus();
  }
  function jobButton(j, action, text, label) {
    var b = el('button', { type: 'button', 'data-action': action + '-job', 'data-job': String(j.id), 'aria-label': label }, [text]);
    b.addEventListener('click', function () { jobAction(j, action); });
    return b;
  }
  async function renderJobs() {
    var r = await json('/api/v1/print-jobs');
    var jobs = r.jobs.slice(0, 10);
    if (!jobs.length) { box('print-jobs').appendChild(el('p', {}, [t('d.noPrintJob')])); return; }
    box('print-jobs').appendChild(ui.table([t('d.c.job'), t('d.c.lot'), t('d.c.printer'), t('d.c.jobState'), t('d.c.tries'),
      t('d.c.problem'), t('d.c.actions')], jobs.map(function (j) {
      var retrying = j.state === 'queued' && j.attempts > 0, state = retrying ? 'retrying' : j.state;
      var kind = j.error_kind && t('d.pk.' + j.error_kind) !== 'd.pk.' + j.error_kind ? t('d.pk.' + j.error_kind) : j.last_error;
      var acts = [];
      if (retrying || j.state === 'failed') acts.push(jobButton(j, 'retry', t('d.retryJob'), t('d.retryJobLabel', { id: j.id, lot: j.lot })));
      if (j.state === 'queued' || j.state === 'failed') {
        acts.push(' ', jobButton(j, 'cancel', t('d.cancelJob'), t('d.cancelJobLabel', { id: j.id, lot: j.lot })));
      }
      return [String(j.id), j.lot, j.printer_name ? (j.printer_label || j.printer_name) : j.printer,
        el('span', { class: 'job-state ' + state, 'data-job': String(j.id) }, [t('d.j.' + state)]),
        String(j.attempts), j.state === 'done' || j.state === 'cancelled' || !kind ? '' : kind, el('span', {}, acts)];
    }), 'print-jobs'));
  }

  /* ---- bulk label printing: progress is the print queue's own job states ---- */
  async function bulkPrint(ev) {
    ev.preventDefault();
    var f = ev.target, msg = box('print-msg'), bar = document.getElementById('print-progress');
    var lots = f.lots.value.split(/[\s,]+/).filter(Boolean);
    var printer = f.printer.disabled ? f.address.value : f.printer.value;
    try {
      if (!lots.length) {
        var list = await json('/api/v1/batches?limit=100');
        lots = list.batches.filter(function (b) { return b.status === 'active'; }).map(function (b) { return b.lot; });
      }
      if (!lots.length) throw new Error(t('d.noActive'));
      localStorage.setItem(f.printer.disabled ? 'pt-printer' : 'pt-printer-name', printer);
      var body = { batches: lots, printer: printer, copies: Number(f.copies.value) || 1 };
      var r = await json('/api/v1/print-jobs', { method: 'POST', body: body });
      var ids = r.jobs.map(function (j) { return j.id; }).join(',');
      bar.max = r.jobs.length;
      bar.value = 0;
      bar.hidden = false;
      for (;;) {
        var p = await json('/api/v1/print-jobs?ids=' + ids);
        bar.value = p.done;
        var stuck = p.jobs.filter(function (j) { return j.last_error && j.state !== 'done'; })[0];
        msg.textContent = t('d.printed', { done: p.done, total: p.total }) + (p.failed ? t('d.failedN', { n: p.failed }) : '') +
          (stuck ? ' · ' + stuck.lot + ': ' + stuck.last_error + (stuck.state === 'queued' ? ' ' + t('d.retrying') : '') : '');
        if (p.done + p.failed + p.cancelled >= p.total) break;
        await new Promise(function (res) { setTimeout(res, 1000); });
      }
    } catch (e) {
      var queued = e.body && e.body.jobs ? ' (' + e.body.jobs.length + ' queued before it)' : '';
      msg.textContent = (e.body && e.body.code ? ui.error(e.body, e.status) : e.message) + queued;
    }
  }
  form.address.value = localStorage.getItem('pt-printer') || '';
  form.addEventListener('submit', bulkPrint);

  document.addEventListener('pt-session', function (ev) {
    if (ev.detail) refreshStatus();
    else { dropCameras(); box('live-grading'); box('live-disk'); box('print-jobs'); }
  });
  document.addEventListener('pt-lang', refreshStatus);
  /* The grading form offers the listed batches: drawn again once they are known. */
  document.addEventListener('pt-batches', function () { if (document.getElementById('grading-open')) refreshStatus(); });
  setInterval(refreshStatus, 2000);
  setInterval(refreshThumbs, 1000);
  document.addEventListener('visibilitychange', function () { refreshStatus(); refreshThumbs(); });
})();
