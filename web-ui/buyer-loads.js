/* buyer-loads.js: the buyer portal's "Loads" section: the loads going to the signed-in
 * buyer's GLN (GET /api/v1/buyer/loads) and the video of their loading from the dock's
 * loading camera (GET /api/v1/buyer/loads/{id}/video): live, with a badge, while the truck is
 * being loaded, and once it has left the recorded span from its opening to its closing (a few
 * seconds either side, the station's margin), as clips whose SHA-256 the station states.
 * Played in the page's own <video>: the live playlist through the vendored hls.js where the
 * browser has Media Source Extensions (as the dashboard does), else by the browser itself; a
 * recorded clip is MP4.  The station decides what may be seen; this page only shows it.
 * A load that leaves while watched switches from live to its recording by itself (the list
 * is read again every few seconds while the page is visible, and a live player that the
 * station refuses asks what the load has become).  The hub serves the same API for a station
 * behind NAT (station/hub/pt-hub-video.h): its answers come a poll of the station later, so a
 * 503 "relay-pending" is asked again, and its players' URLs carry their own capability.
 * Loaded after ui-kit.js, before buyer.js (or hub-loads.js), its words (bu.v.) from i18n.json;
 * ptBuyerLoads.refresh(auth) with {token} or {csrf}, or null when signed out. */
