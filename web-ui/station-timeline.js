/* station-timeline.js: the recordings timeline of the operator dashboard.  Per camera, a
 * day's bar (the reader's local day) of recorded spans, gaps (their reason on hover), the
 * batch and load events the camera filmed; a click plays from that moment, the recording's
 * segments chained one after the other; a drag selects a range to export as a clip, shown
 * with its SHA-256 and a download link; a line saying what is kept how long, and one saying
 * whether the camera has a privacy mask.
 *
 * The API answers in UTC (/api/v1/timeline, /at, /segments/{id}, /export); only this page
 * speaks local time.  Segments are Matroska H.264 as recorded, played by the browser's own
 * video element with HTTP Range.  Nothing is fetched while signed out or the tab is hidden. */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, svg = ui.svg, t = ui.t;
  ui.strings({
    'd.timeline': ['Recordings', '录像回放'],
    'd.tlCamera': ['Camera', '摄像头'], 'd.tlDay': ['Day', '日期'],
    'd.tlZoom': ['Zoom', '缩放'], 'd.tlWholeDay': ['whole day', '全天'], 'd.tlHour': ['1 hour', '1 小时'], 'd.tlFiveMin': ['5 minutes', '5 分钟'],
    'd.tlFrom': ['From', '从'], 'd.tlTo': ['To', '到'], 'd.tlExport': ['Export clip', '导出片段'],
    'd.tlHint': ['Click the bar to play from that moment; drag to select a range to export.', '点击时间条从该时刻播放；拖动选择要导出的时间段。'],
    'd.tlKept': ['Recordings of this camera are kept {days} days so far (oldest {oldest}), within {budget}; evidence clips are kept {clips} days.', '此摄像头的录像目前保留 {days} 天（最早 {oldest}），限于{budget}；证据片段保留 {clips} 天。'],
    'd.tlNone': ['Nothing of this camera is recorded yet; evidence clips are kept {clips} days.', '此摄像头尚无录像；证据片段保留 {clips} 天。'],
    'd.tlBudget': ['a quota of {quota} and {free} kept free', '配额 {quota}，并保留 {free} 可用空间'],
    'd.tlBudgetFree': ['{free} kept free on disk', '磁盘保留 {free} 可用空间'],
    'd.tlBudgetNone': ['the disk', '磁盘容量'],
    'd.tlMasked': ['Privacy mask: {n} rectangle(s) {style} in the live view, clips and thumbnails; the recordings themselves are kept unmasked.', '隐私遮挡：{n} 个区域在实时画面、片段和缩略图中{style}；录像本身保留原样。'],
    'd.tlMaskblack': ['blacked out', '涂黑'], 'd.tlMaskblur': ['blurred', '模糊处理'],
    'd.tlUnmasked': ['No privacy mask: viewers see the whole frame.', '未设隐私遮挡：观看者可见完整画面。'],
    'd.tlGap': ['not recorded', '未录像'],
    'd.tlPlaying': ['Playing {camera} from {time}', '正在播放 {camera}，自 {time}'],
    'd.tlFromGap': ['{time} was not recorded: playing from the next recording, {next}', '{time} 未录像：从下一段录像播放，{next}'],
    'd.tlNothing': ['Nothing recorded at or after {time}', '{time} 及以后没有录像'],
    'd.tlExported': ['Clip {from} – {to}, {bytes} bytes, SHA-256', '片段 {from} – {to}，{bytes} 字节，SHA-256'],
    'd.tlDownload': ['Download', '下载'],
    'd.tlEvent': ['{step} · lot {lot}', '{step} · 批号 {lot}'], 'd.tlLoad': ['load {id}', '装车单 {id}']
  });
  /* station.js wrote the page's fixed text before these strings were known. */
  ui.localize();

  var W = 960, BAR_Y = 18, BAR_H = 28, H = 66, DAY_MS = 86400000;
  var state = { head: null, camera: null, dayStart: 0, dayEnd: 0, viewStart: 0, viewEnd: 0, answer: null, spot: null, sel: null, clickAt: 0 };
  var video = document.getElementById('tl-video');
  var cameraSel = document.getElementById('tl-camera'), dayIn = document.getElementById('tl-day');
  var form = document.getElementById('tl-export'), zoomSel = document.getElementById('tl-zoom');

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function dayString(d) { return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()); }
  function clock(ms) { var d = new Date(ms); return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); }
  function iso(ms) { return new Date(ms).toISOString(); }
  function xOf(ms) { return Math.max(0, Math.min(W, (ms - state.viewStart) * W / (state.viewEnd - state.viewStart))); }
  function msOf(x) { return state.viewStart + x * (state.viewEnd - state.viewStart) / W; }
  /* The part of the day the bar shows: all of it, or the zoom's span around @centre (the
   * latest recording by default), kept inside the day. */
  function setView(centre) {
    var span = +zoomSel.value || (state.dayEnd - state.dayStart);
    if (span >= state.dayEnd - state.dayStart) { state.viewStart = state.dayStart; state.viewEnd = state.dayEnd; return; }
    if (centre === undefined) {
      var spans = state.answer ? state.answer.spans : [];
      centre = spans.length ? Date.parse(spans[spans.length - 1].to) : Math.min(Date.now(), state.dayEnd);
    }
    state.viewStart = Math.max(state.dayStart, Math.min(state.dayEnd - span, centre - span / 2));
    state.viewEnd = state.viewStart + span;
  }
  function say(text, bad) { ui.say('tl-msg', text, bad); }
  /* The local day chosen in the picker: its first and last instant, DST days included. */
  function setDay() {
    var p = (dayIn.value || dayString(new Date())).split('-');
    var d = new Date(+p[0], +p[1] - 1, +p[2]);
    state.dayStart = d.getTime();
    state.dayEnd = new Date(+p[0], +p[1] - 1, +p[2] + 1).getTime();
  }

  function bytes(n) {
    var u = ['B', 'KB', 'MB', 'GB', 'TB'], i = 0;
    while (n >= 1000 && i < u.length - 1) { n /= 1000; i++; }
    return (i ? n.toFixed(1) : String(n)) + ' ' + u[i];
  }
  function renderRetention(r) {
    var budget = r.quota_bytes ? t('d.tlBudget', { quota: bytes(r.quota_bytes), free: bytes(r.min_free_bytes) })
      : r.min_free_bytes ? t('d.tlBudgetFree', { free: bytes(r.min_free_bytes) }) : t('d.tlBudgetNone');
    document.getElementById('tl-retention').textContent = r.oldest
      ? t('d.tlKept', { days: r.kept_days < 1 ? r.kept_days.toFixed(2) : r.kept_days.toFixed(1), oldest: dayString(new Date(r.oldest)) + ' ' + clock(Date.parse(r.oldest)).slice(0, 5), budget: budget, clips: r.evidence_days })
      : t('d.tlNone', { clips: r.evidence_days });
    var m = r.privacy_mask;
    document.getElementById('tl-privacy').textContent = m
      ? t('d.tlMasked', { n: m.rects.length, style: t('d.tlMask' + m.style) })
      : t('d.tlUnmasked');
  }

  function rect(cls, from, to, title, data) {
    var x = xOf(from), r = svg('rect', { class: cls, x: x, y: BAR_Y, height: BAR_H, width: Math.max(1, xOf(to) - x) });
    for (var k in data || {}) r.setAttribute('data-' + k, data[k]);
    r.appendChild(svg('title', {}, title));
    return r;
  }
  function renderBar() {
    var a = state.answer, box = ui.empty('tl-bar');
    var s = svg('svg', { class: 'timeline', viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'data-view-from': iso(state.viewStart), 'data-view-to': iso(state.viewEnd), 'aria-label': t('d.timeline') + ' ' + a.camera + ' ' + dayString(new Date(state.dayStart)) });
    s.appendChild(svg('rect', { class: 'tl-day', x: 0, y: BAR_Y, width: W, height: BAR_H }));
    var span = state.viewEnd - state.viewStart, step = span > 6 * 3600000 ? 3 * 3600000 : span > 1800000 ? 600000 : 60000;
    for (var tick = Math.ceil(state.viewStart / step) * step; tick <= state.viewEnd; tick += step) {
      var x = xOf(tick), d = new Date(tick);
      s.appendChild(svg('line', { class: 'tl-tick', x1: x, x2: x, y1: BAR_Y + BAR_H, y2: BAR_Y + BAR_H + 5 }));
      s.appendChild(svg('text', { class: 'tl-hour', x: Math.max(0, Math.min(W - 30, x - 15)), y: H - 2 }, pad(d.getHours()) + ':' + pad(d.getMinutes())));
    }
    a.spans.forEach(function (sp) {
      var from = Date.parse(sp.from), to = Date.parse(sp.to);
      s.appendChild(rect(sp.recording ? 'tl-span tl-recording' : 'tl-span', from, to, clock(from) + ' – ' + clock(to) + ' · ' + sp.segments));
    });
    a.gaps.forEach(function (g) {
      var from = Date.parse(g.from), to = g.to ? Date.parse(g.to) : Date.parse(a.now);
      s.appendChild(rect('tl-gap tl-' + g.kind, from, Math.max(to, from + 1), t('d.tlGap') + ' ' + clock(from) + ' – ' + clock(to) + ': ' + g.reason, { reason: g.reason }));
    });
    a.events.forEach(function (e) {
      var ms = Date.parse(e.time), x = xOf(ms);
      var m = svg('path', { class: 'tl-event tl-' + e.step, d: 'M' + (x - 5) + ' 2 L' + (x + 5) + ' 2 L' + x + ' ' + (BAR_Y - 2) + ' Z', 'data-seq': e.seq, 'data-load': e.load_id || '' });
      m.appendChild(svg('title', {}, clock(ms) + ' ' + t('d.tlEvent', { step: e.step, lot: e.lot }) + (e.load_id ? ' · ' + t('d.tlLoad', { id: e.load_id }) : '')));
      m.addEventListener('click', function (ev) { ev.stopPropagation(); playAt(ms); });
      s.appendChild(m);
    });
    if (state.sel) {
      var lo = Math.min(state.sel[0], state.sel[1]), hi = Math.max(state.sel[0], state.sel[1]);
      s.appendChild(svg('rect', { class: 'tl-sel', x: xOf(lo), y: BAR_Y - 3, width: Math.max(1, xOf(hi) - xOf(lo)), height: BAR_H + 6 }));
    }
    state.head = svg('line', { class: 'tl-head', x1: 0, x2: 0, y1: BAR_Y - 4, y2: BAR_Y + BAR_H + 4, visibility: 'hidden' });
    s.appendChild(state.head);
    moveHead();
    bindPointer(s);
    box.appendChild(s);
  }

  /* Click: play from there.  Drag: select a range for the export form. */
  function bindPointer(s) {
    var down = null;
    function at(ev) { var b = s.getBoundingClientRect(); return msOf((ev.clientX - b.left) * W / b.width); }
    s.addEventListener('pointerdown', function (ev) { down = { x: ev.clientX, ms: at(ev) }; });
    s.addEventListener('pointerup', function (ev) {
      if (!down) return;
      var ms = at(ev);
      if (Math.abs(ev.clientX - down.x) < 4) { state.clickAt = performance.now(); playAt(ms); }
      else { select(down.ms, ms); }
      down = null;
    });
  }
  function select(a, b) {
    state.sel = [Math.min(a, b), Math.max(a, b)];
    form.elements.from.value = clock(state.sel[0]);
    form.elements.to.value = clock(state.sel[1]);
    renderBar();
  }

  async function load() {
    if (document.hidden || !window.ptSession.signedIn() || !state.camera) return;
    setDay();
    try {
      state.answer = await ui.api('/api/v1/timeline?camera=' + encodeURIComponent(state.camera) + '&from=' + iso(state.dayStart) + '&to=' + iso(state.dayEnd));
      renderRetention(state.answer.retention);
      if (!state.viewEnd || state.viewStart < state.dayStart || state.viewEnd > state.dayEnd) setView();
      renderBar();
    } catch (e) { ui.empty('tl-bar').appendChild(el('p', { class: 'verify bad' }, [e.message])); }
  }
  async function cameras() {
    var s = await ui.api('/api/v1/cameras'), names = s.cameras.map(function (c) { return c.name; });
    var had = state.camera;
    cameraSel.textContent = '';
    names.forEach(function (n) { cameraSel.appendChild(el('option', { value: n }, [n])); });
    state.camera = names.indexOf(had) >= 0 ? had : names[0] || null;
    if (state.camera) cameraSel.value = state.camera;
  }

  /* Plays the segment of @spot (an /at answer) from @offset seconds: on a masked camera a
   * piece of it (spot.segment.piece), masked by the station at its first request. */
  function start(spot, offset) {
    state.spot = spot;
    video.dataset.segment = spot.segment.id;
    if (spot.segment.piece !== undefined) video.dataset.piece = spot.segment.piece;
    else delete video.dataset.piece;
    video.src = spot.segment.url + (offset > 0 ? '#t=' + offset.toFixed(3) : '');
    var p = video.play();
    if (p) p.catch(function (e) { if (e.name !== 'AbortError') say(e.message, true); });
  }
  async function playAt(ms) {
    try {
      var spot = await ui.api('/api/v1/timeline/at?camera=' + encodeURIComponent(state.camera) + '&t=' + iso(ms));
      say(spot.in_gap ? t('d.tlFromGap', { time: clock(ms), next: clock(Date.parse(spot.segment.start)) })
        : t('d.tlPlaying', { camera: state.camera, time: clock(ms) }));
      start(spot, spot.offset);
    } catch (e) { say(e.status === 404 ? t('d.tlNothing', { time: clock(ms) }) : e.message, true); }
  }
  /* The segment played to its end: the next one, found again by its middle so that its own
   * successor comes with it. */
  video.addEventListener('ended', async function () {
    var next = state.spot && state.spot.next;
    if (!next) return;
    var mid = (Date.parse(next.start) + Date.parse(next.end)) / 2;
    try {
      start(await ui.api('/api/v1/timeline/at?camera=' + encodeURIComponent(state.camera) + '&t=' + iso(mid)), 0);
    } catch (e) { say(e.message, true); }
  });
  /* Once a masked piece plays, one byte of the next is asked for: the station masks it while
   * this one plays, and the switch does not wait for an encode (asked earlier, the two encodes
   * would share the cores and slow the seek). */
  video.addEventListener('playing', function () {
    var next = state.spot && state.spot.next;
    if (next && next.piece !== undefined && state.prefetched !== next.url) {
      state.prefetched = next.url;
      ui.api(next.url, { accept: 'video/mp4', raw: true, headers: { Range: 'bytes=0-0' } }).catch(function () {});
    }
    if (state.clickAt) { video.dataset.seekMs = String(Math.round(performance.now() - state.clickAt)); state.clickAt = 0; }
  });
  /* The play head: where on the bar the frame shown was recorded. */
  function moveHead() {
    if (!state.head || !state.spot) return;
    var x = xOf(Date.parse(state.spot.segment.start) + video.currentTime * 1000);
    state.head.setAttribute('x1', x);
    state.head.setAttribute('x2', x);
    state.head.setAttribute('visibility', 'visible');
  }
  video.addEventListener('timeupdate', moveHead);

  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var day = dayString(new Date(state.dayStart));
    function local(v) { var p = v.split(':'); var d = new Date(state.dayStart); d.setHours(+p[0], +p[1], +(p[2] || 0), 0); return d.getTime(); }
    var body = { camera: state.camera, from: iso(local(form.elements.from.value)), to: iso(local(form.elements.to.value)) };
    var out = ui.empty('tl-export-msg');
    try {
      var c = await ui.api('/api/v1/timeline/export', { method: 'POST', body: body });
      out.className = 'verify ok';
      out.appendChild(document.createTextNode(t('d.tlExported', { from: day + ' ' + clock(Date.parse(c.start)), to: clock(Date.parse(c.end)), bytes: c.bytes }) + ' '));
      out.appendChild(el('code', { id: 'tl-sha256' }, [c.sha256]));
      out.appendChild(document.createTextNode(' '));
      out.appendChild(el('a', { id: 'tl-download', href: c.url, download: state.camera + '-' + c.start.replace(/[:.]/g, '') + '.mp4' }, [t('d.tlDownload')]));
    } catch (e) { out.className = 'verify bad'; out.textContent = e.message; }
  });
  cameraSel.addEventListener('change', function () { state.camera = cameraSel.value; state.sel = null; load(); });
  dayIn.addEventListener('change', function () { state.sel = null; state.viewEnd = 0; load(); });
  zoomSel.addEventListener('change', function () {
    setView(state.spot ? Date.parse(state.spot.segment.start) + video.currentTime * 1000 : undefined);
    if (state.answer) renderBar();
  });

  async function refresh() {
    if (document.hidden || !window.ptSession.signedIn()) return;
    try { if (!state.camera) await cameras(); } catch (e) { say(e.message, true); }
    await load();
  }
  dayIn.value = dayString(new Date());
  document.getElementById('tl-hint').textContent = t('d.tlHint');
  document.addEventListener('pt-session', function (ev) { if (!ev.detail) { video.removeAttribute('src'); state.camera = null; } refresh(); });
  document.addEventListener('pt-lang', function () { document.getElementById('tl-hint').textContent = t('d.tlHint'); if (state.answer) { renderRetention(state.answer.retention); renderBar(); } });
  setInterval(function () { if (video.paused) refresh(); }, 10000);
  document.addEventListener('visibilitychange', refresh);
  /* For tests and tools: load the timeline now (after a camera restart, say). */
  window.ptTimeline = { refresh: function () { state.camera = null; return refresh(); } };
})();
