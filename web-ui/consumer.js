/* consumer.js: the page behind the QR code.  Renders the batch's public facts (embedded in
 * the page as JSON by the station) in Chinese or English, and checks the batch's signed
 * bundle in the browser: every event's SHA-256 over its RFC 8785 form, its chain link, its
 * Ed25519 signature, and the signed head, against the station's key.  WebCrypto does the
 * work where it can; elsewhere (no WebCrypto Ed25519, or plain http on a LAN address, where
 * crypto.subtle is missing) ed25519-fallback.js (noble's libraries) is imported for it. */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, t = ui.t, when = ui.when, hex = ui.hex;
  ui.strings({
    /* the batch's story */
    journey: ['Journey', '流转记录'], clip: ['Video', '视频'], corrected: ['declared in error', '已声明有误'],
    conformant: ['within tolerances', '符合容许度'], non_conformant: ['outside tolerances', '超出容许度'],
    held: ['⚠ This batch is on hold: do not sell or eat it until it is released.', '⚠ 此批次已被暂扣：在解除前请勿销售或食用。'],
    recalled: ['⚠ This batch has been recalled. Do not eat it; return it to the seller.', '⚠ 此批次已被召回。请勿食用，请退回销售者。'],
    /* the signature check */
    checking: ['Checking signatures…', '正在验证签名…'],
    verified: ['✓ Verified: all {n} records are signed by the station and unaltered.', '✓ 已验证：全部 {n} 条记录均由本站签名且未被篡改。'],
    verifiedPrivate: [' {m} of them are private (operators\' notes, trucks): their signatures are checked, their contents withheld.', ' 其中 {m} 条为非公开记录（操作备注、车辆信息）：签名已核验，内容不公开。'],
    private: ['Private record: its details are withheld; this step and time are as the station states them, not checked.', '非公开记录：详情不公开；此环节与时间由本站提供，未经核验。'],
    unverified: ['⚠ Warning: this record could not be verified ({why}). Do not rely on it.', '⚠ 警告：此记录未能通过验证（{why}），请勿信赖。'],
    factsDiffer: ['⚠ Warning: what this page shows differs from the signed record ({fields}). Do not rely on it.', '⚠ 警告：本页显示的信息与签名记录不符（{fields}），请勿信赖。'],
    nocrypto: ['This browser cannot check signatures (needs a secure connection and Ed25519 support).', '此浏览器无法验证签名（需要安全连接并支持 Ed25519）。'],
    /* a product's page (a GTIN without a lot) */
    batches: ['batches packed', '个批次'],
    productPage: ['This product is traced by the station; scan a case label for its batch.', '本产品已纳入追溯；请扫描箱标签查看具体批次。'],
    /* business steps by their CBV names */
    'step:commissioning': ['Registered', '登记'], 'step:inspecting': ['Inspected', '检验'], 'step:packing': ['Packed', '包装'],
    'step:encoding': ['Labelled', '贴标'], 'step:holding': ['Held', '暂扣'], 'step:recalling': ['Recalled', '召回'],
    'step:shipping': ['Shipped', '发运'], 'step:loading': ['Loaded', '装车'], 'step:receiving': ['Received', '接收'],
    'step:harvesting': ['Harvested', '采收'], 'step:sorting': ['Sorted', '分选'], 'step:storing': ['Stored', '储存'],
    'step:destroying': ['Destroyed', '销毁'], 'step:releasing': ['Released', '解除暂扣'],
    'step:sensor_reporting': ['Filmed', '摄像记录'],
    'step:unpacking': ['Taken off a pallet', '卸下托盘'], 'step:repackaging': ['Repacked', '重新包装']
  });
  var data = JSON.parse(document.getElementById('pt-data').textContent);
  var check = { state: 'checking' };
  /* The station itself found its batch row differing from the signed events: never verified. */
  var serverWarning = data.kind === 'batch' && data.facts_verified === false ?
    (data.fact_warnings || []).join(', ') || 'record' : null;

  /* A business step's name in the reader's language ("packing": Packed, 包装). */
  function stepName(s) { s = ui.lastPart(s); var key = 'step:' + s, name = t(key); return name === key ? s : name; }
  function chart(classes) {
    return ui.barChart(classes.map(function (c) { return [c['class'], c.count]; }), { nameWidth: 50, width: 320 });
  }

  function renderVerify() {
    var box = el('p', { id: 'verify', class: 'verify' });
    if (check.state === 'ok') {
      box.className += ' ok';
      box.textContent = t('verified', { n: check.n }) + (check.withheld.length ? t('verifiedPrivate', { m: check.withheld.length }) : '');
    }
    else if (check.state === 'bad') { box.className += ' bad'; box.textContent = t('unverified', { why: check.why }); }
    else if (check.state === 'differ') { box.className += ' bad'; box.textContent = t('factsDiffer', { fields: check.fields }); }
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
    ui.localize();
    var main = document.getElementById('main'), banner = document.getElementById('banner');
    main.textContent = '';
    if (data.kind === 'product') {
      document.title = data.product || data.gtin;
      banner.hidden = true;
      main.appendChild(el('h1', {}, [data.product || data.gtin]));
      main.appendChild(el('p', { class: 'sub' }, [t('productPage')]));
      main.appendChild(ui.facts([['gtin', data.gtin], ['batches', String(data.batches)]]));
      return;
    }
    document.title = data.product + ' · ' + data.lot;
    banner.hidden = data.status !== 'held' && data.status !== 'recalled';
    banner.className = data.status;
    banner.textContent = banner.hidden ? '' : t(data.status);
    main.appendChild(el('h1', {}, [data.product]));
    main.appendChild(el('p', { class: 'sub' }, [[data.variety, data.origin].filter(Boolean).join(' · ')]));
    main.appendChild(renderVerify());
    main.appendChild(ui.facts([['variety', data.variety], ['origin', data.origin], ['grower', data.grower],
      ['harvested', data.harvest_date], ['packed', data.pack_date], ['lot', data.lot], ['gtin', data.gtin]]));
    if (data.grading) {
      var g = data.grading;
      main.appendChild(el('h2', {}, [t('grade')]));
      main.appendChild(el('p', {}, [t('declared') + ': ' + g.declared_class +
        (g.disposition ? ' · ' + t(g.disposition) : '') + ' · ' + g.n_fruit + ' ' + t('fruit')]));
      main.appendChild(chart(g.classes));
    }
    main.appendChild(el('h2', {}, [t('journey')]));
    var ol = el('ol', { class: 'timeline' });
    var withheld = check.withheld || [];
    data.events.forEach(function (e, i) {
      ol.appendChild(el('li', {}, [
        el('strong', {}, [stepName(e.step)]), ' ',
        e.disposition ? el('span', {}, ['(' + ui.lastPart(e.disposition).replace(/_/g, ' ') + ')']) : null,
        el('div', { class: 'when' }, [when(e.time)]),
        e.error_declaration ? el('div', { class: 'corrected' }, [t('corrected')]) : null,
        withheld.indexOf(i) >= 0 ? el('div', { class: 'private' }, [t('private')]) : null,
        e.clip ? clip(e.clip) : null
      ]));
    });
    main.appendChild(ol);
    main.appendChild(el('footer', {}, [t('stationKey') + ': ' + data.public_key]));
  }

  // RFC 8785: sorted keys (UTF-16 order, as Array.prototype.sort compares), no whitespace,
  // strings and numbers as JSON.stringify writes them.
  function canon(v) {
    if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
    if (v !== null && typeof v === 'object')
      return '{' + Object.keys(v).sort().map(function (k) { return JSON.stringify(k) + ':' + canon(v[k]); }).join(',') + '}';
    return JSON.stringify(v);
  }
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

  /* The same checks as `packtrace verify` (station/trace/pt-bundle.h): every record shown is
   * hashed over its RFC 8785 form, a redacted one (its private fields withheld from the public)
   * is checked by its signature over the hash its proof gives, which the next record's signed
   * link and the head's lastHash name.  Hex is lowercase only; unknown members are refused. */
  var ROOT = ['epcis', 'format', 'head', 'proofs'];
  var PROOF = ['eventID', 'hash', 'hashId', 'prevHash', 'redacted', 'signature'];
  function onlyKnown(o, known, what) {
    Object.keys(o).forEach(function (k) { if (known.indexOf(k) < 0) fail('unknown member ' + k + ' in ' + what); });
  }
  function lowhex(s, n) { return typeof s === 'string' && s.length === n * 2 && /^[0-9a-f]*$/.test(s); }

  /* The station's keys (station/trace/pt-key-chain.h): its anchor, the key this page trusts,
   * then each rotation the head names, signed by the key in force and by its new key.  Returns
   * [{key, verify, from (ms)}], the anchor first. */
  var ROTATION = ['afterHash', 'afterSeq', 'format', 'from', 'newKey', 'previousKey', 'stationId'];
  async function keyChain(head) {
    var chain = [{ key: head.publicKey, verify: await verifier(head.publicKey), from: -Infinity, seq: 0 }];
    if (head.keyChain === undefined) return chain;
    if (!Array.isArray(head.keyChain) || head.keyChain.length > 64) fail('malformed key chain');
    for (var i = 0; i < head.keyChain.length; i++) {
      var r = head.keyChain[i], rec = r && r.record, last = chain[chain.length - 1], n = i + 1;
      if (!r || typeof r !== 'object' || Object.keys(r).length !== 3 || !rec || typeof rec !== 'object' ||
          !lowhex(r.signature, 64) || !lowhex(r.newKeySignature, 64)) fail('malformed key chain');
      onlyKnown(rec, ROTATION, 'key rotation');
      var from = Date.parse(rec.from);
      if (rec.format !== 'packtrace-key-rotation/1' || !lowhex(rec.previousKey, 32) || !lowhex(rec.newKey, 32) ||
          isNaN(from) || !Number.isInteger(rec.afterSeq) || rec.afterSeq < 0) fail('malformed key chain');
      if (rec.stationId !== head.stationId) fail('key rotation ' + n + ' of another station');
      if (rec.previousKey !== last.key) fail('key rotation ' + n + ' not from the key in force');
      if (chain.some(function (k) { return k.key === rec.newKey; })) fail('key rotation ' + n + ' reuses a key');
      if (from <= last.from || rec.afterSeq < last.seq) fail('key rotation ' + n + ' goes back');
      var digest = await sha256(canon(rec)), next = await verifier(rec.newKey);
      if (!await last.verify(r.signature, digest)) fail('key rotation ' + n + ' not signed by the key in force');
      if (!await next(r.newKeySignature, digest)) fail('key rotation ' + n + ' not signed by its new key');
      chain.push({ key: rec.newKey, verify: next, from: from, seq: rec.afterSeq });
    }
    return chain;
  }
  /* The index of the key in force at an event's recordTime. */
  function keyAt(chain, recordTime) {
    var t = Date.parse(recordTime), k = 0;
    if (chain.length > 1 && isNaN(t)) fail('record time unreadable');
    for (var i = 1; i < chain.length; i++) if (t >= chain[i].from) k = i;
    return k;
  }

  async function verifyBundle(b) {
    var head = b && b.head, events = b && b.epcis && b.epcis.epcisBody && b.epcis.epcisBody.eventList, proofs = b && b.proofs;
    if (!head || !Array.isArray(events) || !Array.isArray(proofs) || b.format !== 'packtrace-bundle/1') fail('malformed bundle');
    onlyKnown(b, ROOT, 'bundle');
    if (!lowhex(head.publicKey, 32) || !lowhex(head.signature, 64)) fail('malformed bundle');
    if (head.publicKey !== data.public_key) fail('signed by another key');
    if (head.lot !== data.lot || head.gtin !== data.gtin) fail('bundle of another batch');
    var chain = await keyChain(head);
    /* A co-op hub's bundle: the head is signed by the hub's key, the one its page names; the
     * records are still checked against the station's keys.  A station's own head is signed
     * by its current key, the chain's last. */
    if (head.hubKey !== undefined && (!lowhex(head.hubKey, 32) || head.hubKey !== data.hub_key)) fail('signed by another key');
    var headOk = head.hubKey !== undefined ? await verifier(head.hubKey) : chain[chain.length - 1].verify;
    var unsigned = Object.assign({}, head); delete unsigned.signature;
    if (!await headOk(head.signature, await sha256(canon(unsigned)))) fail('head signature');
    var keyId = hex(fallback ? fallback.sha256(unhex(head.publicKey)) : await crypto.subtle.digest('SHA-256', unhex(head.publicKey)));
    if (head.stationId !== keyId.slice(0, 16)) fail('station id is not the signing key\'s');
    if (proofs.length !== head.count || proofs.length !== data.events.length) fail('events removed or added');
    var prev = null, next = 0, withheld = [], keyBefore = 0;
    for (var i = 0; i < proofs.length; i++) {
      var p = proofs[i], n = i + 1, h;
      if (!p || typeof p !== 'object') fail('malformed bundle');
      onlyKnown(p, PROOF, 'proof');
      if (!lowhex(p.hash, 32) || !lowhex(p.signature, 64)) fail('record ' + n + ' proof damaged');
      var k = 0, signedOk = false;
      if (p.redacted !== undefined) {
        if (p.redacted !== true) fail('malformed bundle');
        h = p.hash;
        withheld.push(i);
        /* Its time is in the record withheld: any key of the chain, placed by the keys' order. */
        for (k = 0; k < chain.length && !signedOk; k++) signedOk = await chain[k].verify(p.signature, unhex(h));
        k--;
      } else {
        var e = events[next++];
        if (!e) fail('events removed or added');
        h = hex(await sha256(canon(e)));
        if (p.eventID !== e.eventID) fail('record ' + n + ' out of order');
        if (h !== p.hash) fail('record ' + n + ' altered');
        var link = e['pt:prevEvent'];
        if (i ? link !== prev : link !== undefined) fail('record ' + n + ' chain broken');
        var shown = data.events[i];
        if (shown.time !== e.eventTime || stepName(shown.step) !== stepName(e.bizStep)) fail('page and record ' + n + ' differ');
        k = keyAt(chain, e.recordTime);
        signedOk = await chain[k].verify(p.signature, unhex(h));
      }
      if (!signedOk) fail('record ' + n + ' signature');
      if (k < keyBefore) fail('record ' + n + ' signed by a retired key');
      keyBefore = k;
      if (i ? p.prevHash !== prev : p.prevHash !== null) fail('record ' + n + ' chain broken');
      prev = h;
    }
    if (next !== events.length) fail('events removed or added');
    if (proofs.length && head.lastHash !== prev) fail('last record');
    var doc = JSON.parse(JSON.stringify(b.epcis)); delete doc.epcisBody.eventList;
    if (hex(await sha256(canon(doc))) !== head.documentHash) fail('document header');
    return { n: proofs.length, withheld: withheld };
  }

  /* The fields this page shows that its verified events state otherwise: identity from the
   * commissioning event, status from the last status change (pt:action), grade from the last
   * grading decision (pt:declaredClass), as the station derives them (pt-batch-signed.h). */
  function factsDiffer(events) {
    var live = events.filter(function (e) { return !e.errorDeclaration; });
    var first = function (f) { return live.filter(f)[0]; }, last = function (f) { return live.filter(f).pop(); };
    var comm = first(function (e) { return ui.lastPart(e.bizStep) === 'commissioning'; });
    if (!comm) return ['commissioning'];
    var status = last(function (e) { return ui.lastPart(e.bizStep) === 'holding' && e['pt:action']; });
    var grade = last(function (e) { return ui.lastPart(e.bizStep) === 'inspecting' && e['pt:declaredClass']; });
    var ilmd = comm.ilmd || {}, g = data.grading || {};
    var signed = {
      lot: ilmd['cbvmda:lotNumber'], product: comm['pt:product'], variety: comm['pt:variety'],
      origin: comm['pt:origin'], grower: comm['pt:grower'], harvest_date: ilmd['cbvmda:harvestStartDate'],
      pack_date: comm['pt:packDate'],
      status: !status ? 'active' : { hold: 'held', recall: 'recalled', release: 'active' }[status['pt:action']],
      declared_class: grade ? grade['pt:declaredClass'] : undefined,
      disposition: grade ? grade.disposition : undefined
    };
    var shown = {
      lot: data.lot, product: data.product, variety: data.variety, origin: data.origin, grower: data.grower,
      harvest_date: data.harvest_date, pack_date: data.pack_date, status: data.status,
      declared_class: g.declared_class, disposition: g.disposition
    };
    return Object.keys(signed).filter(function (k) { return (shown[k] == null ? undefined : shown[k]) !== signed[k]; });
  }

  async function runCheck() {
    try {
      if (!window.crypto || !crypto.subtle) await loadFallback();
      var r = await fetch(data.bundle, { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (!r.ok) fail('bundle unavailable (' + r.status + ')');
      var bundle = await r.json();
      var result = await verifyBundle(bundle);
      check = { state: 'ok', n: result.n, withheld: result.withheld };
      var differ = factsDiffer(bundle.epcis.epcisBody.eventList);
      if (serverWarning || differ.length) check = { state: 'differ', fields: serverWarning || differ.join(', ') };
    } catch (e) {
      if (!e.tampered && e.name === 'NotSupportedError') check = { state: 'nocrypto' };
      else check = { state: 'bad', why: e.tampered ? e.message : 'malformed bundle' };
    }
  }

  ui.langButton(render);
  render();
  if (data.kind === 'batch') runCheck().then(render);
})();
