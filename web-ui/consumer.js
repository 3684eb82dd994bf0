/* consumer.js: the page behind the QR code.  Renders the batch's public facts (embedded in
 * the page as JSON by the station) in Chinese or English, and checks the batch's signed
 * bundle in the browser with pt-verify.js (shared with the buyer portal): every event's
 * SHA-256 over its RFC 8785 form, its chain link, its Ed25519 signature, and the signed head,
 * against the station's key. */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, t = ui.t, when = ui.when, ptVerify = window.ptVerify;
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

  /* The bundle checked against what this page shows (pt-verify.js); the fields this page
   * shows that its verified events state otherwise. */
  function verifyBundle(b) {
    return ptVerify.verifyBundle(b, { publicKey: data.public_key, lot: data.lot, gtin: data.gtin,
      hubKey: data.hub_key, events: data.events });
  }
  function factsDiffer(events) {
    var signed = ptVerify.signedFacts(events), g = data.grading || {};
    if (!signed) return ['commissioning'];
    var shown = {
      lot: data.lot, product: data.product, variety: data.variety, origin: data.origin, grower: data.grower,
      harvest_date: data.harvest_date, pack_date: data.pack_date, status: data.status,
      declared_class: g.declared_class, disposition: g.disposition
    };
    return Object.keys(signed).filter(function (k) { return (shown[k] == null ? undefined : shown[k]) !== signed[k]; });
  }

  async function runCheck() {
    try {
      var r = await fetch(data.bundle, { headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (!r.ok) ptVerify.fail('bundle unavailable (' + r.status + ')');
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
