/* buyer.js: the buyer portal: search batches (lot, GTIN, grower, date range, grade), export
 * the results as CSV, and open a batch: its timeline, grading statistics, loads and
 * destinations, evidence clips (played, or downloaded with their SHA-256 checked here against
 * the signed one), and downloads of its EPCIS document and signed bundle.
 * People sign in with their account (POST /api/v1/session: an HttpOnly, SameSite=Strict
 * cookie the browser sends; GET /api/v1/session after a reload says who is signed in); a
 * platform's API key is the alternative, kept in sessionStorage for this tab only and sent
 * as Bearer.  Downloads are fetched with the same credentials and saved from memory.
 * A buyer scoped to a GLN sees only the batches shipped there: the station filters, the
 * header says the scope.  Each batch shows its consumer page scans per day and flags a spike
 * (the station's rule, sent with the search), the counterfeit signal. */
'use strict';
(function () {
  var T = {
    en: {
      other: '中文', brand: 'packtrace · buyers', title: 'Find a batch', use: 'Use',
      lot: 'Lot', gtin: 'GTIN', grower: 'Grower', dateOf: 'Date of', pack: 'packing',
      harvest: 'harvest', created: 'registration', from: 'From', to: 'To', grade: 'Grade',
      any: 'any', out: 'out of grade', search: 'Search', csv: 'Download CSV',
      product: 'Product', variety: 'Variety', origin: 'Origin', harvested: 'Harvested',
      packed: 'Packed', status: 'Status', loads: 'Loads', destination: 'Destination',
      found: 'Batches found: {n}', more: 'more: narrow the search or use the CSV pages',
      none: 'No batch matches.', needKey: 'Sign in first (or enter an API key).',
      signIn: 'Sign in', signOut: 'Sign out', keyAlt: 'Platforms: use an API key instead',
      wrongPw: 'Wrong name or password.', allBatches: 'all batches', scopeGln: 'batches shipped to GLN {g}',
      scans: 'Scans', scansTitle: 'Consumer scans of the label', spikeOn: 'spike {d}: {n} scans',
      median: 'median {m} a day', total: '{n} scans in all', noScans: 'Not scanned yet.',
      spikeWarn: '⚠ Possible counterfeit labels: {n} scans on {d}, far above this batch\'s usual rate.',
      ruleIs: 'Counterfeit signal: a spike is {r}.',
      noLocation: 'The station does not know where a scan was made (it keeps no location of the phones), so only the count can show a spike, not where it came from.',
      refused: 'The station refused the key ({s}).', open: 'Open',
      timeline: 'Timeline', grading: 'Grading', declared: 'Declared class', fruit: 'fruit graded',
      notGraded: 'Not graded by the camera.', sizes: 'Sizes', clips: 'Evidence clips',
      noClips: 'No clips.', noLoads: 'Not loaded yet.', seal: 'Seal', loaded: 'Loaded',
      closed: 'Departed', open_: 'loading', download: 'Download', expired: 'deleted after its retention period',
      shaOk: '✓ SHA-256 matches the signed record', shaBad: '✗ SHA-256 differs from the signed record',
      epcis: 'EPCIS document', bundle: 'Signed bundle', downloads: 'Downloads',
      held: '⚠ This batch is on hold.', recalled: '⚠ This batch has been recalled.',
      howVerify: 'Checking a bundle yourself', back: 'Back to the results',
      verifyHelp: 'A bundle holds the batch\'s EPCIS events with the station\'s signature over each. Check it offline with the station\'s program; pass the station\'s public key to be sure it is this station\'s:',
      keyHelp: 'STATION_KEY: the station\'s Ed25519 public key, 64 hex digits (shown with each batch, and at /api/v1/station). Exit 0 and "valid" when every event\'s hash, chain link and signature hold.',
      stationKey: 'Station key (Ed25519)', event: 'Event', camera: 'Camera', when: 'When'
    },
    zh: {
      other: 'English', brand: 'packtrace · 采购商', title: '查找批次', use: '使用',
      lot: '批号', gtin: '商品条码', grower: '种植者', dateOf: '日期类型', pack: '包装',
      harvest: '采收', created: '登记', from: '从', to: '至', grade: '等级',
      any: '全部', out: '等外', search: '搜索', csv: '下载 CSV',
      product: '产品', variety: '品种', origin: '产地', harvested: '采收日期',
      packed: '包装日期', status: '状态', loads: '装车', destination: '目的地',
      found: '找到 {n} 个批次', more: '还有更多：请缩小范围或分页下载 CSV',
      none: '没有匹配的批次。', needKey: '请先登录（或输入 API 密钥）。',
      signIn: '登录', signOut: '退出', keyAlt: '平台接入：改用 API 密钥',
      wrongPw: '用户名或密码错误。', allBatches: '全部批次', scopeGln: '发往 GLN {g} 的批次',
      scans: '扫码', scansTitle: '消费者扫码次数', spikeOn: '{d} 异常：{n} 次',
      median: '日中位数 {m}', total: '共 {n} 次扫码', noScans: '尚无扫码。',
      spikeWarn: '⚠ 疑似假冒标签：{d} 扫码 {n} 次，远高于该批次的平常水平。',
      ruleIs: '假冒信号：异常指{r}。',
      noLocation: '站点不记录扫码地点（不保存手机位置），因此只能从次数发现异常，无法判断来自何处。',
      refused: '站点拒绝了该密钥（{s}）。', open: '查看',
      timeline: '流转记录', grading: '分级', declared: '申报等级', fruit: '个果实已分级',
      notGraded: '未经摄像分级。', sizes: '规格', clips: '证据视频',
      noClips: '没有视频。', noLoads: '尚未装车。', seal: '封签', loaded: '装车时间',
      closed: '已发车', open_: '装车中', download: '下载', expired: '已超过保存期限被删除',
      shaOk: '✓ SHA-256 与签名记录一致', shaBad: '✗ SHA-256 与签名记录不符',
      epcis: 'EPCIS 文档', bundle: '签名数据包', downloads: '下载',
      held: '⚠ 此批次已被暂扣。', recalled: '⚠ 此批次已被召回。',
      howVerify: '自行验证数据包', back: '返回结果',
      verifyHelp: '数据包包含该批次的 EPCIS 事件及站点对每条事件的签名。可用站点程序离线验证；传入站点公钥以确认来自本站：',
      keyHelp: 'STATION_KEY：站点的 Ed25519 公钥，64 位十六进制（见每个批次页面及 /api/v1/station）。每条事件的哈希、链接和签名均无误时，程序退出码为 0 并输出 "valid"。',
      stationKey: '站点公钥 (Ed25519)', event: '事件', camera: '摄像头', when: '时间'
    }
  };
  var saved = null;
  try { saved = localStorage.getItem('pt-lang'); } catch (e) { /* storage off: follow the browser */ }
  var lang = saved === 'zh' || saved === 'en' ? saved : /^zh/i.test(navigator.language || '') ? 'zh' : 'en';
  var last = null, current = null, stationKey = null, session = null;

  function t(k) { return T[lang][k] || k; }
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    (kids || []).forEach(function (c) {
      if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function token() { try { return sessionStorage.getItem('pt-token'); } catch (e) { return null; } }
  function say(text, bad) {
    var m = document.getElementById('msg');
    m.textContent = text || '';
    m.className = bad ? 'verify bad' : text ? 'verify' : '';
  }
  async function fetchAuth(path, accept) {
    var h = { Accept: accept || 'application/json' };
    if (token()) h.Authorization = 'Bearer ' + token();
    var r = await fetch(path, { headers: h, cache: 'no-store', credentials: 'same-origin' });
    if (r.status === 401 && session && !token()) signedIn(null);
    if (r.status === 401 || r.status === 403) throw new Error(token() ? t('refused').replace('{s}', r.status) : t('needKey'));
    if (!r.ok) {
      var j = await r.json().catch(function () { return {}; });
      var err = new Error(j.error || path + ': ' + r.status);
      err.status = r.status;
      throw err;
    }
    return r;
  }
  async function get(path) { return (await fetchAuth(path)).json(); }
  function hex(buf) { return Array.prototype.map.call(new Uint8Array(buf), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join(''); }
  /* Saves @blob as @name through a temporary link (a download the browser reports as one). */
  function save(blob, name) {
    var url = URL.createObjectURL(blob), a = el('a', { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }
  async function download(path, name, accept) {
    try { save(await (await fetchAuth(path, accept)).blob(), name); } catch (e) { say(e.message, true); }
  }
  function query() {
    var f = document.getElementById('search'), p = new URLSearchParams();
    ['lot', 'gtin', 'grower', 'from', 'to', 'grade'].forEach(function (k) { if (f[k].value.trim()) p.set(k, f[k].value.trim()); });
    if ((f.from.value || f.to.value) && f.date.value !== 'pack') p.set('date', f.date.value);
    return p;
  }
  function day(iso) { return iso ? String(iso).slice(0, 10) : ''; }
  function when(iso) {
    var d = new Date(iso);
    return !iso || isNaN(d) ? (iso || '') : d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB',
      { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }
  function table(head, rows, cls) {
    return el('table', { class: cls || '' }, [el('thead', {}, [el('tr', {}, head.map(function (h) { return el('th', {}, [h]); }))]),
      el('tbody', {}, rows.map(function (r) { return el('tr', {}, r.map(function (c) { return el('td', {}, [c]); })); }))]);
  }
  function dest(l) { return [l.destination, l.destination_gln ? 'GLN ' + l.destination_gln : null].filter(Boolean).join(' · '); }

  function fill(key, vars) {
    return t(key).replace(/\{(\w)\}/g, function (m, k) { return vars[k] !== undefined ? vars[k] : m; });
  }
  /* The scan count of a result row, with the spike flag when the station found one. */
  function scanCell(sc) {
    if (!sc) return '–';
    return el('span', { class: 'scans' }, [String(sc.total),
      sc.spike ? ' ' : null,
      sc.spike ? el('span', { class: 'spike', title: t('ruleIs').replace('{r}', sc.rule) }, [fill('spikeOn', { d: sc.spike.day, n: sc.spike.count })]) : null]);
  }
  /* Daily scans as bars, the median as a dashed line, the spike day in red. */
  function scanChart(sc) {
    var n = sc.days.length, max = Math.max.apply(null, sc.days.map(function (d) { return d.count; }).concat([1]));
    var w = 400, h = 120, bw = Math.min(40, (w - 40) / n);
    var s = svg('svg', { class: 'scans', viewBox: '0 0 ' + w + ' ' + (h + 30), role: 'img', 'aria-label': t('scansTitle') });
    sc.days.forEach(function (d, i) {
      var bh = Math.max(1, (h - 12) * d.count / max), x = 30 + i * bw;
      s.appendChild(svg('rect', { x: x + 1, y: h - bh, width: Math.max(1, bw - 2), height: bh,
        class: sc.spike && sc.spike.day === d.day ? 'spike-day' : '' }));
      if (n <= 12 || i === 0 || i === n - 1 || (sc.spike && sc.spike.day === d.day))
        s.appendChild(svg('text', { x: x + 1, y: h + 12 }, d.day.slice(5)));
      if (d.count && bw >= 14) s.appendChild(svg('text', { x: x + 2, y: h - bh - 2 }, String(d.count)));
    });
    var my = h - (h - 12) * sc.median_daily / max;
    s.appendChild(svg('line', { x1: 30, x2: w, y1: my, y2: my }));
    s.appendChild(svg('text', { x: 0, y: my + 3 }, String(sc.median_daily)));
    return s;
  }

  function renderResults() {
    var box = document.getElementById('results');
    box.textContent = '';
    if (!last) return;
    if (!last.batches.length) { box.appendChild(el('p', {}, [t('none')])); return; }
    box.appendChild(el('p', {}, [t('found').replace('{n}', last.batches.length) + (last.more ? ' · ' + t('more') : '')]));
    box.appendChild(table([t('lot'), t('gtin'), t('product'), t('grower'), t('packed'), t('grade'), t('status'), t('loads'), t('scans'), ''],
      last.batches.map(function (b) {
        var btn = el('button', { type: 'button', class: 'open', 'data-lot': b.lot }, [t('open')]);
        btn.addEventListener('click', function () { openBatch(b); });
        return [b.lot, b.gtin, [b.product, b.variety].filter(Boolean).join(' · '), b.grower || '', b.pack_date,
          b.grade || '–', el('span', { class: 'status ' + b.status }, [b.status]),
          b.loads.map(dest).join('; ') || '–', scanCell(b.scans), btn];
      }), 'results'));
  }

  async function search(ev) {
    if (ev) ev.preventDefault();
    say('');
    try {
      last = await get('/api/v1/search?' + query().toString());
      if (session && last.scope_gln !== (session.scope || null)) session.scope = last.scope_gln;
      render();
    } catch (e) { last = null; renderResults(); say(e.message, true); }
  }

  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  /* Horizontal bars of @counts ({name: n}), with percentages. */
  function chart(counts, label) {
    var keys = Object.keys(counts), total = keys.reduce(function (a, k) { return a + counts[k]; }, 0) || 1;
    var row = 26, s = svg('svg', { class: 'chart', viewBox: '0 0 340 ' + row * keys.length, role: 'img', 'aria-label': label });
    keys.forEach(function (k, i) {
      var y = i * row;
      s.appendChild(svg('text', { x: 0, y: y + 17 }, k));
      s.appendChild(svg('rect', { x: 60, y: y + 4, height: 18, width: Math.max(1, 200 * counts[k] / total) }));
      s.appendChild(svg('text', { x: 266, y: y + 17 }, Math.round(counts[k] * 100 / total) + '% (' + counts[k] + ')'));
    });
    return s;
  }
  function stepName(s) { return String(s || '').replace(/^.*[-:\/]/, ''); }

  /* A clip: its player, its signed SHA-256, and a download that checks the bytes against it. */
  function clipRow(c, lot) {
    if (!c.url) return [String(c.n), stepName(c.step), c.camera, el('code', { class: 'sha' }, [c.sha256]), t('expired')];
    var result = el('span', { class: 'sha-check' }, []);
    var btn = el('button', { type: 'button', class: 'clip-download' }, [t('download')]);
    btn.addEventListener('click', async function () {
      try {
        var blob = await (await fetchAuth(c.url, 'video/mp4')).blob();
        var sum = hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
        result.textContent = sum === c.sha256 ? t('shaOk') : t('shaBad') + ': ' + sum;
        result.className = 'sha-check ' + (sum === c.sha256 ? 'ok' : 'bad');
        save(blob, lot + '-clip-' + c.n + '.mp4');
      } catch (e) { result.textContent = e.message; result.className = 'sha-check bad'; }
    });
    return [String(c.n), stepName(c.step), c.camera,
      el('div', { class: 'clip' }, [el('video', { controls: '', preload: 'none', playsinline: '', src: c.url }, []),
        el('code', { class: 'sha' }, [c.sha256])]),
      el('span', {}, [btn, ' ', result])];
  }

  async function openBatch(b) {
    say('');
    var base = b.links.timeline, parts = await Promise.all([
      get(base), get(b.links.clips), get(b.links.loads),
      get(b.links.grading).catch(function (e) { if (e.status === 404) return null; throw e; }),
      stationKey ? Promise.resolve(null) : get('/api/v1/station')
    ]).catch(function (e) { say(e.message, true); return null; });
    if (!parts) return;
    if (parts[4]) stationKey = parts[4].public_key;
    current = { batch: b, timeline: parts[0], clips: parts[1].clips, loads: parts[2].loads, grading: parts[3] };
    renderBatch();
    document.getElementById('batch').scrollIntoView();
  }

  function renderBatch() {
    var box = document.getElementById('batch');
    box.textContent = '';
    box.hidden = !current;
    if (!current) return;
    var b = current.batch, x = current.timeline, g = current.grading;
    var backBtn = el('button', { type: 'button', id: 'back' }, [t('back')]);
    backBtn.addEventListener('click', function () { current = null; renderBatch(); });
    box.appendChild(el('h2', { class: 'batch-title' }, [x.product + ' · ' + x.lot]));
    box.appendChild(backBtn);
    if (x.status === 'held' || x.status === 'recalled')
      box.appendChild(el('p', { class: 'banner ' + x.status, role: 'alert' }, [t(x.status) + (x.status_reason ? ' ' + x.status_reason : '')]));
    var facts = el('dl', { class: 'facts' });
    [['gtin', x.gtin], ['variety', x.variety], ['origin', x.origin], ['grower', x.grower],
      ['harvested', x.harvest_date], ['packed', x.pack_date], ['status', x.status], ['grade', b.grade]].forEach(function (r) {
      if (r[1]) { facts.appendChild(el('dt', {}, [t(r[0])])); facts.appendChild(el('dd', {}, [r[1]])); }
    });
    box.appendChild(facts);

    box.appendChild(el('h3', {}, [t('downloads')]));
    var epcis = el('button', { type: 'button', id: 'dl-epcis' }, [t('epcis')]);
    epcis.addEventListener('click', function () { download(b.links.epcis, x.lot + '-epcis.jsonld', 'application/ld+json'); });
    var bundle = el('button', { type: 'button', id: 'dl-bundle' }, [t('bundle')]);
    bundle.addEventListener('click', function () { download(b.links.bundle, x.lot + '-bundle.json'); });
    box.appendChild(el('p', { class: 'ops' }, [epcis, ' ', bundle]));
    box.appendChild(el('pre', { id: 'verify-batch' }, ['packtrace verify ' + x.lot + '-bundle.json' + (stationKey ? ' --key ' + stationKey : '')]));
    if (stationKey) box.appendChild(el('p', { class: 'sub key' }, [t('stationKey') + ': ' + stationKey]));

    box.appendChild(el('h3', {}, [t('grading')]));
    if (g) {
      box.appendChild(el('p', {}, [t('declared') + ': ' + g.declaredClass + (g.disposition ? ' · ' + g.disposition : '') +
        ' · ' + g.fruitCount + ' ' + t('fruit')]));
      box.appendChild(chart(g.gradeDistribution, t('grade')));
      if (g.sizeDistribution && Object.keys(g.sizeDistribution).length) {
        box.appendChild(el('h4', {}, [t('sizes')]));
        box.appendChild(chart(g.sizeDistribution, t('sizes')));
      }
    } else box.appendChild(el('p', {}, [t('notGraded')]));

    var sc = b.scans;
    box.appendChild(el('h3', {}, [t('scansTitle')]));
    if (sc && sc.spike)
      box.appendChild(el('p', { class: 'banner spike-warn', role: 'alert' }, [fill('spikeWarn', { d: sc.spike.day, n: sc.spike.count })]));
    if (sc && sc.days.length) {
      box.appendChild(el('p', { class: 'scan-summary' }, [fill('total', { n: sc.total }) + ' · ' + fill('median', { m: sc.median_daily })]));
      box.appendChild(scanChart(sc));
    } else box.appendChild(el('p', { class: 'scan-summary' }, [sc && sc.total ? fill('total', { n: sc.total }) : t('noScans')]));
    if (sc) box.appendChild(el('p', { class: 'sub' }, [t('ruleIs').replace('{r}', sc.rule) + ' ' + t('noLocation')]));

    box.appendChild(el('h3', {}, [t('loads')]));
    box.appendChild(current.loads.length ? table(['#', t('destination'), t('seal'), t('loaded'), t('closed')],
      current.loads.map(function (l) {
        return [String(l.id), dest(l) || '–', l.seal, when(l.loaded), l.closed ? when(l.closed) : t('open_')];
      }), 'loads') : el('p', {}, [t('noLoads')]));

    box.appendChild(el('h3', {}, [t('clips')]));
    box.appendChild(current.clips.length ? table([t('event'), '', t('camera'), 'SHA-256', ''],
      current.clips.map(function (c) { return clipRow(c, x.lot); }), 'clips') : el('p', {}, [t('noClips')]));

    box.appendChild(el('h3', {}, [t('timeline')]));
    var ol = el('ol', { class: 'timeline' });
    (x.event_list || []).forEach(function (row, i) {
      var e = row.event || {};
      ol.appendChild(el('li', {}, [
        el('strong', {}, [(i + 1) + '. ' + stepName(e.bizStep || row.step)]), ' ',
        e.disposition ? el('span', {}, ['(' + stepName(e.disposition).replace(/_/g, ' ') + ')']) : null,
        el('div', { class: 'when' }, [when(e.eventTime || row.event_time)]),
        e['pt:reason'] ? el('div', {}, [e['pt:reason']]) : null,
        e.errorDeclaration ? el('div', { class: 'corrected' }, ['errorDeclaration: ' + (e.errorDeclaration.reason || '')]) : null,
        el('div', { class: 'hash' }, [el('code', {}, [row.hash])])
      ]));
    });
    box.appendChild(ol);
  }

  function render() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.getElementById('lang').textContent = t('other');
    document.getElementById('brand').textContent = t('brand');
    document.getElementById('title').textContent = t('title');
    document.getElementById('use').textContent = t('use');
    document.getElementById('name').placeholder = lang === 'zh' ? '用户名' : 'name';
    document.getElementById('password').placeholder = lang === 'zh' ? '密码' : 'password';
    showWho();
    document.getElementById('scan-rule').textContent = last && last.scan_spike_rule ? t('ruleIs').replace('{r}', last.scan_spike_rule) : '';
    document.querySelectorAll('[data-t]').forEach(function (n) { n.textContent = t(n.getAttribute('data-t')); });
    renderResults();
    renderBatch();
  }

  document.getElementById('lang').addEventListener('click', function () {
    lang = lang === 'zh' ? 'en' : 'zh';
    try { localStorage.setItem('pt-lang', lang); } catch (e) { /* storage off: this view only */ }
    render();
  });
  /* Who is signed in, and which batches they see (the scope the station enforces). */
  function showWho() {
    var w = document.getElementById('who');
    w.textContent = session ? session.name + ' (' + session.role + ' · ' +
      (session.scope ? fill('scopeGln', { g: session.scope }) : t('allBatches')) + ')' : '';
  }
  function signedIn(who) {
    session = who;
    csrf = who ? who.csrf_token : null;
    document.getElementById('signin').hidden = !!who;
    document.getElementById('who').hidden = document.getElementById('signout').hidden = !who;
    document.getElementById('apikey').hidden = !!who;
    showWho();
  }
  var csrf = null;
  document.getElementById('signin').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var pw = document.getElementById('password');
    try {
      var r = await fetch('/api/v1/session', { method: 'POST', cache: 'no-store', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ name: document.getElementById('name').value, password: pw.value }) });
      var j = await r.json().catch(function () { return {}; });
      if (!r.ok) throw new Error(r.status === 401 ? t('wrongPw') : j.error || String(r.status));
      try { sessionStorage.removeItem('pt-token'); } catch (e) { /* private mode */ }
      signedIn(j);
      say('');
      search();
    } catch (e) { say(e.message, true); }
    pw.value = '';
  });
  document.getElementById('signout').addEventListener('click', async function () {
    await fetch('/api/v1/session', { method: 'DELETE', cache: 'no-store', credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf || '' } }).catch(function () { /* the cookie expires anyway */ });
    signedIn(null);
    last = current = null;
    render();
  });
  document.getElementById('login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    try { sessionStorage.setItem('pt-token', document.getElementById('token').value); } catch (e) { /* private mode */ }
    document.getElementById('token').value = '';
    search();
  });
  document.getElementById('search').addEventListener('submit', search);
  document.getElementById('csv').addEventListener('click', function () {
    var p = query();
    p.set('format', 'csv');
    download('/api/v1/search?' + p.toString(), 'packtrace-batches.csv', 'text/csv');
  });
  render();
  signedIn(null);
  if (token()) search();
  else {
    /* After a reload the cookie may still hold a session. */
    fetch('/api/v1/session', { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (who) { if (who) { signedIn(who); search(); } }, function () { /* signed out */ });
  }
})();
