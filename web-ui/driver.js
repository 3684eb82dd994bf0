/* driver.js: the driver's page on a phone, made for a weak signal at the dock.
 *
 * Login: the token of the login QR, read from the address's #t= (at load, or when a new
 * login link is opened in the same tab: that replaces the session), kept in localStorage and
 * taken out of the address bar.
 * Loads: chosen from the trucks loading now (GET /api/v1/driver/loads) or typed, and joined
 * with the seal number.
 * Labels: the QR (a Digital Link), the GS1-128 of case labels or a GS1 DataMatrix, read live
 * with the browser's BarcodeDetector, else with the vendored jsQR (QR) and zxing (GS1-128,
 * DataMatrix), loaded only when needed; from a photo; or the lot typed as printed (the
 * station completes it).  A label held in front of the camera is one scan until it leaves
 * the picture for REPEAT_MS.
 * Offline: every scan gets an idempotency key and waits in a queue kept in localStorage,
 * every photo in IndexedDB, until the station answers (sent on `online` and every RETRY_MS;
 * a resend is never loaded twice); a service worker (driver-sw.js) keeps the page itself, so
 * a reload with no signal opens it; the truck's list and the last answers survive a reload.
 * Errors: the station's answers carry codes with parameters that ptUi.error() says in the
 * reader's language.  window.ptDriver.scanned(payload) is the one entry of every reader. */
