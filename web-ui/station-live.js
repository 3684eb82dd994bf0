/* station-live.js: the live half of the operator dashboard: alerts at the top, each camera's
 * thumbnail refreshed about once a second with its state, the open grading's counters and
 * chart, disk use and retention, and bulk label printing with a progress bar fed by the
 * print queue's job states.
 * Everything here is operator only: requests carry the session cookie and, for writes, the
 * CSRF token station.js got at sign-in (window.ptSession).  Nothing is fetched
 * while the tab is hidden, so a dashboard nobody looks at costs the station nothing. */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, box = ui.empty;
  var signIn = 'sign in (operator token) to see the live state';
  function json(path, opts) { return ui.api(path, Object.assign({ unauthorised: signIn }, opts)); }
  function bytes(n) {
    if (n === null || n === undefined) return '–';
    var u = ['B', 'KB', 'MB', 'GB', 'TB'], i = 0;
    while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return (i ? n.toFixed(1) : String(n)) + ' ' + u[i];
  }
  function ago(iso) {
    var s = Math.max(0, Math.round((Date.now() - new Date(iso)) / 1000));
    return s < 90 ? s + ' s' : s < 5400 ? Math.round(s / 60) + ' min' : Math.round(s / 3600) + ' h';
  }

  /* ---- alerts, disk, retention ---- */
  function renderAlerts(alerts) {
    var b = box('alerts');
    b.hidden = !alerts.length;
    alerts.forEach(function (a) {
      b.appendChild(el('p', { class: 'alert', 'data-kind': a.kind }, [
        el('strong', {}, [a.kind]), ' ', a.text, a.since ? ' (for ' + ago(a.since) + ')' : null]));
    });
  }
  function renderDisk(s) {
    var d = s.disk, r = s.retention, p = s.print;
    var used = d.total_bytes ? Math.round(100 * d.used_bytes / d.total_bytes) : 0;
    box('live-disk').appendChild(el('p', {}, [
      'Disk: ', el('meter', { min: '0', max: '100', value: String(used), high: String(100 - d.low_percent) }, []),
      ' ' + bytes(d.free_bytes) + ' free of ' + bytes(d.total_bytes) + ' (' + d.free_percent.toFixed(1) + '%)',
      ' · recordings ' + bytes(r.recordings_bytes) + (r.quota_bytes ? ' of ' + bytes(r.quota_bytes) + ' quota' : ''),
      ' · keep ' + bytes(r.min_free_bytes) + ' free · clips kept ' + r.evidence_retention_days + ' days',
      ' · print queue: ' + p.queued + ' queued, ' + p.printing + ' printing, ' + p.failed + ' failed']));
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
        cam = cams[c.name] = { img: el('img', { alt: c.name, width: '320', height: '180' }, []), caption: el('figcaption', {}, []) };
        cam.fig = el('figure', { class: 'thumb', 'data-camera': c.name }, [cam.img, cam.caption]);
        grid.appendChild(cam.fig);
      }
      var state = c.state === 'recording' ? 'recording' : c.state + ' since ' + new Date(c.since).toLocaleTimeString();
      cam.caption.textContent = c.name + ' (' + c.role + '): ' + state;
      cam.fig.className = 'thumb ' + c.state;
    });
    Object.keys(cams).forEach(function (n) { if (!seen[n]) { cams[n].fig.remove(); delete cams[n]; } });
  }
  async function refreshThumbs() {
    if (document.hidden) return;
    await Promise.all(Object.keys(cams).map(async function (n) {
      try {
        var r = await ui.api('/api/v1/cameras/' + encodeURIComponent(n) + '/thumbnail.jpg', { accept: 'image/jpeg', raw: true, unauthorised: signIn });
        if (!r.ok) return; /* 503: no frame yet; the next tick tries again */
        var url = URL.createObjectURL(await r.blob()), cam = cams[n];
        if (!cam) { URL.revokeObjectURL(url); return; }
        if (cam.url) URL.revokeObjectURL(cam.url);
        cam.url = url;
        cam.img.src = url;
        cam.fig.dataset.frameTime = r.headers.get('X-Frame-Time') || '';
      } catch (e) { /* shown by the status refresh */ }
    }));
  }

  /* ---- the open grading: counters and a bar chart of the grades ---- */
  async function renderGrading(open) {
    var b = box('live-grading');
    if (!open) { b.appendChild(el('p', {}, ['No grading is open.'])); return; }
    var g = await json('/api/v1/batches/' + open.batch_id + '/grading');
    b.appendChild(el('p', {}, [el('strong', {}, [open.lot]), ' ' + open.product + ' · grading since ' +
      new Date(open.opened).toLocaleTimeString() + ' · ', el('span', { id: 'fruit-count' }, [String(g.fruitCount)]),
      ' fruit · ' + g.meanDiameterMm + ' mm mean · ' + g.estimatedWeightKg + ' kg']));
    b.appendChild(ui.barChart(ui.bars(g.gradeDistribution), { width: 320, value: String }));
  }

  async function refreshStatus() {
    if (document.hidden) return;
    try {
      var s = await json('/api/v1/status');
      renderAlerts(s.alerts);
      renderCameras(s.cameras);
      renderDisk(s);
      await renderGrading(s.grading);
    } catch (e) {
      renderAlerts([{ kind: e.auth ? 'sign-in' : 'station', text: e.message }]);
    }
  }

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
      if (!lots.length) throw new Error('no active batch to print');
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
        msg.textContent = p.done + ' of ' + p.total + ' labels printed' + (p.failed ? ', ' + p.failed + ' failed' : '') +
          (stuck ? ' · ' + stuck.lot + ': ' + stuck.last_error + (stuck.state === 'queued' ? ' (retrying)' : '') : '');
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

  refreshStatus();
  setInterval(refreshStatus, 2000);
  setInterval(refreshThumbs, 1000);
  document.addEventListener('visibilitychange', function () { refreshStatus(); refreshThumbs(); });
})();
