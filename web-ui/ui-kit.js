/* ui-kit.js: what every page of the station shares, loaded before the page's own script:
 * the element builders (el(), svg(), tables, fact lists, the grade bar chart), the
 * formatters (dates in the reader's language, hex, a destination line, an EPCIS name's last
 * part), status lines, the dashboard's API calls (ptUi.api()), and the translations: the strings the pages have in common in Chinese
 * and English, the page's own added with ptUi.strings(), all read through ptUi.t().
 * The language is the one the reader chose on any page (localStorage pt-lang), else the
 * browser's.  No framework, nothing fetched: the pages' CSP allows scripts from the station
 * only, and no eval. */
'use strict';
window.ptUi = (function () {
  /* Each key: [English, Chinese]. */
  var strings = {
    other: ['中文', 'English'],
    product: ['Product', '产品'], variety: ['Variety', '品种'], origin: ['Origin', '产地'],
    grower: ['Grower', '种植者'], harvested: ['Harvested', '采收日期'], packed: ['Packed', '包装日期'],
    lot: ['Lot', '批号'], gtin: ['GTIN', '商品条码'], grade: ['Grade', '等级'],
    declared: ['Declared class', '申报等级'], fruit: ['fruit graded', '个果实已分级'],
    stationKey: ['Station key (Ed25519)', '站点公钥 (Ed25519)']
  };
  function stored() { try { return localStorage.getItem('pt-lang'); } catch (e) { return null; /* storage off */ } }
  var lang = stored() === 'zh' || stored() === 'en' ? stored() : /^zh/i.test(navigator.language || '') ? 'zh' : 'en';

  /* The string for @key in the current language, with {name} filled from @vars; an unknown
   * key is returned as it is. */
  function t(key, vars) {
    var pair = Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : null;
    if (!pair) return key;
    var s = pair[lang === 'zh' ? 1 : 0];
    if (!vars) return s;
    return s.replace(/\{(\w+)\}/g, function (m, v) { return v in vars ? String(vars[v]) : m; });
  }
  /* Adds a page's own strings ({key: [English, Chinese]}). */
  function addStrings(table) { Object.assign(strings, table); }
  /* The page's fixed text in the current language: <html lang>, the language button, and
   * every element marked data-t (its text) or data-t-placeholder. */
  function localize() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    var button = document.getElementById('lang');
    if (button) button.textContent = t('other');
    document.querySelectorAll('[data-t]').forEach(function (n) { n.textContent = t(n.dataset.t); });
    document.querySelectorAll('[data-t-placeholder]').forEach(function (n) { n.placeholder = t(n.dataset.tPlaceholder); });
  }
  /* The language button switches, remembers the choice, and calls @render. */
  function langButton(render) {
    document.getElementById('lang').addEventListener('click', function () {
      lang = lang === 'zh' ? 'en' : 'zh';
      try { localStorage.setItem('pt-lang', lang); } catch (e) { /* storage off: this view only */ }
      render();
    });
  }

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    (kids || []).forEach(function (c) {
      if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  /* A table of @head (cells) and @rows (arrays of cells: text or nodes), of class @cls. */
  function table(head, rows, cls) {
    return el('table', cls ? { class: cls } : {}, [
      el('thead', {}, [el('tr', {}, head.map(function (h) { return el('th', {}, [h]); }))]),
      el('tbody', {}, rows.map(function (r) { return el('tr', {}, r.map(function (c) { return el('td', {}, [c]); })); }))]);
  }
  /* A list of facts from @rows ([key, value]): the key translated, empty values left out. */
  function facts(rows) {
    var dl = el('dl', { class: 'facts' });
    rows.forEach(function (r) { if (r[1]) { dl.appendChild(el('dt', {}, [t(r[0])])); dl.appendChild(el('dd', {}, [r[1]])); } });
    return dl;
  }
  /* Horizontal bars of @bars ([name, count]), each as long as its share of the total.
   * @o: nameWidth (where the bars start), width (of the picture), value(count, total) (the
   * text after a bar; default "pct% (count)"), label (aria-label). */
  function barChart(bars, o) {
    o = o || {};
    var total = bars.reduce(function (a, b) { return a + b[1]; }, 0) || 1;
    var row = 26, x = o.nameWidth || 60, width = o.width || 340;
    var value = o.value || function (n) { return Math.round(n * 100 / total) + '% (' + n + ')'; };
    var attrs = { class: 'chart', viewBox: '0 0 ' + width + ' ' + Math.max(row, row * bars.length), role: 'img' };
    if (o.label) attrs['aria-label'] = o.label;
    var s = svg('svg', attrs);
    bars.forEach(function (b, i) {
      var y = i * row;
      s.appendChild(svg('text', { x: 0, y: y + 17 }, b[0]));
      s.appendChild(svg('rect', { x: x, y: y + 4, height: 18, width: Math.max(1, 200 * b[1] / total) }));
      s.appendChild(svg('text', { x: x + 206, y: y + 17 }, value(b[1], total)));
    });
    return s;
  }
  /* @counts ({name: n}) as barChart()'s bars. */
  function bars(counts) { return Object.keys(counts || {}).map(function (k) { return [k, counts[k]]; }); }

  /* A date and time in the reader's language; what does not parse is shown as it is. */
  function when(iso) {
    var d = new Date(iso);
    return !iso || isNaN(d) ? (iso || '') : d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB',
      { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }
  function hex(buf) { return Array.prototype.map.call(new Uint8Array(buf), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join(''); }
  /* A load's destination: its name and GLN, '' when it has neither. */
  function dest(l) { return [l.destination, l.destination_gln ? 'GLN ' + l.destination_gln : null].filter(Boolean).join(' · '); }
  /* The name at the end of an EPCIS URI (bizStep, disposition): "packing" of ".../packing". */
  function lastPart(uri) { return String(uri || '').replace(/^.*[-:\/]/, ''); }

  /* Element @id emptied, ready for new content. */
  function empty(id) { var b = document.getElementById(id); b.textContent = ''; return b; }
  /* A status line: @text in element @id, red when @bad. */
  function say(id, text, bad) {
    var m = document.getElementById(id);
    m.textContent = text || '';
    m.className = bad ? 'verify bad' : text ? 'verify ok' : '';
  }

  /* One request to the station's API with the session cookie and, once signed in on the
   * dashboard, the session's CSRF token (window.ptSession, kept by station.js).  @opts: method,
   * body (sent as JSON), accept (default JSON), unauthorised (what a 401 says), raw (resolve
   * with the Response itself, whatever its status but 401).  Resolves with the JSON answer;
   * rejects with an Error that says the station's own error text, with .status, .body and
   * .auth (a 401) set. */
  async function api(path, opts) {
    opts = opts || {};
    var headers = { Accept: opts.accept || 'application/json' };
    var token = window.ptSession && window.ptSession.csrf();
    if (token) headers['X-CSRF-Token'] = token;
    var hasBody = opts.body !== undefined && opts.body !== null;
    if (hasBody) headers['Content-Type'] = 'application/json';
    var r = await fetch(path, {
      method: opts.method || 'GET', headers: headers, cache: 'no-store', credentials: 'same-origin',
      body: hasBody ? JSON.stringify(opts.body) : undefined
    });
    if (opts.raw && r.status !== 401) return r;
    var j = opts.raw ? {} : await r.json().catch(function () { return {}; });
    if (r.ok) return j;
    var e = new Error(r.status === 401 && opts.unauthorised ? opts.unauthorised : j.error || path + ': ' + r.status);
    e.status = r.status;
    e.body = j;
    e.auth = r.status === 401;
    throw e;
  }

  return {
    t: t, strings: addStrings, lang: function () { return lang; }, localize: localize, langButton: langButton,
    el: el, svg: svg, table: table, facts: facts, barChart: barChart, bars: bars,
    when: when, hex: hex, dest: dest, lastPart: lastPart, empty: empty, say: say, api: api
  };
})();
