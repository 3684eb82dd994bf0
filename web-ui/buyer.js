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
 * (the station's rule, sent with the search), the counterfeit signal.
 * The grade a batch shows and is searched by is its signed verdict: the class its last grading
 * declared and whether the lot met that class's tolerances (never the class most fruit have).
 * Views have their own addresses, kept over a reload: #/batch/ID (a batch, its signed bundle
 * checked in this browser with pt-verify.js) and #/stats (the views across batches of
 * buyer-charts.js); words by code (steps, states, classes) are buyer-i18n.js's.  Beside the
 * search, the loads going to the buyer and the video of their loading (buyer-loads.js). */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, svg = ui.svg, t = ui.t;
  ui.strings({
    /* header, sign-in and API key */
    brand: ['packtrace · buyers', 'packtrace · 采购商'], name: ['name', '用户名'], password: ['password', '密码'],
    signIn: ['Sign in', '登录'], signOut: ['Sign out', '退出'], use: ['Use', '使用'],
    keyAlt: ['Platforms: use an API key instead', '平台接入：改用 API 密钥'],
    wrongPw: ['Wrong name or password.', '用户名或密码错误。'],
    needKey: ['Sign in first (or enter an API key).', '请先登录（或输入 API 密钥）。'],
    refused: ['The station refused the key ({s}).', '站点拒绝了该密钥（{s}）。'],
    allBatches: ['all batches', '全部批次'], scopeGln: ['batches shipped to GLN {g}', '发往 GLN {g} 的批次'],
    /* the search form */
    title: ['Find a batch', '查找批次'], dateOf: ['Date of', '日期类型'], pack: ['packing', '包装'],
    harvest: ['harvest', '采收'], created: ['registration', '登记'], from: ['From', '从'], to: ['To', '至'],
    any: ['any', '全部'], out: ['out of grade', '等外'], search: ['Search', '搜索'], csv: ['Download CSV', '下载 CSV'],
    /* the results */
    found: ['Batches found: {n}', '找到 {n} 个批次'], none: ['No batch matches.', '没有匹配的批次。'],
    more: ['more: narrow the search or use the CSV pages', '还有更多：请缩小范围或分页下载 CSV'],
    status: ['Status', '状态'], loads: ['Loads', '装车'], scans: ['Scans', '扫码'], open: ['Open', '查看'],
    /* one batch */
    back: ['Back to the results', '返回结果'], timeline: ['Timeline', '流转记录'], grading: ['Grading', '分级'],
    held: ['⚠ This batch is on hold.', '⚠ 此批次已被暂扣。'], recalled: ['⚠ This batch has been recalled.', '⚠ 此批次已被召回。'],
    notGraded: ['Not graded by the camera.', '未经摄像分级。'], sizes: ['Sizes', '规格'],
    destination: ['Destination', '目的地'], seal: ['Seal', '封签'], loaded: ['Loaded', '装车时间'],
    closed: ['Departed', '已发车'], open_: ['loading', '装车中'], noLoads: ['Not loaded yet.', '尚未装车。'],
    clips: ['Evidence clips', '证据视频'], noClips: ['No clips.', '没有视频。'], download: ['Download', '下载'],
    event: ['Event', '事件'], camera: ['Camera', '摄像头'], when: ['When', '时间'],
    expired: ['deleted after its retention period', '已超过保存期限被删除'],
    shaOk: ['✓ SHA-256 matches the signed record', '✓ SHA-256 与签名记录一致'],
    shaBad: ['✗ SHA-256 differs from the signed record', '✗ SHA-256 与签名记录不符'],
    /* consumer scans and the counterfeit signal */
    scansTitle: ['Consumer scans of the label', '消费者扫码次数'], noScans: ['Not scanned yet.', '尚无扫码。'],
    spikeOn: ['spike {d}: {n} scans', '{d} 异常：{n} 次'], median: ['median {m} a day', '日中位数 {m}'],
    total: ['{n} scans in all', '共 {n} 次扫码'], ruleIs: ['Counterfeit signal: a spike is {r}.', '假冒信号：异常指{r}。'],
    spikeWarn: ['⚠ Possible counterfeit labels: {n} scans on {d}, far above this batch\'s usual rate.',
      '⚠ 疑似假冒标签：{d} 扫码 {n} 次，远高于该批次的平常水平。'],
    noLocation: ['The station does not know where a scan was made (it keeps no location of the phones), so only the count can show a spike, not where it came from.',
      '站点不记录扫码地点（不保存手机位置），因此只能从次数发现异常，无法判断来自何处。'],
    /* downloads and checking a bundle */
    downloads: ['Downloads', '下载'], epcis: ['EPCIS document', 'EPCIS 文档'], bundle: ['Signed bundle', '签名数据包'],
    howVerify: ['Checking a bundle yourself', '自行验证数据包'],
    verifyHelp: ['A bundle holds the batch\'s EPCIS events with the station\'s signature over each. Check it offline with the station\'s program; pass the station\'s public key to be sure it is this station\'s:',
      '数据包包含该批次的 EPCIS 事件及站点对每条事件的签名。可用站点程序离线验证；传入站点公钥以确认来自本站：'],
    keyHelp: ['STATION_KEY: the station\'s Ed25519 public key, 64 hex digits (shown with each batch, and at /api/v1/station). Exit 0 and "valid" when every event\'s hash, chain link and signature hold.',
      'STATION_KEY：站点的 Ed25519 公钥，64 位十六进制（见每个批次页面及 /api/v1/station）。每条事件的哈希、链接和签名均无误时，程序退出码为 0 并输出 "valid"。']
  });
  var last = null, current = null, stationKey = null, session = null, stats = null;
  var words = window.ptBuyerWords;

  function token() { try { return sessionStorage.getItem('pt-token'); } catch (e) { return null; } }
  function say(text, bad) { ui.say('msg', text, bad); }
  async function fetchAuth(path, accept) {
    var h = { Accept: accept || 'application/json' };
    if (token()) h.Authorization = 'Bearer ' + token();
    var r = await fetch(path, { headers: h, cache: 'no-store', credentials: 'same-origin' });
    if (r.status === 401 && session && !token()) signedIn(null);
    if (r.status === 401 || r.status === 403) throw new Error(token() ? t('refused', { s: r.status }) : t('needKey'));
    if (!r.ok) {
      var j = await r.json().catch(function () { return {}; });
      var err = new Error(j.error || path + ': ' + r.status);
      err.status = r.status;
      throw err;
    }
    return r;
  }
  async function get(path) { return (await fetchAuth(path)).json(); }
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
    ['lot', 'gtin', 'grower', 'from', 'to', 'grade', 'verdict'].forEach(function (k) { if (f[k].value.trim()) p.set(k, f[k].value.trim()); });
    if ((f.from.value || f.to.value) && f.date.value !== 'pack') p.set('date', f.date.value);
    return p;
  }
  /* The scan count of a result row, with the spike flag when the station found one. */
  function scanCell(sc) {
    if (!sc) return '–';
    return el('span', { class: 'scans' }, [String(sc.total),
      sc.spike ? ' ' : null,
      sc.spike ? el('span', { class: 'spike', title: t('ruleIs', { r: words.rule(sc.rule) }) }, [t('spikeOn', { d: sc.spike.day, n: sc.spike.count })]) : null]);
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
    box.appendChild(el('p', {}, [t('found', { n: last.batches.length }) + (last.more ? ' · ' + t('more') : '')]));
    box.appendChild(table([t('lot'), t('gtin'), t('product'), t('grower'), t('packed'), t('grade'), t('status'), t('loads'), t('scans'), t('b.actions')],
      last.batches.map(function (b) {
        var btn = el('button', { type: 'button', class: 'open', 'data-lot': b.lot }, [t('open')]);
        btn.addEventListener('click', function () { location.hash = '#/batch/' + b.id; });
        return [b.lot, b.gtin, [b.product, b.variety].filter(Boolean).join(' · '), b.grower || '', b.pack_date,
          verdictCell(b.verdict), el('span', { class: 'status ' + b.status }, [words.status(b.status)]),
          b.loads.map(dest).join('; ') || '–', scanCell(b.scans), btn];
      }), 'results'));
  }

  /* The signed verdict: "Class I, outside tolerance" and the share of fruit below the class. */
  function verdictText(v) {
    if (!v) return t('b.notGraded');
    var c = words.klass(v.declared_class);
    return t(v.conformant ? 'b.verdictOk' : 'b.verdictBad', { c: c }) +
      (v.below_class_percent != null ? t('b.paren', { p: t('b.belowPct', { p: v.below_class_percent, c: c }) }) : '');
  }
  function verdictCell(v) {
    return el('span', { class: 'verdict ' + (!v ? '' : v.conformant ? 'ok' : 'bad'), title: t('b.verdictHelp') }, [verdictText(v)]);
  }

  async function search(ev) {
    if (ev) ev.preventDefault();
    say('');
    try {
      last = await get('/api/v1/search?' + query().toString());
      if (session && last.scope_gln !== (session.scope || null)) session.scope = last.scope_gln;
      render();
      /* The recall notices to this buyer, with their acknowledgement (buyer-notices.js). */
      window.ptBuyerNotices.refresh(token() ? { token: token() } : { csrf: csrf });
      /* The loads going to this buyer, with the video of their loading (buyer-loads.js). */
      window.ptBuyerLoads.refresh(token() ? { token: token() } : { csrf: csrf });
    } catch (e) { last = null; renderResults(); say(e.message, true); }
  }

  function chart(counts, label, names) {
    return ui.barChart(ui.bars(counts).map(function (b) { return [names ? names(b[0]) : b[0], b[1]]; }),
      { label: label, nameWidth: 90, width: 400 });
  }
  var stepName = words.step, when = ui.when, table = ui.table, dest = ui.dest;

  /* A clip: its player, its signed SHA-256, and a download that checks the bytes against it. */
  function clipRow(c, lot) {
    if (!c.url) return [String(c.n), stepName(c.step), c.camera, hashes([el('code', { class: 'sha' }, [c.sha256])]), t('expired')];
    var result = el('span', { class: 'sha-check' }, []);
    var btn = el('button', { type: 'button', class: 'clip-download' }, [t('download')]);
    btn.addEventListener('click', async function () {
      try {
        var blob = await (await fetchAuth(c.url, 'video/mp4')).blob();
        var sum = ui.hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
        result.textContent = sum === c.sha256 ? t('shaOk') : t('shaBad') + ': ' + sum;
        result.className = 'sha-check ' + (sum === c.sha256 ? 'ok' : 'bad');
        save(blob, lot + '-clip-' + c.n + '.mp4');
      } catch (e) { result.textContent = e.message; result.className = 'sha-check bad'; }
    });
    return [String(c.n), stepName(c.step), c.camera,
      el('div', { class: 'clip' }, [el('video', { controls: '', preload: 'none', playsinline: '', src: c.url, 'aria-label': t('clips') + ' ' + c.n }, []),
        hashes([el('code', { class: 'sha' }, [c.sha256])])]),
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
    current = { batch: b, timeline: parts[0], clips: parts[1].clips, loads: parts[2].loads, grading: parts[3], check: { state: 'checking' } };
    renderBatch();
    window.scrollTo(0, 0);
    checkBundle(current);
  }

  /* Folds hashes and signatures away: a buyer reads the story first. */
  function hashes(kids) {
    return el('details', { class: 'hashes' }, [el('summary', {}, [t('b.hashes')])].concat(kids));
  }

  /* The batch's signed bundle checked here against the station's key (pt-verify.js), then the
   * state and verdict this page shows against the ones its verified events state. */
  async function checkBundle(view) {
    var x = view.timeline, v = view.batch.verdict;
    try {
      var bundle = await (await fetchAuth(view.batch.links.bundle)).json();
      var r = await window.ptVerify.verifyBundle(bundle, { publicKey: stationKey, lot: x.lot, gtin: x.gtin, events: null });
      var f = window.ptVerify.signedFacts(bundle.epcis.epcisBody.eventList) || {}, differ = [];
      if (f.status !== x.status) differ.push(t('status'));
      if ((f.declared_class || null) !== (v ? v.declared_class : null) ||
          (v && ui.lastPart(f.disposition) !== (v.conformant ? 'conformant' : 'non_conformant'))) differ.push(t('grade'));
      view.check = differ.length ? { state: 'differ', fields: differ.join(', ') } : { state: 'ok', n: r.n };
    } catch (e) {
      view.check = !e.tampered && e.name === 'NotSupportedError' ? { state: 'nocrypto' } :
        { state: 'bad', why: e.tampered ? e.message : e.message || 'malformed bundle' };
    }
    var mark = document.getElementById('verify-mark');
    if (view === current && mark) mark.replaceWith(verifyMark(view.check));
  }
  function verifyMark(c) {
    var cls = c.state === 'ok' ? ' ok' : c.state === 'checking' || c.state === 'nocrypto' ? ' checking' : ' bad';
    var text = c.state === 'ok' ? t('b.verified', { n: c.n }) : c.state === 'bad' ? t('b.unverified', { why: c.why }) :
      c.state === 'differ' ? t('b.differ', { fields: c.fields }) : t(c.state === 'nocrypto' ? 'b.nocrypto' : 'b.checking');
    return el('p', { id: 'verify-mark', class: 'verify' + cls, role: 'status' }, [text]);
  }

  /* A batch named by the address alone (a reload, a link): its record, then its search row
   * (verdict, scans, links) found by its lot. */
  async function openById(id) {
    if (current && String(current.batch.id) === id) { renderBatch(); return; }
    var hit = last && last.batches.filter(function (b) { return String(b.id) === id; })[0];
    try {
      if (!hit) {
        var x = await get('/api/v1/batches/' + id);
        var found = await get('/api/v1/search?lot=' + encodeURIComponent(x.lot));
        hit = found.batches.filter(function (b) { return String(b.id) === id; })[0];
        if (!hit) throw new Error(t('e.not-found'));
      }
      if (location.hash === '#/batch/' + id) await openBatch(hit);
    } catch (e) { say(e.message, true); }
  }

  /* Which view the address names: #/batch/ID, #/stats, else the search. */
  function view() {
    var m = /^#\/batch\/(\d+)$/.exec(location.hash);
    return m ? { name: 'batch', id: m[1] } : { name: location.hash === '#/stats' ? 'stats' : 'search' };
  }
  function route() {
    var v = view(), signed = !!(session || token());
    if (v.name !== 'batch') current = null;
    ['search', 'results', 'scan-rule'].forEach(function (id) { document.getElementById(id).hidden = v.name === 'batch'; });
    document.getElementById('loads').classList.toggle('off', v.name !== 'search');
    if (v.name !== 'search') window.ptBuyerLoads.close();
    document.getElementById('title').hidden = v.name === 'batch';
    document.getElementById('results').hidden = v.name !== 'search';
    document.getElementById('stats').hidden = v.name !== 'stats';
    renderBatch();
    if (!signed) return;
    if (v.name === 'batch') openById(v.id);
    else if (v.name === 'stats') loadStats();
  }

  /* The views across batches, for the search's dates, grower and GTIN. */
  async function loadStats() {
    var p = new URLSearchParams(), q = query();
    ['from', 'to', 'grower', 'gtin'].forEach(function (k) { if (q.get(k)) p.set(k, q.get(k)); });
    try {
      stats = await get('/api/v1/buyer/stats?' + p.toString());
      renderStats();
    } catch (e) { stats = null; renderStats(); say(e.message, true); }
  }
  function renderStats() {
    var box = document.getElementById('stats');
    box.textContent = '';
    if (stats) window.ptBuyerCharts.render(box, stats);
  }

  function renderBatch() {
    var box = document.getElementById('batch');
    box.textContent = '';
    box.hidden = !current;
    if (!current) return;
    var b = current.batch, x = current.timeline, g = current.grading;
    var backBtn = el('button', { type: 'button', id: 'back' }, [t('back')]);
    backBtn.addEventListener('click', function () { location.hash = '#/'; });
    box.appendChild(el('h1', { class: 'batch-title' }, [x.product + ' · ' + x.lot]));
    box.appendChild(el('p', { class: 'ops' }, [backBtn, ' ', el('a', { href: '#/batch/' + b.id, class: 'batch-link' }, [t('b.batchLink')])]));
    if (x.status === 'held' || x.status === 'recalled')
      box.appendChild(el('p', { class: 'banner ' + x.status, role: 'alert' }, [t(x.status) + (x.status_reason ? ' ' + x.status_reason : '')]));
    box.appendChild(verifyMark(current.check));
    box.appendChild(ui.facts([['gtin', x.gtin], ['variety', x.variety], ['origin', x.origin], ['grower', x.grower],
      ['harvested', x.harvest_date], ['packed', x.pack_date], ['status', words.status(x.status)], ['grade', verdictText(b.verdict)]]));

    box.appendChild(el('h2', {}, [t('downloads')]));
    var epcis = el('button', { type: 'button', id: 'dl-epcis' }, [t('epcis')]);
    epcis.addEventListener('click', function () { download(b.links.epcis, x.lot + '-epcis.jsonld', 'application/ld+json'); });
    var bundle = el('button', { type: 'button', id: 'dl-bundle' }, [t('bundle')]);
    bundle.addEventListener('click', function () { download(b.links.bundle, x.lot + '-bundle.json'); });
    box.appendChild(el('p', { class: 'ops' }, [epcis, ' ', bundle]));
    box.appendChild(el('pre', { id: 'verify-batch', tabindex: '0' }, ['packtrace verify ' + x.lot + '-bundle.json' + (stationKey ? ' --key ' + stationKey : '')]));
    if (stationKey) box.appendChild(hashes([el('p', { class: 'sub key' }, [t('stationKey') + ': ' + stationKey])]));

    box.appendChild(el('h2', {}, [t('grading')]));
    if (g) {
      box.appendChild(el('p', {}, [t('declared') + ': ' + words.klass(g.declaredClass) +
        (g.disposition ? ' · ' + words.disposition(g.disposition) : '') + ' · ' + g.fruitCount + ' ' + t('fruit')]));
      box.appendChild(el('p', { class: 'sub' }, [t('b.verdictHelp')]));
      box.appendChild(chart(g.gradeDistribution, t('grade'), words.klass));
      if (g.sizeDistribution && Object.keys(g.sizeDistribution).length) {
        box.appendChild(el('h3', {}, [t('sizes')]));
        box.appendChild(chart(g.sizeDistribution, t('sizes'), function (k) { return k === 'none' ? t('x.sizeNone') : k; }));
      }
    } else box.appendChild(el('p', {}, [t('notGraded')]));

    var sc = b.scans;
    box.appendChild(el('h2', {}, [t('scansTitle')]));
    if (sc && sc.spike)
      box.appendChild(el('p', { class: 'banner spike-warn', role: 'alert' }, [t('spikeWarn', { d: sc.spike.day, n: sc.spike.count })]));
    if (sc && sc.days.length) {
      box.appendChild(el('p', { class: 'scan-summary' }, [t('total', { n: sc.total }) + ' · ' + t('median', { m: sc.median_daily })]));
      box.appendChild(scanChart(sc));
    } else box.appendChild(el('p', { class: 'scan-summary' }, [sc && sc.total ? t('total', { n: sc.total }) : t('noScans')]));
    if (sc) box.appendChild(el('p', { class: 'sub' }, [t('ruleIs', { r: words.rule(sc.rule) }) + ' ' + t('noLocation')]));

    box.appendChild(el('h2', {}, [t('loads')]));
    box.appendChild(current.loads.length ? table(['#', t('destination'), t('seal'), t('loaded'), t('closed')],
      current.loads.map(function (l) {
        return [String(l.id), dest(l) || '–', l.seal, when(l.loaded), l.closed ? when(l.closed) : t('open_')];
      }), 'loads') : el('p', {}, [t('noLoads')]));

    box.appendChild(el('h2', {}, [t('clips')]));
    box.appendChild(current.clips.length ? table([t('event'), t('b.step'), t('camera'), 'SHA-256', t('download')],
      current.clips.map(function (c) { return clipRow(c, x.lot); }), 'clips') : el('p', {}, [t('noClips')]));

    box.appendChild(el('h2', {}, [t('timeline')]));
    var ol = el('ol', { class: 'timeline' });
    (x.event_list || []).forEach(function (row, i) {
      var e = row.event || {};
      ol.appendChild(el('li', {}, [
        el('strong', {}, [(i + 1) + '. ' + stepName(e.bizStep || row.step)]), ' ',
        e.disposition ? el('span', {}, ['(' + words.disposition(e.disposition) + ')']) : null,
        el('div', { class: 'when' }, [when(e.eventTime || row.event_time)]),
        e['pt:reason'] ? el('div', {}, [e['pt:reason']]) : null,
        e.errorDeclaration ? el('div', { class: 'corrected' }, [t('b.corrected') + (e.errorDeclaration.reason ? ': ' + ui.lastPart(e.errorDeclaration.reason) : '')]) : null,
        hashes([el('div', { class: 'hash' }, [el('code', {}, [row.hash])])])
      ]));
    });
    box.appendChild(ol);
  }

  function render() {
    ui.localize();
    window.ptBuyerNotices.render();
    window.ptBuyerLoads.render();
    showWho();
    document.getElementById('scan-rule').textContent = last && last.scan_spike_rule ? t('ruleIs', { r: words.rule(last.scan_spike_rule) }) : '';
    renderResults();
    renderBatch();
    renderStats();
  }

  ui.langButton(render);
  /* Who is signed in, and which batches they see (the scope the station enforces). */
  function showWho() {
    var w = document.getElementById('who');
    w.textContent = session ? session.name + ' (' + words.role(session.role) + ' · ' +
      (session.scope ? t('scopeGln', { g: session.scope }) : t('allBatches')) + ')' : '';
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
      route();
    } catch (e) { say(e.message, true); }
    pw.value = '';
  });
  document.getElementById('signout').addEventListener('click', async function () {
    await fetch('/api/v1/session', { method: 'DELETE', cache: 'no-store', credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf || '' } }).catch(function () { /* the cookie expires anyway */ });
    signedIn(null);
    last = current = stats = null;
    window.ptBuyerNotices.refresh(null);
    window.ptBuyerLoads.refresh(null);
    render();
  });
  document.getElementById('login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    try { sessionStorage.setItem('pt-token', document.getElementById('token').value); } catch (e) { /* private mode */ }
    document.getElementById('token').value = '';
    search();
    route();
  });
  document.getElementById('search').addEventListener('submit', function (ev) {
    search(ev);
    if (view().name === 'stats') loadStats();
  });
  document.getElementById('stats-go').addEventListener('click', function () {
    if (location.hash === '#/stats') loadStats();
    else location.hash = '#/stats';
  });
  window.addEventListener('hashchange', function () { say(''); route(); });
  document.getElementById('csv').addEventListener('click', function () {
    var p = query();
    p.set('format', 'csv');
    download('/api/v1/search?' + p.toString(), 'packtrace-batches.csv', 'text/csv');
  });
  render();
  signedIn(null);
  route();
  if (token()) { search(); route(); }
  else {
    /* After a reload the cookie may still hold a session: asked once, never polled. */
    fetch('/api/v1/session', { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (who) { if (who) { signedIn(who); search(); route(); } }, function () { /* signed out */ });
  }
})();
