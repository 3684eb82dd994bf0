/* consumer.js: the page behind the QR code.  Renders the batch's public facts (embedded in
 * the page as JSON by the station) in Chinese or English, and checks the batch's signed
 * bundle in the browser: every event's SHA-256 over its RFC 8785 form, its chain link, its
 * Ed25519 signature, and the signed head, against the station's key.  WebCrypto does the
 * work where it can; elsewhere (no WebCrypto Ed25519, or plain http on a LAN address, where
 * crypto.subtle is missing) ed25519-fallback.js (noble's libraries) is imported for it. */
'use strict';
(function () {
  var T = {
    en: {
      other: '中文', product: 'Product', variety: 'Variety', origin: 'Origin', grower: 'Grower',
      harvest: 'Harvested', packed: 'Packed', lot: 'Lot', gtin: 'GTIN', journey: 'Journey',
      grade: 'Grade', declared: 'Declared class', fruit: 'fruit graded',
      conformant: 'within tolerances', non_conformant: 'outside tolerances',
      checking: 'Checking signatures…', verified: '✓ Verified: all {n} records are signed by the station and unaltered.',
      unverified: '⚠ Warning: this record could not be verified ({why}). Do not rely on it.',
      nocrypto: 'This browser cannot check signatures (needs a secure connection and Ed25519 support).',
      held: '⚠ This batch is on hold: do not sell or eat it until it is released.',
      recalled: '⚠ This batch has been recalled. Do not eat it; return it to the seller.',
      clip: 'Video', corrected: 'declared in error', batches: 'batches packed',
      productPage: 'This product is traced by the station; scan a case label for its batch.',
      key: 'Station key (Ed25519)',
      steps: { commissioning: 'Registered', inspecting: 'Inspected', packing: 'Packed',
        encoding: 'Labelled', holding: 'Held', recalling: 'Recalled', shipping: 'Shipped',
        loading: 'Loaded', receiving: 'Received', harvesting: 'Harvested', sorting: 'Sorted',
        storing: 'Stored', destroying: 'Destroyed', releasing: 'Released',
        sensor_reporting: 'Filmed' }
    },
    zh: {
      other: 'English', product: '产品', variety: '品种', origin: '产地', grower: '种植者',
      harvest: '采收日期', packed: '包装日期', lot: '批号', gtin: '商品条码', journey: '流转记录',
      grade: '等级', declared: '申报等级', fruit: '个果实已分级',
      conformant: '符合容许度', non_conformant: '超出容许度',
      checking: '正在验证签名…', verified: '✓ 已验证：全部 {n} 条记录均由本站签名且未被篡改。',
      unverified: '⚠ 警告：此记录未能通过验证（{why}），请勿信赖。',
      nocrypto: '此浏览器无法验证签名（需要安全连接并支持 Ed25519）。',
      held: '⚠ 此批次已被暂扣：在解除前请勿销售或食用。',
      recalled: '⚠ 此批次已被召回。请勿食用，请退回销售者。',
      clip: '视频', corrected: '已声明有误', batches: '个批次',
      productPage: '本产品已纳入追溯；请扫描箱标签查看具体批次。',
      key: '站点公钥 (Ed25519)',
      steps: { commissioning: '登记', inspecting: '检验', packing: '包装', encoding: '贴标',
        holding: '暂扣', recalling: '召回', shipping: '发运', loading: '装车', receiving: '接收',
        harvesting: '采收', sorting: '分选', storing: '储存', destroying: '销毁', releasing: '解除暂扣',
        sensor_reporting: '摄像记录' }
    }
  };
  var data = JSON.parse(document.getElementById('pt-data').textContent);
  var saved = null;
  try { saved = localStorage.getItem('pt-lang'); } catch (e) { /* storage off: follow the browser */ }
  var lang = saved === 'zh' || saved === 'en' ? saved
    : /^zh/i.test(navigator.language || '') ? 'zh' : 'en';
  var check = { state: 'checking' };

  function t(k) { return T[lang][k]; }
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    (kids || []).forEach(function (c) {
      if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function stepName(s) { s = String(s).replace(/^.*[-:\/]/, ''); return t('steps')[s] || s; }
  function when(iso) {
    var d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB',
      { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }
  function facts(rows) {
    var dl = el('dl', { class: 'facts' });
    rows.forEach(function (r) { if (r[1]) { dl.appendChild(el('dt', {}, [t(r[0])])); dl.appendChild(el('dd', {}, [r[1]])); } });
    return dl;
  }
  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function chart(classes) {
    var total = classes.reduce(function (a, c) { return a + c.count; }, 0) || 1;
    var row = 26, w = 320, s = svg('svg', { class: 'chart', viewBox: '0 0 ' + w + ' ' + row * classes.length, role: 'img' });
    classes.forEach(function (c, i) {
      var pct = Math.round(c.count * 100 / total), y = i * row;
      s.appendChild(svg('text', { x: 0, y: y + 17 }, c['class']));
      s.appendChild(svg('rect', { x: 50, y: y + 4, height: 18, width: Math.max(1, 200 * c.count / total) }));
      s.appendChild(svg('text', { x: 256, y: y + 17 }, pct + '% (' + c.count + ')'));
    });
    return s;
  }

  function renderVerify() {
    var box = el('p', { id: 'verify', class: 'verify' });
    if (check.state === 'ok') { box.className += ' ok'; box.textContent = t('verified').replace('{n}', check.n); }
    else if (check.state === 'bad') { box.className += ' bad'; box.textContent = t('unverified').replace('{why}', check.why); }
    else if (check.state === 'nocrypto') box.textContent = t('nocrypto');
    else box.textContent = t('checking');
    return box;
  }

  /* A player for an event's evidence clip (the station gives a clip only to events whose
   * signed record carries pt:clipSha256).  preload=none: nothing of the clip is fetched
   * before the viewer presses play, so the first view stays small. */
  function clip(src) {
    return el('div', { class: 'clip' }, [
      el('video', { controls: '', preload: 'none', playsinline: '', src: src }, []),
      el('a', { href: src, download: '' }, [t('clip')])]);
  }
  function render() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.getElementById('lang').textContent = t('other');
    var main = document.getElementById('main'), banner = document.getElementById('banner');
    main.textContent = '';
    if (data.kind === 'product') {
      document.title = data.product || data.gtin;
      banner.hidden = true;
      main.appendChild(el('h1', {}, [data.product || data.gtin]));
      main.appendChild(el('p', { class: 'sub' }, [t('productPage')]));
      main.appendChild(facts([['gtin', data.gtin], ['batches', String(data.batches)]]));
      return;
    }
    document.title = data.product + ' · ' + data.lot;
    banner.hidden = data.status !== 'held' && data.status !== 'recalled';
    banner.className = data.status;
    banner.textContent = banner.hidden ? '' : t(data.status);
    main.appendChild(el('h1', {}, [data.product]));
    main.appendChild(el('p', { class: 'sub' }, [[data.variety, data.origin].filter(Boolean).join(' · ')]));
    main.appendChild(renderVerify());
    main.appendChild(facts([['variety', data.variety], ['origin', data.origin], ['grower', data.grower],
      ['harvest', data.harvest_date], ['packed', data.pack_date], ['lot', data.lot], ['gtin', data.gtin]]));
    if (data.grading) {
      var g = data.grading;
      main.appendChild(el('h2', {}, [t('grade')]));
      main.appendChild(el('p', {}, [t('declared') + ': ' + g.declared_class +
        (g.disposition ? ' · ' + (t(g.disposition) || g.disposition) : '') + ' · ' + g.n_fruit + ' ' + t('fruit')]));
      main.appendChild(chart(g.classes));
    }
    main.appendChild(el('h2', {}, [t('journey')]));
    var ol = el('ol', { class: 'timeline' });
    data.events.forEach(function (e) {
      ol.appendChild(el('li', {}, [
        el('strong', {}, [stepName(e.step)]), ' ',
        e.disposition ? el('span', {}, ['(' + e.disposition.replace(/^.*[-:\/]/, '').replace(/_/g, ' ') + ')']) : null,
        el('div', { class: 'when' }, [when(e.time)]),
        e.error_declaration ? el('div', { class: 'corrected' }, [t('corrected')]) : null,
        e.clip ? clip(e.clip) : null
      ]));
    });
    main.appendChild(ol);
    main.appendChild(el('footer', {}, [t('key') + ': ' + data.public_key]));
  }

  // RFC 8785: sorted keys (UTF-16 order, as Array.prototype.sort compares), no whitespace,
  // strings and numbers as JSON.stringify writes them.
  function canon(v) {
    if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
    if (v !== null && typeof v === 'object')
      return '{' + Object.keys(v).sort().map(function (k) { return JSON.stringify(k) + ':' + canon(v[k]); }).join(',') + '}';
    return JSON.stringify(v);
  }
  function hex(buf) { return Array.prototype.map.call(new Uint8Array(buf), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join(''); }
  function unhex(s) {
    if (typeof s !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(s)) throw new Error('bad hex');
    var out = new Uint8Array(s.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
    return out;
  }
  /* The crypto in use: WebCrypto, or the fallback module once loaded. */
  var fallback = null;
  function sha256(text) {
    var bytes = new TextEncoder().encode(text);
    return fallback ? Promise.resolve(fallback.sha256(bytes)) : crypto.subtle.digest('SHA-256', bytes);
  }
  async function loadFallback() {
    try { fallback = await import('/static/ed25519-fallback.js'); } catch (e) {
      var err = new Error('no Ed25519: ' + e.message);
      err.name = 'NotSupportedError';
      throw err;
    }
  }
  /* Returns verify(signatureHex, message) for @publicKey (hex). */
  async function verifier(publicKey) {
    if (!fallback) {
      try {
        var key = await crypto.subtle.importKey('raw', unhex(publicKey), { name: 'Ed25519' }, false, ['verify']);
        return function (sig, digest) { return crypto.subtle.verify({ name: 'Ed25519' }, key, unhex(sig), digest); };
      } catch (e) {
        /* NotSupportedError in browsers without WebCrypto Ed25519. */
        await loadFallback();
      }
    }
    var pub = unhex(publicKey);
    return async function (sig, digest) {
      try { return fallback.verify(pub, unhex(sig), new Uint8Array(digest)); } catch (e) { return false; }
    };
  }
  function fail(why) { var e = new Error(why); e.tampered = true; throw e; }

  async function verifyBundle(b) {
    var head = b && b.head, events = b && b.epcis && b.epcis.epcisBody && b.epcis.epcisBody.eventList, proofs = b && b.proofs;
    if (!head || !Array.isArray(events) || !Array.isArray(proofs) || b.format !== 'packtrace-bundle/1') fail('malformed bundle');
    if (String(head.publicKey).toLowerCase() !== data.public_key) fail('signed by another key');
    if (head.lot !== data.lot || head.gtin !== data.gtin) fail('bundle of another batch');
    var sigOk = await verifier(head.publicKey);
    var unsigned = Object.assign({}, head); delete unsigned.signature;
    if (!await sigOk(head.signature, await sha256(canon(unsigned)))) fail('head signature');
    if (events.length !== head.count || proofs.length !== head.count) fail('events removed or added');
    if (events.length !== data.events.length) fail('page and record differ');
    var prev = null;
    for (var i = 0; i < events.length; i++) {
      var e = events[i], p = proofs[i] || {}, n = i + 1;
      var h = hex(await sha256(canon(e)));
      if (p.eventID !== e.eventID) fail('record ' + n + ' out of order');
      if (h !== String(p.hash).toLowerCase()) fail('record ' + n + ' altered');
      if (!await sigOk(p.signature, unhex(h))) fail('record ' + n + ' signature');
      var link = e['pt:prevEvent'], plink = p.prevHash;
      if (i ? link !== prev || plink !== prev : link !== undefined || plink !== null) fail('record ' + n + ' chain broken');
      var shown = data.events[i];
      if (shown.time !== e.eventTime || stepName(shown.step) !== stepName(e.bizStep)) fail('page and record ' + n + ' differ');
      prev = h;
    }
    if (events.length && String(head.lastHash).toLowerCase() !== prev) fail('last record');
    var doc = JSON.parse(JSON.stringify(b.epcis)); delete doc.epcisBody.eventList;
    if (hex(await sha256(canon(doc))) !== String(head.documentHash).toLowerCase()) fail('document header');
    return events.length;
  }

  async function runCheck() {
    try {
      if (!window.crypto || !crypto.subtle) await loadFallback();
      var r = await fetch(data.bundle, { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (!r.ok) fail('bundle unavailable (' + r.status + ')');
      check = { state: 'ok', n: await verifyBundle(await r.json()) };
    } catch (e) {
      if (!e.tampered && e.name === 'NotSupportedError') check = { state: 'nocrypto' };
      else check = { state: 'bad', why: e.tampered ? e.message : 'malformed bundle' };
    }
  }

  document.getElementById('lang').addEventListener('click', function () {
    lang = lang === 'zh' ? 'en' : 'zh';
    try { localStorage.setItem('pt-lang', lang); } catch (e) { /* storage off: this view only */ }
    render();
  });
  render();
  if (data.kind === 'batch') runCheck().then(render);
})();