'use strict';
window.ptBuyerLoads = (function () {
  var ui = window.ptUi, el = ui.el, t = ui.t;
  var auth = null, loads = null, watching = null, hls = null, timer = null;

  function headers(accept) {
    var h = { Accept: accept || 'application/json' };
    if (auth && auth.token) h.Authorization = 'Bearer ' + auth.token;
    return h;
  }
  function pause(ms) { return new Promise(function (res) { setTimeout(res, ms); }); }
  async function getOnce(path) {
    var r = await fetch(path, { headers: headers(), cache: 'no-store', credentials: 'same-origin' });
    var j = await r.json().catch(function () { return {}; });
    if (!r.ok) { var e = new Error(j.error || String(r.status)); e.status = r.status; e.code = j.code; throw e; }
    return j;
  }
  /* A hub relaying the station answers 503 "relay-pending" until the station's next poll:
   * asked again for up to RELAY_WAIT_MS. */
  var RELAY_WAIT_MS = 20000;
  async function get(path) {
    for (var waited = 0; ; waited += 1000) {
      try { return await getOnce(path); } catch (e) {
        if (e.code !== 'relay-pending' || waited >= RELAY_WAIT_MS || /\/recorded\//.test(path)) throw e;
        say(t('bu.v.relaying'));
        await pause(1000);
      }
    }
  }
  function when(s) { return s ? ui.when(s) : ''; }
  function say(text, bad) {
    var m = document.getElementById('load-video-msg');
    if (m) { m.textContent = text || ''; m.className = bad ? 'bad' : ''; }
  }

  function stopPlayer() {
    if (hls) { hls.destroy(); hls = null; }
    var v = document.getElementById('load-video');
    if (v) { v.pause(); v.removeAttribute('src'); v.load(); }
  }
  function close() {
    stopPlayer();
    watching = null;
    renderPlayer();
  }

  /* Why the live playlist of @url is refused, in the station's words (a camera down: 503
   * with its state), or null when it answers. */
  async function liveRefusal(url) {
    for (var waited = 0; ; waited += 1000) {
      var r = await fetch(url, { headers: headers('application/vnd.apple.mpegurl'), cache: 'no-store', credentials: 'same-origin' })
        .catch(function () { return null; });
      if (r && r.ok) return null;
      var j = r ? await r.json().catch(function () { return {}; }) : {};
      /* Through a hub: the station starts the live view at its next poll. */
      if (r && r.status === 503 && j.code === 'relay-pending' && waited < RELAY_WAIT_MS) { await pause(1000); continue; }
      return r ? (j.error || String(r.status)) : t('bu.v.unreachable');
    }
  }
  /* The live player failed: the load has left (then its recording plays), or the camera is
   * down (said in words, and nothing more is asked: no loop of retries). */
  async function liveFailed(w) {
    stopPlayer();
    var now = null;
    try { now = await get('/api/v1/buyer/loads/' + w.id + '/video'); } catch (e) { say(t('bu.v.failed', { why: e.message }), true); return; }
    if (watching !== w) return;
    var cam = now.cameras.filter(function (c) { return c.name === w.camera; })[0];
    if (cam && !cam.live) { open(w.id, w.camera, w.label); return; }
    say(t('bu.v.failed', { why: (cam && await liveRefusal(cam.live)) || t('bu.v.unreachable') }), true);
  }

  /* The live playlist in the <video>: asked once first (it starts the camera's live branch;
   * a camera down is said in words, not shown black), then hls.js (one segment behind, as the
   * dashboard's), with the API key as Bearer when the portal uses one; else the browser's own
   * player. */
  async function playLive(w, cam) {
    var v = document.getElementById('load-video'), view = document.getElementById('load-player');
    view.dataset.mode = 'live';
    view.dataset.camera = cam.name;
    say(t('bu.v.liveStarting'));
    var why = await liveRefusal(cam.live);
    if (watching !== w) return;
    if (why) { say(t('bu.v.failed', { why: why }), true); return; }
    var Hls = window.MediaSource ? await ui.loadHls() : null;
    if (watching !== w) return;
    v.onplaying = function () { if (watching === w) say(''); };
    if (Hls && Hls.isSupported()) {
      view.dataset.player = 'hls.js';
      hls = new Hls({ enableWorker: false, liveSyncDurationCount: 1, liveMaxLatencyDurationCount: 3,
        maxLiveSyncPlaybackRate: 1.5, backBufferLength: 4,
        xhrSetup: function (xhr) { if (auth && auth.token) xhr.setRequestHeader('Authorization', 'Bearer ' + auth.token); } });
      hls.on(Hls.Events.ERROR, function (ev, data) { if (data.fatal && watching === w) liveFailed(w); });
      hls.loadSource(cam.live);
      hls.attachMedia(v);
    } else {
      view.dataset.player = 'native';
      v.onerror = function () { if (watching === w) liveFailed(w); };
      v.src = cam.live;
    }
    v.play().catch(function () { v.controls = true; });
  }

  /* A part of the recording: its facts first (the station cuts the clip on the first asking;
   * 503 while the end of the window is still being recorded: asked again), then the MP4. */
  async function playRecorded(w, cam, part) {
    say(t('bu.v.cutting'));
    for (var i = 0; i < 150 && watching === w; i++) {
      try {
        var f = await get(part.facts);
        if (watching !== w) return;
        w.facts = f;
        renderPlayer();
        var v = document.getElementById('load-video'), view = document.getElementById('load-player');
        Object.assign(view.dataset, { mode: 'recorded', camera: cam.name, part: String(part.part), player: 'mp4' });
        /* A <video> sends the session cookie, never an API key: with a key, the clip is
         * refused here (its facts and SHA-256 stay shown). */
        v.onerror = function () {
          if (watching === w) say(t(auth && auth.token ? 'bu.v.needSession' : 'bu.v.failed', { why: (v.error && v.error.message) || t('bu.v.unreachable') }), true);
        };
        v.src = f.url;
        v.play().catch(function () { v.controls = true; });
        return;
      } catch (e) {
        /* A shed's station offline, or relaying no video, says so: nothing to wait for. */
        if (e.status !== 503 || e.code === 'station-offline' || e.code === 'relay-off') { say(t('bu.v.failed', { why: e.message }), true); return; }
        /* The hub says how far the relay of the clip from the shed has come. */
        say(e.code === 'relay-pending' ? e.message : t('bu.v.pending'));
        await new Promise(function (res) { setTimeout(res, 2000); });
      }
    }
  }

  /* Watch load @id on @camera (nullable: its first): live while loading, else its first part.
   * @label (nullable): how the list names it (a hub: the shed's name and its number). */
  async function open(id, camera, label) {
    stopPlayer();
    var w = watching = { id: id, camera: camera, label: label || String(id), video: null, facts: null };
    renderPlayer();
    try {
      w.video = await get('/api/v1/buyer/loads/' + id + '/video');
    } catch (e) { if (watching === w) say(t('bu.v.failed', { why: e.message }), true); return; }
    if (watching !== w) return;
    var cams = w.video.cameras, cam = cams.filter(function (c) { return c.name === camera; })[0] || cams[0];
    if (!cam) { renderPlayer(); say(t('bu.v.noCamera'), true); return; }
    w.camera = cam.name;
    renderPlayer();
    if (cam.live) await playLive(w, cam);
    else if (cam.recorded.length) await playRecorded(w, cam, cam.recorded[0]);
    else say(t('bu.v.noRecording'), true);
  }
  function playPart(n) {
    var w = watching, cam = w && w.video && w.video.cameras.filter(function (c) { return c.name === w.camera; })[0];
    if (!cam) return;
    stopPlayer();
    w.facts = null;
    playRecorded(w, cam, cam.recorded[n - 1]);
  }

  /* A hub names the shed and its load's number; a station its load's number. */
  function loadName(l) { return l.station_name ? l.station_name + ' #' + l.load : String(l.id); }
  function badge(l) {
    return l.state === 'loading' ? el('span', { class: 'live-badge', 'data-state': 'loading' }, [t('bu.v.live')]) :
      el('span', { class: 'departed', 'data-state': 'departed' }, [t('bu.v.departed', { when: when(l.closed) })]);
  }
  function playerBox() {
    var w = watching, kids = [];
    var closeBtn = el('button', { type: 'button', id: 'load-video-close' }, [t('bu.v.close')]);
    closeBtn.addEventListener('click', close);
    var title = t('bu.v.watching', { id: w.label }) + (w.camera ? ' · ' + t('bu.v.camera', { cam: w.camera }) : '');
    kids.push(el('h3', {}, [title, ' ', closeBtn]));
    if (w.video) {
      var win = w.video.window;
      kids.push(el('p', { class: 'sub' }, [win.to ? t('bu.v.window', { from: when(win.from), to: when(win.to), m: win.margin_seconds }) :
        t('bu.v.windowOpen', { from: when(w.video.load.opened) })]));
      var cam = w.video.cameras.filter(function (c) { return c.name === w.camera; })[0];
      if (cam && !cam.live && cam.recorded.length > 1) {
        kids.push(el('p', { class: 'ops parts' }, cam.recorded.map(function (p) {
          var b = el('button', { type: 'button', 'data-part': String(p.part) }, [t('bu.v.part', { n: p.part, from: when(p.from) })]);
          b.addEventListener('click', function () { playPart(p.part); });
          return b;
        })));
      }
    }
    kids.push(el('video', { id: 'load-video', controls: '', muted: '', playsinline: '', preload: 'auto', 'aria-label': title }, []));
    kids.push(el('p', { id: 'load-video-msg', role: 'status' }, []));
    if (w.facts) {
      kids.push(el('details', { class: 'hashes' }, [el('summary', {}, [t('bu.hashes')]),
        el('p', {}, [t('bu.v.clipFacts', { start: when(w.facts.start), end: when(w.facts.end), mb: (w.facts.bytes / 1e6).toFixed(1) })]),
        el('code', { class: 'sha' }, [w.facts.sha256])]));
    }
    return el('div', { id: 'load-player', 'data-load': String(w.id) }, kids);
  }

  /* The section: its title and table (drawn again at each reading of the list), then the
   * player (drawn again only when what it plays changes: a <video> replaced starts over). */
  function sectionBox() {
    var box = document.getElementById('loads');
    if (box && !document.getElementById('loads-list')) {
      box.append(el('div', { id: 'loads-list' }, []), el('div', { id: 'load-player-box' }, []));
    }
    return box;
  }
  function renderList() {
    var box = sectionBox();
    if (!box) return;
    box.hidden = !loads;
    var list = ui.empty('loads-list');
    if (!loads) return;
    list.appendChild(el('h2', { id: 'loads-title' }, [t('bu.v.title')]));
    if (!loads.length) { list.appendChild(el('p', {}, [t('bu.v.none')])); return; }
    var tbl = list.appendChild(ui.table(['#', t('bu.destination'), t('bu.seal'), t('bu.v.opened'), t('bu.v.state'), t('bu.v.lots'), t('bu.v.video')], loads.map(function (l) {
      var btn = el('button', { type: 'button', class: 'watch-load', 'data-load': String(l.id) },
        [t(l.state === 'loading' ? 'bu.v.watchLive' : 'bu.v.watchRecorded')]);
      btn.addEventListener('click', function () { open(l.id, null, loadName(l)); });
      /* A hub names the station; its list cannot know the cameras (null) until the station says. */
      return [loadName(l), ui.dest(l) || '–', l.seal || '–',
        when(l.opened), badge(l), (l.lots || []).map(function (x) { return x.lot; }).join(', ') || '–',
        !l.cameras || l.cameras.length ? btn : t('bu.v.noCamera')];
    }), 'loads'));
    /* On a phone the table scrolls sideways: reachable from the keyboard too. */
    tbl.tabIndex = 0;
    tbl.setAttribute('aria-labelledby', 'loads-title');
  }
  /* With @keep the <video> playing now moves into the new box (in the same task, so it plays
   * on): the words around it change language, what it plays does not. */
  function renderPlayer(keep) {
    if (!sectionBox()) return;
    var old = document.getElementById('load-player');
    var box = ui.empty('load-player-box');
    if (!watching) return;
    var fresh = playerBox();
    if (keep && old) {
      fresh.replaceChild(old.querySelector('video'), fresh.querySelector('video'));
      fresh.querySelector('#load-video-msg').textContent = old.querySelector('#load-video-msg').textContent;
      Object.assign(fresh.dataset, old.dataset);
    }
    box.appendChild(fresh);
  }
  /* The list, read again while the page is shown: a load that leaves turns from live to
   * recorded, and one being watched live switches to its recording. */
  async function reload() {
    if (!auth || document.hidden) return;
    try {
      var r = await get('/api/v1/buyer/loads');
      loads = r.loads;
    } catch (e) { loads = e.status === 401 || e.status === 403 || e.status === 404 ? null : loads; }
    var w = watching;
    var now = w && loads && loads.filter(function (l) { return l.id === w.id; })[0];
    renderList();
    if (w && now && now.state === 'departed' && document.getElementById('load-player').dataset.mode === 'live') open(w.id, w.camera, w.label);
  }
  async function refresh(a) {
    auth = a;
    if (!a) { close(); loads = null; renderList(); }
    else await reload();
    if (timer) clearInterval(timer);
    timer = a ? setInterval(reload, 5000) : null;
  }
  document.addEventListener('visibilitychange', function () { if (document.hidden && watching) close(); });
  function render() { renderList(); renderPlayer(true); }
  return { refresh: refresh, render: render, close: close };
})();
