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
 * buyer-charts.js).  Every word is the one translation table's (web-ui/i18n.json, bu. and the
 * shared step:, disp:, status:, cls:), loaded by ptUi.loadTable() before this starts.  Beside the
 * search, the loads going to the buyer and the video of their loading (buyer-loads.js). */
'use strict';
window.ptUi.loadTable().then(function () {
  var ui = window.ptUi, el = ui.el, svg = ui.svg, t = ui.t;
  var last = null, current = null, stationKey = null, session = null, stats = null;
  /* On the co-op hub: buyer tokens only, the search across stations (buyer-hub.js). */
  var hubApi = window.ptBuyerHub, hub = hubApi.on;
  /* Codes in words from the one table: the shared words, or a buyer's more exact one first. */
  var words = {
    step: function (s) { return ui.word(['bu.step:', 'step:'], ui.lastPart(s)); },
    disposition: function (d) { return ui.word(['bu.disp:', 'disp:'], ui.lastPart(d)); },
    status: function (s) { return ui.word(['bu.status:', 'status:'], s); },
    klass: function (c) { return ui.word(['cls:'], c, String); },
    role: function (r) { return ui.word(['bu.role:'], r, String); },
    /* The station's spike rule (English, with its two numbers) in the reader's language. */
    rule: function (text) {
      var m = /more than ([\d.]+) times.*at least (\d+)/.exec(text || '');
      return m ? t('bu.rule', { f: m[1], m: m[2] }) : (text || '');
    }
  };

  function token() { try { return sessionStorage.getItem('pt-token'); } catch (e) { return null; } }
  function forget() { try { sessionStorage.removeItem('pt-token'); } catch (e) { /* private mode */ } }
  function say(text, bad) { ui.say('msg', text, bad); }
  async function fetchAuth(path, accept) {
    var h = { Accept: accept || 'application/json' };
    if (token()) h.Authorization = 'Bearer ' + token();
    var r = await fetch(path, { headers: h, cache: 'no-store', credentials: 'same-origin' });
    if (r.status === 401 && session && !token()) signedIn(null);
    if (r.status === 401 || r.status === 403) {
      var refused = new Error(!token() ? t('bu.needKey') : hub ? t('bu.h.refused') : t('bu.refused', { s: r.status }));
      /* A token the hub does not know is forgotten: the sign-in shows again. */
      if (hub && r.status === 401) { forget(); signedIn(null); }
      throw refused;
    }
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
      sc.spike ? el('span', { class: 'spike', title: t('bu.ruleIs', { r: words.rule(sc.rule) }) }, [t('bu.spikeOn', { d: sc.spike.day, n: sc.spike.count })]) : null]);
  }
  /* Daily scans as bars, the median as a dashed line, the spike day in red. */
  function scanChart(sc) {
    var n = sc.days.length, max = Math.max.apply(null, sc.days.map(function (d) { return d.count; }).concat([1]));
    var w = 400, h = 120, bw = Math.min(40, (w - 40) / n);
    var s = svg('svg', { class: 'scans', viewBox: '0 0 ' + w + ' ' + (h + 30), role: 'img', 'aria-label': t('bu.scansTitle') });
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
    if (!last.batches.length) { box.appendChild(el('p', {}, [t('bu.none')])); return; }
    box.appendChild(el('p', {}, [t('bu.found', { n: last.batches.length }) + (last.more ? ' · ' + t('bu.more') : '')]));
    /* A station's rows have its loads and scans; the hub's name the station of each batch. */
    var head = [t('bu.lot'), t('bu.gtin'), t('bu.product'), t('bu.grower'), t('bu.packed'), t('bu.grade'), t('bu.status')];
    box.appendChild(table(head.concat(hub ? [t('bu.station'), t('bu.actions')] : [t('bu.loads'), t('bu.scans'), t('bu.actions')]),
      last.batches.map(function (b) {
        var btn = el('button', { type: 'button', class: 'open', 'data-lot': b.lot, 'data-station': b.station || '' }, [t('bu.open')]);
        btn.addEventListener('click', function () { location.hash = '#/batch/' + b.id; });
        var cells = [b.lot, b.gtin, [b.product, b.variety].filter(Boolean).join(' · '), b.grower || '', b.pack_date,
          verdictCell(b.verdict), el('span', { class: 'status ' + b.status }, [words.status(b.status)])];
        return cells.concat(hub ? [b.station_name || b.station, btn] : [b.loads.map(dest).join('; ') || '–', scanCell(b.scans), btn]);
      }), 'results'));
  }

  /* The signed verdict: "Class I, outside tolerance" and the share of fruit below the class. */
  function verdictText(v) {
    if (!v) return t('bu.verdictNone');
    var c = words.klass(v.declared_class);
    return t(v.conformant ? 'bu.verdictOk' : 'bu.verdictBad', { c: c }) +
      (v.below_class_percent != null ? t('bu.paren', { p: t('bu.belowPct', { p: v.below_class_percent, c: c }) }) : '');
  }
  function verdictCell(v) {
    return el('span', { class: 'verdict ' + (!v ? '' : v.conformant ? 'ok' : 'bad'), title: t('bu.verdictHelp') }, [verdictText(v)]);
  }

  async function search(ev) {
    if (ev) ev.preventDefault();
    say('');
    try {
      last = hub ? await hubApi.search(get, query(), document.getElementById('search').station.value.trim())
        : await get('/api/v1/search?' + query().toString());
      if (session && last.scope_gln !== (session.scope || null)) session.scope = last.scope_gln;
      render();
      /* On the hub, notices and loads are the pages linked from the header (/loads). */
      if (hub) return;
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
    if (!c.url) return [String(c.n), stepName(c.step), c.camera, hashes([el('code', { class: 'sha' }, [c.sha256])]), t('bu.expired')];
    var result = el('span', { class: 'sha-check' }, []);
    var btn = el('button', { type: 'button', class: 'clip-download' }, [t('bu.download')]);
    btn.addEventListener('click', async function () {
      try {
        var blob = await (await fetchAuth(c.url, 'video/mp4')).blob();
        var sum = ui.hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
        result.textContent = sum === c.sha256 ? t('bu.shaOk') : t('bu.shaBad') + ': ' + sum;
        result.className = 'sha-check ' + (sum === c.sha256 ? 'ok' : 'bad');
        save(blob, lot + '-clip-' + c.n + '.mp4');
      } catch (e) { result.textContent = e.message; result.className = 'sha-check bad'; }
    });
    return [String(c.n), stepName(c.step), c.camera,
      el('div', { class: 'clip' }, [el('video', { controls: '', preload: 'none', playsinline: '', src: c.url, 'aria-label': t('bu.clips') + ' ' + c.n }, []),
        hashes([el('code', { class: 'sha' }, [c.sha256])])]),
      el('span', {}, [btn, ' ', result])];
  }

  async function openBatch(b) {
    /* An answer that arrives after the reader has left the batch's address is dropped. */
    function stale() { return location.hash !== '#/batch/' + b.id; }
    say('');
    if (hub) {
      var rec = await hubApi.open(get, b).catch(function (e) { say(e.message, true); return null; });
      if (!rec || stale()) return;
      /* Each shed signs with its own key; the hub signs the bundle's head with its key. */
      stationKey = rec.publicKey;
      current = { batch: b, timeline: rec.timeline, clips: [], loads: [], grading: rec.grading, hubKey: rec.hubKey, check: { state: 'checking' } };
      renderBatch();
      window.scrollTo(0, 0);
      checkBundle(current);
      return;
    }
    var base = b.links.timeline, parts = await Promise.all([
      get(base), get(b.links.clips), get(b.links.loads),
      get(b.links.grading).catch(function (e) { if (e.status === 404) return null; throw e; }),
      stationKey ? Promise.resolve(null) : get('/api/v1/station')
    ]).catch(function (e) { say(e.message, true); return null; });
    if (!parts || stale()) return;
    if (parts[4]) stationKey = parts[4].public_key;
    current = { batch: b, timeline: parts[0], clips: parts[1].clips, loads: parts[2].loads, grading: parts[3], check: { state: 'checking' } };
    renderBatch();
    window.scrollTo(0, 0);
    checkBundle(current);
  }

  /* Folds hashes and signatures away: a buyer reads the story first. */
  function hashes(kids) {
    return el('details', { class: 'hashes' }, [el('summary', {}, [t('bu.hashes')])].concat(kids));
  }

  /* The batch's signed bundle checked here against the station's key (pt-verify.js; on the hub
   * its head against the hub's), then the state and verdict this page shows against the ones
   * its verified events state. */
  async function checkBundle(view) {
    var x = view.timeline, v = view.batch.verdict;
    try {
      var bundle = await (await fetchAuth(view.batch.links.bundle)).json();
      var r = await window.ptVerify.verifyBundle(bundle, { publicKey: stationKey, lot: x.lot, gtin: x.gtin, hubKey: view.hubKey, events: null });
      var f = window.ptVerify.signedFacts(bundle.epcis.epcisBody.eventList) || {}, differ = [];
      if (f.status !== x.status) differ.push(t('bu.status'));
      if ((f.declared_class || null) !== (v ? v.declared_class : null) ||
          (v && ui.lastPart(f.disposition) !== (v.conformant ? 'conformant' : 'non_conformant'))) differ.push(t('bu.grade'));
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
    var text = c.state === 'ok' ? t('bu.verified', { n: c.n }) : c.state === 'bad' ? t('bu.unverified', { why: c.why }) :
      c.state === 'differ' ? t('bu.differ', { fields: c.fields }) : t(c.state === 'nocrypto' ? 'bu.nocrypto' : 'bu.checking');
    return el('p', { id: 'verify-mark', class: 'verify' + cls, role: 'status' }, [text]);
  }

  /* A batch named by the address alone (a reload, a link): its record, then its search row
   * (verdict, scans, links) found by its lot. */
  async function openById(id) {
    if (current && String(current.batch.id) === id) { renderBatch(); return; }
    var hit = last && last.batches.filter(function (b) { return String(b.id) === id; })[0];
    try {
      if (!hit && hub) {
        hit = await hubApi.find(get, id);
        if (!hit) throw new Error(t('bu.notFound'));
      }
      if (!hit) {
        var x = await get('/api/v1/batches/' + id);
        var found = await get('/api/v1/search?lot=' + encodeURIComponent(x.lot));
        hit = found.batches.filter(function (b) { return String(b.id) === id; })[0];
        if (!hit) throw new Error(t('bu.notFound'));
      }
      if (location.hash === '#/batch/' + id) await openBatch(hit);
    } catch (e) { say(e.message, true); }
  }

  /* Which view the address names: #/batch/ID (on the hub #/batch/STATION/GTIN/LOT), #/stats,
   * else the search. */
  function view() {
    var m = (hub ? /^#\/batch\/([^/]+\/\d{14}\/[^/]+)$/ : /^#\/batch\/(\d+)$/).exec(location.hash);
    return m ? { name: 'batch', id: m[1] } : { name: location.hash === '#/stats' ? 'stats' : 'search' };
  }
  function route() {
    var v = view(), signed = !!(session || token());
    /* A batch the address no longer names is not drawn: going from one batch's address to
     * another's, the first stayed on screen under the second's address, and beside its refusal. */
    if (v.name !== 'batch' || (current && String(current.batch.id) !== v.id)) current = null;
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

  /* A batch's consumer scans, loads and evidence clips, from its station. */
  function stationParts(box, b, x) {
    var sc = b.scans;
    box.appendChild(el('h2', {}, [t('bu.scansTitle')]));
    if (sc && sc.spike)
      box.appendChild(el('p', { class: 'banner spike-warn', role: 'alert' }, [t('bu.spikeWarn', { d: sc.spike.day, n: sc.spike.count })]));
    if (sc && sc.days.length) {
      box.appendChild(el('p', { class: 'scan-summary' }, [t('bu.total', { n: sc.total }) + ' · ' + t('bu.median', { m: sc.median_daily })]));
      box.appendChild(scanChart(sc));
    } else box.appendChild(el('p', { class: 'scan-summary' }, [sc && sc.total ? t('bu.total', { n: sc.total }) : t('bu.noScans')]));
    if (sc) box.appendChild(el('p', { class: 'sub' }, [t('bu.ruleIs', { r: words.rule(sc.rule) }) + ' ' + t('bu.noLocation')]));

    box.appendChild(el('h2', {}, [t('bu.loads')]));
    box.appendChild(current.loads.length ? table(['#', t('bu.destination'), t('bu.seal'), t('bu.loaded'), t('bu.closed')],
      current.loads.map(function (l) {
        return [String(l.id), dest(l) || '–', l.seal, when(l.loaded), l.closed ? when(l.closed) : t('bu.open_')];
      }), 'loads') : el('p', {}, [t('bu.noLoads')]));

    box.appendChild(el('h2', {}, [t('bu.clips')]));
    box.appendChild(current.clips.length ? table([t('bu.event'), t('bu.step'), t('bu.camera'), 'SHA-256', t('bu.download')],
      current.clips.map(function (c) { return clipRow(c, x.lot); }), 'clips') : el('p', {}, [t('bu.noClips')]));
  }

  function renderBatch() {
    var box = document.getElementById('batch');
    box.textContent = '';
    box.hidden = !current;
    if (!current) return;
    var b = current.batch, x = current.timeline, g = current.grading;
    var backBtn = el('button', { type: 'button', id: 'back' }, [t('bu.back')]);
    backBtn.addEventListener('click', function () { location.hash = '#/'; });
    box.appendChild(el('h1', { class: 'batch-title' }, [x.product + ' · ' + x.lot]));
    box.appendChild(el('p', { class: 'ops' }, [backBtn, ' ', el('a', { href: '#/batch/' + b.id, class: 'batch-link' }, [t('bu.batchLink')])]));
    if (x.status === 'held' || x.status === 'recalled')
      box.appendChild(el('p', { class: 'banner ' + x.status, role: 'alert' }, [t('bu.' + x.status) + (x.status_reason ? ' ' + x.status_reason : '')]));
    box.appendChild(verifyMark(current.check));
    box.appendChild(ui.facts([['bu.gtin', x.gtin], ['bu.variety', x.variety], ['bu.origin', x.origin], ['bu.grower', x.grower],
      ['bu.harvested', x.harvest_date], ['bu.packed', x.pack_date], ['bu.status', words.status(x.status)], ['bu.grade', verdictText(b.verdict)], ['bu.station', b.station_name]]));

    box.appendChild(el('h2', {}, [t('bu.downloads')]));
    var epcis = el('button', { type: 'button', id: 'dl-epcis' }, [t('bu.epcis')]);
    epcis.addEventListener('click', function () { download(b.links.epcis, x.lot + '-epcis.jsonld', 'application/ld+json'); });
    var bundle = el('button', { type: 'button', id: 'dl-bundle' }, [t('bu.bundle')]);
    bundle.addEventListener('click', function () { download(b.links.bundle, x.lot + '-bundle.json'); });
    box.appendChild(el('p', { class: 'ops' }, [epcis, ' ', bundle]));
    box.appendChild(el('pre', { id: 'verify-batch', tabindex: '0' }, ['packtrace verify ' + x.lot + '-bundle.json' + (stationKey ? ' --key ' + stationKey : '')]));
    if (stationKey) box.appendChild(hashes([el('p', { class: 'sub key' }, [t('bu.stationKey') + ': ' + stationKey])]));

    box.appendChild(el('h2', {}, [t('bu.grading')]));
    if (g) {
      box.appendChild(el('p', {}, [t('bu.declared') + ': ' + words.klass(g.declaredClass) +
        (g.disposition ? ' · ' + words.disposition(g.disposition) : '') + ' · ' + g.fruitCount + ' ' + t('bu.fruit')]));
      box.appendChild(el('p', { class: 'sub' }, [t('bu.verdictHelp')]));
      box.appendChild(chart(g.gradeDistribution, t('bu.grade'), words.klass));
      if (g.sizeDistribution && Object.keys(g.sizeDistribution).length) {
        box.appendChild(el('h3', {}, [t('bu.sizes')]));
        box.appendChild(chart(g.sizeDistribution, t('bu.sizes'), function (k) { return k === 'none' ? t('bu.x.sizeNone') : k; }));
      }
    } else box.appendChild(el('p', {}, [t('bu.notGraded')]));

    /* What a station knows and the hub does not keep: scans, loads, clips (hub: /loads). */
    if (!hub) stationParts(box, b, x);

    box.appendChild(el('h2', {}, [t('bu.timeline')]));
    var ol = el('ol', { class: 'timeline' });
    (x.event_list || []).forEach(function (row, i) {
      var e = row.event || {};
      ol.appendChild(el('li', {}, [
        el('strong', {}, [(i + 1) + '. ' + stepName(e.bizStep || row.step)]), ' ',
        e.disposition ? el('span', {}, ['(' + words.disposition(e.disposition) + ')']) : null,
        el('div', { class: 'when' }, [when(e.eventTime || row.event_time)]),
        e['pt:reason'] ? el('div', {}, [e['pt:reason']]) : null,
        e.errorDeclaration ? el('div', { class: 'corrected' }, [t('bu.corrected') + (e.errorDeclaration.reason ? ': ' + ui.lastPart(e.errorDeclaration.reason) : '')]) : null,
        hashes([el('div', { class: 'hash' }, [el('code', {}, [row.hash])])])
      ]));
    });
    box.appendChild(ol);
  }

  function render() {
    ui.localize();
    document.title = t('bu.brand');
    window.ptBuyerNotices.render();
    window.ptBuyerLoads.render();
    showWho();
    document.getElementById('scan-rule').textContent = last && last.scan_spike_rule ? t('bu.ruleIs', { r: words.rule(last.scan_spike_rule) }) : '';
    renderResults();
    renderBatch();
    renderStats();
  }

  ui.langButton(render);
  /* Who is signed in, and which batches they see (the scope the station enforces). */
  function showWho() {
    var w = document.getElementById('who');
    if (hub) {
      w.textContent = token() && last ? t('bu.hubWho', { scope: last.scope_gln ? t('bu.scopeGln', { g: last.scope_gln }) : t('bu.allBatches') }) : '';
      return;
    }
    w.textContent = session ? session.name + ' (' + words.role(session.role) + ' · ' +
      (session.scope ? t('bu.scopeGln', { g: session.scope }) : t('bu.allBatches')) + ')' : '';
  }
  /* The hub knows no accounts: a buyer token kept for this tab is its signed-in state. */
  function signedIn(who) {
    session = who;
    csrf = who ? who.csrf_token : null;
    var on = hub ? !!token() : !!who;
    document.getElementById('signin').hidden = hub || on;
    document.getElementById('who').hidden = document.getElementById('signout').hidden = !on;
    document.getElementById('apikey').hidden = on;
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
      if (!r.ok) throw new Error(r.status === 401 ? t('bu.wrongPw') : j.error || String(r.status));
      try { sessionStorage.removeItem('pt-token'); } catch (e) { /* private mode */ }
      signedIn(j);
      say('');
      search();
      route();
    } catch (e) { say(e.message, true); }
    pw.value = '';
  });
  document.getElementById('signout').addEventListener('click', async function () {
    forget();
    if (!hub) {
      await fetch('/api/v1/session', { method: 'DELETE', cache: 'no-store', credentials: 'same-origin',
        headers: { 'X-CSRF-Token': csrf || '' } }).catch(function () { /* the cookie expires anyway */ });
    }
    signedIn(null);
    location.hash = '#/';
    last = current = stats = null;
    window.ptBuyerNotices.refresh(null);
    window.ptBuyerLoads.refresh(null);
    render();
  });
  document.getElementById('login').addEventListener('submit', function (ev) {
    ev.preventDefault();
    try { sessionStorage.setItem('pt-token', document.getElementById('token').value); } catch (e) { /* private mode */ }
    document.getElementById('token').value = '';
    signedIn(session);
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
    if (hub) {
      hubApi.search(get, query(), document.getElementById('search').station.value.trim())
        .then(function (r) { save(hubApi.csv(r.batches), 'packtrace-batches.csv'); }, function (e) { say(e.message, true); });
      return;
    }
    var p = query();
    p.set('format', 'csv');
    download('/api/v1/search?' + p.toString(), 'packtrace-batches.csv', 'text/csv');
  });
  /* The hub's page: a buyer token instead of accounts, a station to search by, links to its
   * loads and co-op pages; the views across batches are the co-op page there. */
  if (hub) {
    document.getElementById('apikey').open = true;
    document.querySelector('#apikey summary').dataset.t = 'bu.hubKey';
    document.getElementById('token').dataset.tPlaceholder = document.getElementById('token').dataset.tLabel = 'bu.h.token';
    ['stats-go', 'date-of'].forEach(function (id) { document.getElementById(id).hidden = true; });
    document.querySelectorAll('.hub-only').forEach(function (n) { n.hidden = false; });
  }
  render();
  signedIn(null);
  /* One route: a second one opened the addressed batch twice, and the later answer drew that
   * batch over whatever the reader had moved on to. */
  if (token()) search();
  route();
  if (!token() && !hub) {
    /* After a reload the cookie may still hold a session: asked once, never polled. */
    fetch('/api/v1/session', { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (who) { if (who) { signedIn(who); search(); route(); } }, function () { /* signed out */ });
  }
});
