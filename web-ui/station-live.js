/* station-live.js: the live half of the operator dashboard: the status that feeds the "needs
 * attention" strip (drawn by station.js), each camera's thumbnail refreshed about once a
 * second with its state (shown only once a frame has come), the open grading's counters and
 * chart, disk use and retention, and bulk label printing with a progress bar fed by the
 * print queue's job states.
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
        /* The image stays hidden until its first frame: no broken picture meanwhile. */
        cam = cams[c.name] = { img: el('img', { alt: c.name, width: '320', height: '180', hidden: '' }, []),
          wait: el('div', { class: 'no-frame' }, [t('d.waitingFrame')]), caption: el('figcaption', {}, []) };
        cam.fig = el('figure', { class: 'thumb', 'data-camera': c.name }, [cam.img, cam.wait, cam.caption]);
        grid.appendChild(cam.fig);
      }
      var state = c.state === 'recording' ? c.state : c.state + ' ' + t('d.since', { when: ui.stamp(c.since) });
      cam.wait.textContent = t('d.waitingFrame');
      cam.caption.textContent = c.name + ' (' + c.role + '): ' + state;
      cam.fig.className = 'thumb ' + c.state;
    });
    Object.keys(cams).forEach(function (n) { if (!seen[n]) { cams[n].fig.remove(); delete cams[n]; } });
  }
  function dropCameras() {
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
        if (cam.url) URL.revokeObjectURL(cam.url);
        cam.url = url;
        cam.img.onload = function () { cam.img.hidden = false; cam.wait.hidden = true; };
        cam.img.src = url;
        cam.fig.dataset.frameTime = r.headers.get('X-Frame-Time') || '';
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
  async function renderGrading(open) {
    if (!open) { box('live-grading').append(el('p', {}, [t('d.noGrading')]), openForm()); return; }
    var g = await json('/api/v1/batches/' + open.batch_id + '/grading');
    var close = el('button', { type: 'button', 'data-action': 'close-grading' }, [t('d.closeGrading')]);
    close.addEventListener('click', function () { closeGrading(open); });
    box('live-grading').append(el('p', {}, [el('strong', {}, [open.lot]), ' ' + open.product + ' · ' + t('declared') + ' ' + g.declaredClass + ' · ' +
      t('d.gradingSince', { when: ui.stamp(open.opened) }) + ' · ', el('span', { id: 'fruit-count' }, [String(g.fruitCount)]),
      ' ' + t('d.fruit') + ' · ' + g.meanDiameterMm + ' ' + t('d.mmMean') + ' · ' + g.estimatedWeightKg + ' kg ', close]),
      toleranceList(g), ui.barChart(ui.bars(g.gradeDistribution), { width: 320, value: String, label: t('grade') }));
  }

  async function refreshStatus() {
    if (document.hidden || !signedIn()) return;
    try {
      var s = await json('/api/v1/status');
      if (!signedIn()) return;
      window.ptSession.status(s);
      renderCameras(s.cameras);
      renderDisk(s);
      await renderGrading(s.grading);
    } catch (e) {
      if (!e.auth) window.ptSession.status({ alerts: [{ kind: 'station', text: e.message }] });
    }
  }
  window.ptSession.refreshLive = refreshStatus;

  /* ---- bulk label printing: progress is the print queue's own job states ---- */
  async function bulkPrint(ev) {
    ev.preventDefault();
    var f = ev.target, msg = box('print-msg'), bar = document.getElementById('print-progress');
    var lots = f.lots.value.split(/[\s,]+/).filter(Boolean);
    try {
      if (!lots.length) {
        var list = await json('/api/v1/batches?limit=100');
        lots = list.batches.filter(function (b) { return b.status === 'active'; }).map(function (b) { return b.lot; });
      }
      if (!lots.length) throw new Error(t('d.noActive'));
      localStorage.setItem('pt-printer', f.printer.value);
      var body = { batches: lots, printer: f.printer.value, copies: Number(f.copies.value) || 1 };
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
        if (p.done + p.failed >= p.total) break;
        await new Promise(function (res) { setTimeout(res, 1000); });
      }
    } catch (e) {
      var queued = e.body && e.body.jobs ? ' (' + e.body.jobs.length + ' queued before it)' : '';
      msg.textContent = e.message + queued;
    }
  }
  var form = document.getElementById('bulk-print');
  form.printer.value = localStorage.getItem('pt-printer') || '';
  form.addEventListener('submit', bulkPrint);

  document.addEventListener('pt-session', function (ev) {
    if (ev.detail) refreshStatus();
    else { dropCameras(); box('live-grading'); box('live-disk'); }
  });
  document.addEventListener('pt-lang', refreshStatus);
  /* The grading form offers the listed batches: drawn again once they are known. */
  document.addEventListener('pt-batches', function () { if (document.getElementById('grading-open')) refreshStatus(); });
  setInterval(refreshStatus, 2000);
  setInterval(refreshThumbs, 1000);
  document.addEventListener('visibilitychange', function () { refreshStatus(); refreshThumbs(); });
})();