'use strict';
(function () {
  var ui = window.ptUi, t = ui.t;
  ui.strings({
    driver: ['driver', '司机'], openLoad: ['Open or join a load', '开始或加入装车'], plate: ['Truck plate', '车牌号'],
    seal: ['Seal number', '封条号'], openJoin: ['Open / join', '开始 / 加入'], load: ['Load', '装车单'],
    openLoads: ['Trucks loading now', '正在装车的车辆'],
    noOpenLoads: ['No truck is loading: open a load with its plate and seal.', '暂无正在装车的车辆：请输入车牌号和封条号开始装车。'],
    chooseLoad: ['{plate} (load {id})', '{plate}（装车单 {id}）'],
    chosen: ['Truck {plate}: type the seal number to join.', '车辆 {plate}：请输入封条号以加入。'],
    sealShort: ['seal', '封条'], batchesOn: ['batches on the truck', '个批次已装车'],
    otherLoad: ['other load', '其他装车单'], scanLive: ['Scan labels', '扫描标签'],
    scanStop: ['Stop camera', '关闭相机'], scanPhoto: ['Photo of a label', '拍摄标签'],
    manual: ['or type the lot as printed', '或输入标签上印的批号'], add: ['Add', '添加'], photos: ['Photos', '照片'],
    onTruck: ['On the truck', '已装车'], truckEmpty: ['Nothing on the truck yet.', '车上暂无批次。'],
    photoPlate: ['Photo of the plate', '拍摄车牌'], photoSeal: ['Photo of the seal', '拍摄封条'],
    queued: ['queued ({n})', '待发送（{n}）'], allSent: ['all sent', '已全部发送'],
    loaded: ['✓ {lot} loaded', '✓ {lot} 已装车'],
    already: ['✓ {lot} was already on this load', '✓ {lot} 已在此装车单上'],
    refused: ['✗ refused: {why}', '✗ 拒绝：{why}'], waiting: ['… {what} waiting to be sent', '… {what} 等待发送'],
    noLogin: ['Scan the login QR code the shed gave you.', '请扫描包装厂提供的登录二维码。'],
    noCode: ['No label code found in the photo.', '照片中未找到标签条码。'], sending: ['Sending photo…', '正在上传照片…'],
    photoSaved: ['✓ Photo of the {kind} stored ({w}×{h})', '✓ {kind}照片已保存（{w}×{h}）'],
    photoFailed: ['✗ Photo not stored: {why}', '✗ 照片未保存：{why}'],
    photoQueued: ['… {n} photo(s) waiting to be sent', '… {n} 张照片等待发送'],
    offline: ['No connection: it is sent when there is Wi-Fi.', '无网络连接：有 Wi-Fi 时自动发送。'],
    offlineJoin: ['No connection: join the load when there is Wi-Fi.', '无网络连接：请在有 Wi-Fi 时加入装车单。'],
    noCamera: ['No camera here: use a photo of the label, or type the lot.', '无法使用相机：请拍摄标签照片，或输入批号。'],
    'kind:plate': ['plate', '车牌'], 'kind:seal': ['seal', '封条']
  });
  var KEYS = { token: 'pt-driver-token', load: 'pt-driver-load', queue: 'pt-driver-queue',
    name: 'pt-driver-name', results: 'pt-driver-results' };
  var RETRY_MS = 5000, REPEAT_MS = 3000, TICK_MS = 250, PHOTO_EDGE = 1600, RESULTS_KEPT = 50;
  /* Codes the camera remembers having seen (a shed's day has a few hundred labels). */
  var SEEN_MAX = 1000;
  /* What the live camera looks for, in BarcodeDetector's names. */
  var FORMATS = ['qr_code', 'code_128', 'data_matrix'];

  function get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function set(k, v) {
    try { if (v === null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch (e) { /* private mode */ }
  }
  function getJSON(k, dflt) { try { return JSON.parse(get(k)) || dflt; } catch (e) { return dflt; } }
  function $(id) { return document.getElementById(id); }

  var token = get(KEYS.token);
  var load = getJSON(KEYS.load, null);
  var queue = getJSON(KEYS.queue, []);
  /* The answers shown, newest first: {key, kind, lot, what, code, params, status}. */
  var results = getJSON(KEYS.results, []);
  var sending = false, stream = null, seen = {}, bannerKind = '', photoCount = 0, photoBusy = false;

  /* One line at the top; @kind names its cause, so that cause alone can clear it. */
  function banner(text, kind) {
    bannerKind = text ? kind || 'other' : '';
    $('banner').textContent = text || '';
    $('banner').hidden = !text;
  }
  function clearBanner(kind) { if (bannerKind === kind) banner(''); }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    /* Plain http on the shed's LAN is no secure context: no randomUUID, but random bytes. */
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  /* One API call with @tok (default: this tab's login): {status, body, retryAfter}; a
   * network failure rejects. */
  function api(method, path, body, type, tok) {
    var headers = { Authorization: 'Bearer ' + (tok || token) };
    if (body !== undefined) headers['Content-Type'] = type || 'application/json';
    return fetch(path, { method: method, headers: headers, cache: 'no-store',
      body: body === undefined ? undefined : type ? body : JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          return { status: r.status, body: j, retryAfter: +(r.headers.get('Retry-After') || 1) };
        });
      });
  }

  /* The lot a payload names, for the "waiting" line only (the station decides). */
  function lotOf(payload) {
    var m = /\/10\/([^/?#]+)/.exec(payload);
    if (m) { try { return decodeURIComponent(m[1]); } catch (e) { return m[1]; } }
    m = /\(10\)([^(]+)/.exec(payload) || /\x1d10([^\x1d]+)/.exec(payload) ||
      /^(?:\]..)?01\d{14}(?:1[1-7]\d{6})*10([^\x1d]+)/.exec(payload) || /^\d{8,14}\s+(\S+)$/.exec(payload);
    return m ? m[1] : payload;
  }

  /* ---- the answers and the truck's list ---- */

  function lineText(r) {
    switch (r.kind) {
    case 'loaded': return t('loaded', { lot: r.lot });
    case 'already': return t('already', { lot: r.lot });
    case 'refused': return t('refused', { why: ui.error({ code: r.code, params: r.params }, r.status) });
    default: return t('waiting', { what: r.what });
    }
  }
  function renderResults() {
    var ol = $('results');
    ol.textContent = '';
    results.forEach(function (r) {
      var li = document.createElement('li');
      li.dataset.key = r.key;
      li.className = r.kind === 'waiting' ? 'queued' : r.kind === 'refused' ? 'bad' : 'ok';
      li.textContent = lineText(r);
      ol.appendChild(li);
    });
  }
  function setResult(r) {
    var i = results.findIndex(function (x) { return x.key === r.key; });
    if (i >= 0) results[i] = r; else results.unshift(r);
    results = results.slice(0, RESULTS_KEPT);
    set(KEYS.results, JSON.stringify(results));
    renderResults();
  }
  function renderTruck() {
    var ol = $('truck');
    ol.textContent = '';
    var lots = (load && load.lots) || [];
    if (!lots.length) {
      var li = document.createElement('li');
      li.className = 'empty';
      li.textContent = t('truckEmpty');
      ol.appendChild(li);
    }
    lots.forEach(function (lot) {
      var li = document.createElement('li');
      li.textContent = lot;
      ol.appendChild(li);
    });
    $('load-count').textContent = lots.length;
  }
  function saveLoad() { set(KEYS.load, JSON.stringify(load)); }

  function showQueue() {
    var q = $('queue');
    q.dataset.n = String(queue.length);
    q.textContent = queue.length ? t('queued', { n: queue.length }) : t('allSent');
    q.className = 'queue' + (queue.length ? ' waiting' : '');
  }
  function saveQueue() { set(KEYS.queue, JSON.stringify(queue)); showQueue(); }

  function showLoad() {
    $('open-load').hidden = !!load || !token;
    $('loaded').hidden = !load;
    if (!load) { refreshOpenLoads(); return; }
    $('load-id').textContent = load.id;
    $('load-plate').textContent = load.plate;
    $('load-seal').textContent = load.seal;
    renderTruck();
  }
  function takeLoad(body) {
    load = { id: body.id, plate: body.plate, seal: body.seal,
      lots: (body.batches || []).map(function (b) { return b.lot; }) };
    saveLoad();
    showLoad();
  }
  /* The station's list replaces the kept one, with the lots that scans answered while the
   * request was out (coming back online, the queue's answers and this one race: the list read
   * before a queued scan was stored must not drop it). */
  var addedDuringRefresh = null;
  function refreshLoad() {
    if (!load || !token) return;
    var id = load.id, added = addedDuringRefresh = [];
    api('GET', '/api/v1/driver/loads/' + id).then(function (r) {
      if (addedDuringRefresh === added) addedDuringRefresh = null;
      if (r.status === 200 && load && load.id === id) {
        var lots = r.body.batches.map(function (b) { return b.lot; });
        added.forEach(function (lot) { if (lots.indexOf(lot) < 0) lots.push(lot); });
        load.lots = lots;
        saveLoad();
        renderTruck();
      }
    }, function () { if (addedDuringRefresh === added) addedDuringRefresh = null; /* offline: the kept list stays */ });
  }

  /* ---- choosing a load ---- */

  function refreshOpenLoads() {
    if (!token || load) return;
    api('GET', '/api/v1/driver/loads').then(function (r) {
      if (r.status !== 200) { if (r.status === 401) banner(ui.error(r.body, r.status), 'login'); return; }
      var ul = $('open-loads');
      ul.textContent = '';
      r.body.loads.forEach(function (l) {
        var li = document.createElement('li'), b = document.createElement('button');
        b.type = 'button';
        b.className = 'choice';
        b.dataset.plate = l.plate;
        b.textContent = t('chooseLoad', { plate: l.plate, id: l.id });
        b.addEventListener('click', function () {
          var f = $('load-form');
          f.plate.value = l.plate;
          banner(t('chosen', { plate: l.plate }), 'choose');
          f.seal.focus();
        });
        li.appendChild(b);
        ul.appendChild(li);
      });
      $('open-loads-none').hidden = r.body.loads.length > 0;
    }, function () { /* offline: type the plate */ });
  }

  /* ---- scans ---- */

  /* Sends the queue in order.  Network failure or a 5xx: stop, try again later.  429: wait as
   * told.  Any other answer is final for that scan (the station stored it under its key). */
  function flush() {
    if (sending || !queue.length) return;
    sending = true;
    var item = queue[0];
    api('POST', '/api/v1/driver/loads/' + item.load + '/scans',
      { payload: item.payload, key: item.key, scanned: item.scanned }, undefined, item.token)
      .then(function (r) {
        sending = false;
        if (r.status === 429) { setTimeout(flush, r.retryAfter * 1000); return; }
        if (r.status === 401) { banner(ui.error(r.body, r.status), 'login'); return; }
        if (r.status >= 500) return;
        queue.shift();
        saveQueue();
        var b = r.body, ok = r.status === 201 || r.status === 200;
        setResult({ key: item.key, kind: r.status === 201 ? 'loaded' : r.status === 200 ? 'already' : 'refused',
          lot: b.lot || lotOf(item.payload), code: b.code, params: b.params, status: r.status });
        if (ok && load && load.id === item.load && addedDuringRefresh) addedDuringRefresh.push(b.lot);
        if (ok && load && load.id === item.load && load.lots.indexOf(b.lot) < 0) {
          load.lots.push(b.lot);
          saveLoad();
          renderTruck();
        }
        flush();
      }, function () { sending = false; showQueue(); });
  }

  /* Queues @payload (a label's decoded text or what was typed) for the open load.  From the
   * camera (@live), a code that has stayed in view since it was last read is no new scan.
   * Returns: the scan's key, or null when nothing was queued. */
  function scanned(payload, live) {
    payload = String(payload || '').trim();
    var now = Date.now(), last = seen[payload];
    if (live) {
      if (Object.keys(seen).length >= SEEN_MAX) seen = {};
      seen[payload] = now;
    }
    if (!payload || !load || !token || (live && last && now - last < REPEAT_MS)) return null;
    var item = { key: uuid(), payload: payload, scanned: new Date(now).toISOString(), load: load.id, token: token };
    queue.push(item);
    saveQueue();
    setResult({ key: item.key, kind: 'waiting', what: lotOf(payload) });
    if (navigator.vibrate) navigator.vibrate(60);
    flush();
    return item.key;
  }

  /* ---- reading labels ---- */

  function loadScript(src, name) {
    return new Promise(function (resolve, reject) {
      if (window[name]) { resolve(window[name]); return; }
      var s = document.createElement('script');
      s.src = src;
      s.onload = function () { resolve(window[name]); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  var detector = null, zxing = null;
  function barcodeDetector() {
    if (!('BarcodeDetector' in window)) return Promise.resolve(null);
    if (!detector) {
      detector = window.BarcodeDetector.getSupportedFormats().then(function (have) {
        var formats = FORMATS.filter(function (f) { return have.indexOf(f) >= 0; });
        /* A detector without the GS1-128 of case labels is not enough: decode in the page. */
        return formats.indexOf('code_128') >= 0 ? new window.BarcodeDetector({ formats: formats }) : null;
      }).catch(function () { return null; });
    }
    return detector;
  }
  function zxingReader() {
    if (!zxing) {
      zxing = loadScript('/static/zxing.js', 'ZXing').then(function (Z) {
        var hints = new Map();
        hints.set(Z.DecodeHintType.POSSIBLE_FORMATS, [Z.BarcodeFormat.CODE_128, Z.BarcodeFormat.DATA_MATRIX]);
        hints.set(Z.DecodeHintType.ASSUME_GS1, true);
        hints.set(Z.DecodeHintType.TRY_HARDER, true);
        var reader = new Z.MultiFormatReader();
        reader.setHints(hints);
        return { Z: Z, reader: reader };
      });
    }
    return zxing;
  }
  /* The text of the first label code in @source (an image bitmap or a playing video), or
   * null: the browser's detector where it reads GS1-128, else jsQR, then zxing. */
  function decode(source, w, h) {
    return barcodeDetector().then(function (d) {
      if (d) return d.detect(source).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      var c = document.createElement('canvas');
      var k = Math.min(1, 1280 / Math.max(w, h));
      c.width = Math.round(w * k); c.height = Math.round(h * k);
      var g = c.getContext('2d', { willReadFrequently: true });
      g.drawImage(source, 0, 0, c.width, c.height);
      var img = g.getImageData(0, 0, c.width, c.height);
      return loadScript('/static/jsQR.js', 'jsQR').then(function (jsQR) {
        var code = jsQR(img.data, c.width, c.height, { inversionAttempts: 'dontInvert' });
        if (code) return code.data;
        return zxingReader().then(function (z) {
          var lum = new Uint8ClampedArray(c.width * c.height);
          for (var i = 0, p = 0; i < lum.length; i++, p += 4)
            lum[i] = (img.data[p] * 77 + img.data[p + 1] * 150 + img.data[p + 2] * 29) >> 8;
          try {
            var bitmap = new z.Z.BinaryBitmap(new z.Z.HybridBinarizer(new z.Z.RGBLuminanceSource(lum, c.width, c.height)));
            return z.reader.decode(bitmap).getText();
          } catch (e) {
            return null; /* NotFoundException: no code in this picture */
          } finally {
            z.reader.reset();
          }
        });
      });
    });
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (tr) { tr.stop(); });
    stream = null;
    $('video').hidden = true;
    $('camera').textContent = t('scanLive');
  }
  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { banner(t('noCamera'), 'camera'); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(function (s) {
        stream = s;
        clearBanner('camera');
        var v = $('video');
        v.srcObject = s; v.hidden = false; v.play();
        $('camera').textContent = t('scanStop');
        (function tick() {
          if (stream !== s) return;
          var next = function () { setTimeout(tick, TICK_MS); };
          if (v.readyState < 2) { next(); return; }
          decode(v, v.videoWidth, v.videoHeight).then(function (text) { if (text) scanned(text, true); next(); }, next);
        })();
      }, function () { banner(t('noCamera'), 'camera'); });
  }

  function bitmap(file) { return createImageBitmap(file, { imageOrientation: 'from-image' }); }

  /* ---- photos of plate and seal: queued in IndexedDB like the scans ---- */

  var db = null;
  function photoStore(mode) {
    if (!db) {
      db = new Promise(function (resolve, reject) {
        var req = indexedDB.open('pt-driver', 1);
        req.onupgradeneeded = function () { req.result.createObjectStore('photos', { keyPath: 'key' }); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return db.then(function (d) { return d.transaction('photos', mode).objectStore('photos'); });
  }
  function idb(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function showPhotoQueue() {
    if (photoCount) $('photo-msg').textContent = t('photoQueued', { n: photoCount });
  }
  /* Sends the waiting photos one by one; stops at the first that cannot be sent now. */
  function flushPhotos() {
    if (photoBusy) return;
    photoBusy = true;
    photoStore('readonly').then(function (st) { return idb(st.getAll()); }).then(function (all) {
      photoCount = all.length;
      showPhotoQueue();
      var send = function (i) {
        if (i >= all.length) return null;
        var p = all[i];
        return api('POST', '/api/v1/driver/loads/' + p.load + '/photos?kind=' + p.kind, p.blob, 'image/jpeg', p.token)
          .then(function (r) {
            if (r.status === 429 || r.status >= 500) return null;
            return photoStore('readwrite').then(function (st) { return idb(st.delete(p.key)); }).then(function () {
              photoCount--;
              $('photo-msg').textContent = r.status < 300
                ? t('photoSaved', { kind: t('kind:' + p.kind), w: r.body.width, h: r.body.height })
                : t('photoFailed', { why: ui.error(r.body, r.status) });
              return send(i + 1);
            });
          });
      };
      return send(0);
    }).catch(function () { showPhotoQueue(); }).then(function () { photoBusy = false; });
  }
  /* A photo is shrunk on the phone first (the dock's Wi-Fi is weak); the station shrinks and
   * re-encodes it again whatever it gets. */
  function sendPhoto(kind, file) {
    if (!file || !load) return;
    $('photo-msg').textContent = t('sending');
    bitmap(file).then(function (img) {
      var k = Math.min(1, PHOTO_EDGE / Math.max(img.width, img.height));
      var c = document.createElement('canvas');
      c.width = Math.round(img.width * k); c.height = Math.round(img.height * k);
      c.getContext('2d').drawImage(img, 0, 0, c.width, c.height);
      return new Promise(function (res) { c.toBlob(res, 'image/jpeg', 0.85); });
    }).then(function (blob) {
      var p = { key: uuid(), load: load.id, kind: kind, token: token, blob: blob, taken: new Date().toISOString() };
      return photoStore('readwrite').then(function (st) { return idb(st.put(p)); });
    }).then(function () {
      photoCount++;
      if (!navigator.onLine) $('photo-msg').textContent = t('offline');
      flushPhotos();
    }, function () { $('photo-msg').textContent = t('photoFailed', { why: t('e.invalid') }); });
  }

  /* ---- login ---- */

  /* Takes the token of a login link, when the address has one.  A new login replaces the
   * old session in this tab: its driver, load and answers; scans and photos it queued keep
   * their own token and are still sent.  Returns: TRUE when it started a new session. */
  function takeLogin() {
    var m = /[#&?]t=([0-9]+\.[A-Za-z0-9_-]+)/.exec(location.hash + location.search);
    if (!m) return false;
    history.replaceState(null, '', location.pathname);
    if (m[1] === token) return false;
    stopCamera();
    token = m[1];
    set(KEYS.token, token);
    set(KEYS.name, null);
    load = null; set(KEYS.load, null);
    results = []; set(KEYS.results, null);
    seen = {};
    $('who').textContent = t('driver');
    banner('');
    renderResults();
    start();
    return true;
  }

  function translate() {
    ui.localize();
    if (get(KEYS.name)) $('who').textContent = get(KEYS.name);
    if (stream) $('camera').textContent = t('scanStop');
    showQueue();
    renderResults();
    showLoad();
    showPhotoQueue();
    if (bannerKind === 'camera') banner(t('noCamera'), 'camera');
    else if (bannerKind === 'nologin') banner(t('noLogin'), 'nologin');
  }

  function start() {
    showLoad();
    if (!token) { banner(t('noLogin'), 'nologin'); return; }
    clearBanner('nologin');
    api('GET', '/api/v1/driver/me').then(function (r) {
      if (r.status === 200) { set(KEYS.name, r.body.driver.name); $('who').textContent = r.body.driver.name; }
      else if (r.status === 401) banner(ui.error(r.body, r.status), 'login');
    }, function () { /* offline: the queues wait */ });
    refreshLoad();
    flush();
    flushPhotos();
  }

  ui.langButton(translate);
  $('load-form').seal.required = true;
  $('load-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    // Joining a truck's load needs its seal number as well as its plate (anyone can read a
    // plate); the station never tells a phone the seal.
    var f = ev.target, body = { plate: f.plate.value.trim(), seal: f.seal.value.trim() };
    api('POST', '/api/v1/driver/loads', body).then(function (r) {
      if (r.status !== 200 && r.status !== 201) { banner(ui.error(r.body, r.status), 'join'); return; }
      banner('');
      f.reset();
      takeLoad(r.body);
    }, function () { banner(t('offlineJoin'), 'join'); });
  });
  $('change-load').addEventListener('click', function () {
    stopCamera(); load = null; set(KEYS.load, null); results = []; set(KEYS.results, null); renderResults(); showLoad();
  });
  $('camera').addEventListener('click', function () { if (stream) stopCamera(); else startCamera(); });
  $('still').addEventListener('change', function (ev) {
    var file = ev.target.files[0];
    ev.target.value = '';
    if (!file) return;
    bitmap(file).then(function (img) { return decode(img, img.width, img.height); })
      .then(function (text) { if (text) scanned(text); else banner(t('noCode'), 'still'); },
        function () { banner(t('noCode'), 'still'); });
  });
  $('manual').addEventListener('submit', function (ev) {
    ev.preventDefault();
    scanned(ev.target.payload.value);
    ev.target.payload.value = '';
  });
  $('photo-plate').addEventListener('change', function (ev) { sendPhoto('plate', ev.target.files[0]); ev.target.value = ''; });
  $('photo-seal').addEventListener('change', function (ev) { sendPhoto('seal', ev.target.files[0]); ev.target.value = ''; });
  window.addEventListener('online', function () { flush(); flushPhotos(); refreshLoad(); });
  window.addEventListener('hashchange', takeLogin);
  setInterval(function () { flush(); if (photoCount) flushPhotos(); }, RETRY_MS);
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/driver-sw.js', { scope: '/driver' }).catch(function () {
      /* plain http on a LAN address: no service worker, the page still works online */
    });
  }

  window.ptDriver = {
    scanned: scanned, flush: flush,
    queued: function () { return queue.length; },
    photosQueued: function () { return photoCount; }
  };

  translate();
  if (!takeLogin()) start();
})();
