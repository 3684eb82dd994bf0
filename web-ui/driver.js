/* driver.js: the driver's page on a phone.  Logs in with the token of the login QR (read
 * from the address's #t= once, then kept in localStorage and taken out of the address bar),
 * opens or joins a load by plate and seal, and puts batches on it from their labels' QR codes: read
 * live with the browser's BarcodeDetector, else with jsQR (vendored from npm, loaded only
 * when needed), from a photo of a label, or typed.  Every scan gets an idempotency key and
 * waits in a queue kept in localStorage until the station answers, so scans made without
 * Wi-Fi are sent when it returns (the `online` event, or every few seconds) and a resend is
 * never loaded twice.  window.ptDriver.scanned(payload) is the one entry of every reader. */
'use strict';
(function () {
  var ui = window.ptUi, t = ui.t;
  ui.strings({
    driver: ['driver', '司机'], openLoad: ['Open or join a load', '开始或加入装车'], plate: ['Truck plate', '车牌号'],
    seal: ['Seal number', '封条号'], openJoin: ['Open / join', '开始 / 加入'], load: ['Load', '装车单'],
    sealShort: ['seal', '封条'], batchesOn: ['batches on the truck', '个批次已装车'],
    otherLoad: ['other load', '其他装车单'], scanLive: ['Scan labels', '扫描标签'],
    scanStop: ['Stop camera', '关闭相机'], scanPhoto: ['Photo of a label', '拍摄标签'],
    manual: ['or type the label\'s link', '或输入标签链接'], add: ['Add', '添加'], photos: ['Photos', '照片'],
    photoPlate: ['Photo of the plate', '拍摄车牌'], photoSeal: ['Photo of the seal', '拍摄封条'],
    queued: ['queued ({n})', '待发送（{n}）'], allSent: ['all sent', '已全部发送'],
    loaded: ['✓ {lot} loaded', '✓ {lot} 已装车'],
    already: ['✓ {lot} was already on this load', '✓ {lot} 已在此装车单上'],
    refused: ['✗ refused: {why}', '✗ 拒绝：{why}'], waiting: ['… {what} waiting to be sent', '… {what} 等待发送'],
    noLogin: ['Scan the login QR code the shed gave you.', '请扫描包装厂提供的登录二维码。'],
    noCode: ['No QR code found in the photo.', '照片中未找到二维码。'], sending: ['Sending photo…', '正在上传照片…'],
    photoSaved: ['✓ Photo of the {kind} stored ({w}×{h})', '✓ {kind}照片已保存（{w}×{h}）'],
    photoFailed: ['✗ Photo not stored: {why}', '✗ 照片未保存：{why}'],
    offline: ['No connection: try again when there is Wi-Fi.', '无网络连接：请在有 Wi-Fi 时重试。'],
    noCamera: ['No camera here: use a photo of the label.', '无法使用相机：请拍摄标签照片。'],
    'kind:plate': ['plate', '车牌'], 'kind:seal': ['seal', '封条']
  });
  var KEYS = { token: 'pt-driver-token', load: 'pt-driver-load', queue: 'pt-driver-queue',
    name: 'pt-driver-name' };
  var RETRY_MS = 5000, REPEAT_MS = 3000, PHOTO_EDGE = 1600;

  function get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function set(k, v) {
    try { if (v === null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch (e) { /* private mode */ }
  }
  function $(id) { return document.getElementById(id); }

  /* The token: from the login link once, then from storage; never left in the address. */
  var m = /[#&?]t=([0-9]+\.[A-Za-z0-9_-]+)/.exec(location.hash + location.search);
  if (m) {
    set(KEYS.token, m[1]);
    history.replaceState(null, '', location.pathname);
  }
  var token = get(KEYS.token);
  var load = JSON.parse(get(KEYS.load) || 'null');
  var queue = JSON.parse(get(KEYS.queue) || '[]');
  var sending = false, lastPayload = '', lastAt = 0, stream = null, jsqr = null;

  function banner(text) { $('banner').textContent = text || ''; $('banner').hidden = !text; }

  function translate() {
    ui.localize();
    if (get(KEYS.name)) $('who').textContent = get(KEYS.name);
    if (stream) $('camera').textContent = t('scanStop');
    showQueue();
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    /* Plain http on the shed's LAN is no secure context: no randomUUID, but random bytes. */
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  /* One API call: {status, body, retryAfter}; a network failure rejects. */
  function api(method, path, body, type) {
    var headers = { Authorization: 'Bearer ' + token };
    if (body !== undefined) headers['Content-Type'] = type || 'application/json';
    return fetch(path, { method: method, headers: headers, cache: 'no-store',
      body: body === undefined ? undefined : type ? body : JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          return { status: r.status, body: j, retryAfter: +(r.headers.get('Retry-After') || 1) };
        });
      });
  }

  function showQueue() {
    var q = $('queue');
    q.dataset.n = String(queue.length);
    q.textContent = queue.length ? t('queued', { n: queue.length }) : t('allSent');
    q.className = 'queue' + (queue.length ? ' waiting' : '');
  }
  function saveQueue() { set(KEYS.queue, JSON.stringify(queue)); showQueue(); }

  function result(item, cls, text) {
    var li = item.li || document.querySelector('li[data-key="' + item.key + '"]');
    if (!li) {
      li = document.createElement('li');
      li.dataset.key = item.key;
      $('results').insertBefore(li, $('results').firstChild);
    }
    li.className = cls;
    li.textContent = text;
  }

  function showLoad() {
    $('open-load').hidden = !!load;
    $('loaded').hidden = !load;
    if (!load) return;
    $('load-id').textContent = load.id;
    $('load-plate').textContent = load.plate;
    $('load-seal').textContent = load.seal;
    $('load-count').textContent = load.count || 0;
  }
  function refreshLoad() {
    if (!load) return;
    api('GET', '/api/v1/driver/loads/' + load.id).then(function (r) {
      if (r.status === 200) { load.count = r.body.batches.length; set(KEYS.load, JSON.stringify(load)); showLoad(); }
    }, function () { /* offline: keep the last count */ });
  }

  /* Sends the queue in order.  Network failure or a 5xx: stop, try again later.  429: wait as
   * told.  Any other answer is final for that scan (it is stored under its key). */
  function flush() {
    if (sending || !queue.length || !token) return;
    sending = true;
    var item = queue[0];
    api('POST', '/api/v1/driver/loads/' + item.load + '/scans',
      { payload: item.payload, key: item.key, scanned: item.scanned })
      .then(function (r) {
        if (r.status === 429) { sending = false; setTimeout(flush, r.retryAfter * 1000); return; }
        if (r.status === 401) { sending = false; banner(r.body.error); return; }
        if (r.status >= 500) { sending = false; return; }
        queue.shift();
        saveQueue();
        var b = r.body;
        if (r.status === 201) result(item, 'ok', t('loaded', { lot: b.lot }));
        else if (r.status === 200) result(item, 'ok', t('already', { lot: b.lot }));
        else result(item, 'bad', t('refused', { why: b.error || r.status }));
        if (r.status === 201) refreshLoad();
        sending = false;
        flush();
      }, function () { sending = false; showQueue(); });
  }

  function scanned(payload) {
    payload = String(payload || '').trim();
    var now = Date.now();
    /* A code in front of the camera is read many times a second: one scan. */
    if (!payload || !load || (payload === lastPayload && now - lastAt < REPEAT_MS)) return null;
    lastPayload = payload; lastAt = now;
    var item = { key: uuid(), payload: payload, scanned: new Date(now).toISOString(), load: load.id };
    queue.push(item);
    saveQueue();
    var what = payload.replace(/^.*\/10\/([^/?#]+).*$/, '$1');
    result(item, 'queued', t('waiting', { what: decodeURIComponent(what) }));
    if (navigator.vibrate) navigator.vibrate(60);
    flush();
    return item.key;
  }

  function loadJsQR() {
    if (jsqr) return jsqr;
    jsqr = new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = '/static/jsQR.js';
      s.onload = function () { resolve(window.jsQR); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
    return jsqr;
  }
  /* The QR text in @source (an image bitmap or a playing video), or null. */
  function decode(source, w, h) {
    if ('BarcodeDetector' in window) {
      return new window.BarcodeDetector({ formats: ['qr_code'] }).detect(source)
        .then(function (codes) { return codes.length ? codes[0].rawValue : null; });
    }
    return loadJsQR().then(function (jsQR) {
      var c = document.createElement('canvas');
      var k = Math.min(1, 1000 / Math.max(w, h));
      c.width = Math.round(w * k); c.height = Math.round(h * k);
      var g = c.getContext('2d');
      g.drawImage(source, 0, 0, c.width, c.height);
      var code = jsQR(g.getImageData(0, 0, c.width, c.height).data, c.width, c.height);
      return code ? code.data : null;
    });
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (tr) { tr.stop(); });
    stream = null;
    $('video').hidden = true;
    $('camera').textContent = t('scanLive');
  }
  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { banner(t('noCamera')); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(function (s) {
        stream = s;
        var v = $('video');
        v.srcObject = s; v.hidden = false; v.play();
        $('camera').textContent = t('scanStop');
        (function tick() {
          if (!stream) return;
          var next = function () { setTimeout(tick, 250); };
          if (v.readyState < 2) { next(); return; }
          decode(v, v.videoWidth, v.videoHeight).then(function (text) { if (text) scanned(text); next(); }, next);
        })();
      }, function () { banner(t('noCamera')); });
  }

  function bitmap(file) { return createImageBitmap(file, { imageOrientation: 'from-image' }); }

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
      return api('POST', '/api/v1/driver/loads/' + load.id + '/photos?kind=' + kind, blob, 'image/jpeg');
    }).then(function (r) {
      $('photo-msg').textContent = r.status < 300
        ? t('photoSaved', { kind: t('kind:' + kind), w: r.body.width, h: r.body.height })
        : t('photoFailed', { why: r.body.error || r.status });
    }, function () { $('photo-msg').textContent = t('offline'); });
  }

  ui.langButton(translate);
  $('load-form').seal.required = true;
  $('load-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    // Joining a truck's load needs its seal number as well as its plate (anyone can read a
    // plate); the station never tells a phone the seal.
    var f = ev.target, body = { plate: f.plate.value.trim(), seal: f.seal.value.trim() };
    api('POST', '/api/v1/driver/loads', body).then(function (r) {
      if (r.status !== 200 && r.status !== 201) { banner(r.body.error || String(r.status)); return; }
      banner('');
      load = { id: r.body.id, plate: r.body.plate, seal: r.body.seal, count: r.body.batches.length };
      set(KEYS.load, JSON.stringify(load));
      showLoad();
    }, function () { banner(t('offline')); });
  });
  $('change-load').addEventListener('click', function () { stopCamera(); load = null; set(KEYS.load, null); showLoad(); });
  $('camera').addEventListener('click', function () { if (stream) stopCamera(); else startCamera(); });
  $('still').addEventListener('change', function (ev) {
    var file = ev.target.files[0];
    ev.target.value = '';
    if (!file) return;
    bitmap(file).then(function (img) { return decode(img, img.width, img.height); })
      .then(function (text) { if (text) scanned(text); else banner(t('noCode')); }, function () { banner(t('noCode')); });
  });
  $('manual').addEventListener('submit', function (ev) {
    ev.preventDefault();
    scanned(ev.target.payload.value);
    ev.target.payload.value = '';
  });
  $('photo-plate').addEventListener('change', function (ev) { sendPhoto('plate', ev.target.files[0]); ev.target.value = ''; });
  $('photo-seal').addEventListener('change', function (ev) { sendPhoto('seal', ev.target.files[0]); ev.target.value = ''; });
  window.addEventListener('online', flush);
  setInterval(flush, RETRY_MS);

  window.ptDriver = { scanned: scanned, queued: function () { return queue.length; }, flush: flush };

  translate();
  showLoad();
  queue.forEach(function (item) { result(item, 'queued', t('waiting', { what: item.payload })); });
  if (!token) {
    banner(t('noLogin'));
    $('open-load').hidden = true;
  } else {
    api('GET', '/api/v1/driver/me').then(function (r) {
      if (r.status === 200) { set(KEYS.name, r.body.driver.name); $('who').textContent = r.body.driver.name; }
      else if (r.status === 401) banner(r.body.error);
    }, function () { /* offline: the queue waits */ });
    refreshLoad();
    flush();
  }
})();
