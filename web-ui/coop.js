/* coop.js: the co-op's quality index (GET /api/v1/quality with a buyer or admin token, kept
 * for this tab only) drawn as plain SVG: conformance rate, grade mix, defect kinds and sizes per
 * group (ISO week, station, grower or variety), and a table of volumes, holds and recalls.
 * No fetched library: each chart is a few rects and texts made here. */
'use strict';
(function () {
  var NS = 'http://www.w3.org/2000/svg';
  var COLOURS = ['#2f6f3e', '#7fa650', '#d9a520', '#b3261e', '#4a6fa5', '#8a5a9e', '#5b8c85', '#a15c00'];
  var token = sessionStorage.getItem('pt-hub-coop-token') || '';
  var state = document.getElementById('state');

  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function keysOf(groups, field) {
    var seen = {};
    groups.forEach(function (g) { Object.keys(g[field]).forEach(function (k) { seen[k] = true; }); });
    return Object.keys(seen).sort();
  }
  /* Horizontal stacked bars: one row per group, one segment per key, with a legend. */
  function stacked(target, groups, field, keys) {
    var row = 26, left = 150, width = 520, svg = el('svg', {
      width: left + width + 20, height: (groups.length + 1) * row + 20, role: 'img',
      'aria-label': field });
    keys.forEach(function (k, i) {
      svg.appendChild(el('rect', { x: left + i * 90, y: 4, width: 12, height: 12, fill: COLOURS[i % COLOURS.length] }));
      svg.appendChild(el('text', { x: left + i * 90 + 16, y: 15, 'font-size': 12 }, k));
    });
    groups.forEach(function (g, r) {
      var y = (r + 1) * row + 4, total = 0, x = left;
      keys.forEach(function (k) { total += g[field][k] || 0; });
      svg.appendChild(el('text', { x: 0, y: y + 14, 'font-size': 12 }, g.key || '(none)'));
      keys.forEach(function (k, i) {
        var v = g[field][k] || 0, w = total ? v / total * width : 0;
        if (!w) return;
        var rect = el('rect', { x: x, y: y, width: w, height: row - 8, fill: COLOURS[i % COLOURS.length] });
        rect.appendChild(el('title', {}, k + ': ' + v));
        svg.appendChild(rect);
        x += w;
      });
      svg.appendChild(el('text', { x: left + width + 4, y: y + 14, 'font-size': 11 }, String(Math.round(total))));
    });
    target.replaceChildren(svg);
  }
  function conformance(target, groups) {
    var row = 26, left = 150, width = 520, svg = el('svg', {
      width: left + width + 110, height: groups.length * row + 10, role: 'img', 'aria-label': 'conformance rate' });
    groups.forEach(function (g, r) {
      var y = r * row + 4, rate = g.inspections ? g.conformant / g.inspections : 0;
      svg.appendChild(el('text', { x: 0, y: y + 14, 'font-size': 12 }, g.key || '(none)'));
      svg.appendChild(el('rect', { x: left, y: y, width: width, height: row - 8, fill: '#e7ebe5' }));
      svg.appendChild(el('rect', { x: left, y: y, width: rate * width, height: row - 8, fill: rate >= 0.9 ? '#2f6f3e' : '#b3261e' }));
      svg.appendChild(el('text', { x: left + width + 4, y: y + 14, 'font-size': 11 },
        g.inspections ? Math.round(rate * 100) + '% of ' + g.inspections : 'no inspection'));
    });
    target.replaceChildren(svg);
  }
  function td(text) { var c = document.createElement('td'); c.textContent = text; return c; }
  function show(data) {
    var groups = data.groups;
    document.getElementById('charts').hidden = false;
    state.textContent = groups.length ? groups.length + ' groups by ' + data.by : 'Nothing in the index for these filters.';
    conformance(document.getElementById('conformance'), groups);
    stacked(document.getElementById('grades'), groups, 'grades', keysOf(groups, 'grades'));
    stacked(document.getElementById('defects'), groups, 'defects', keysOf(groups, 'defects'));
    stacked(document.getElementById('sizes'), groups, 'sizes', keysOf(groups, 'sizes'));
    var body = document.querySelector('#volumes tbody');
    body.replaceChildren();
    groups.forEach(function (g) {
      var tr = document.createElement('tr');
      [g.key || '(none)', g.inspections, g.fruit, g.weight_kg.toFixed(1), g.holds, g.recalls].forEach(function (v) {
        tr.appendChild(td(String(v)));
      });
      body.appendChild(tr);
    });
  }
  function load() {
    if (!token) return;
    var q = new URLSearchParams({ by: document.getElementById('by').value });
    ['from', 'to'].forEach(function (f) { var v = document.getElementById(f).value; if (v) q.set(f, v); });
    fetch('/api/v1/quality?' + q, { headers: { Authorization: 'Bearer ' + token } }).then(function (r) {
      if (r.status === 401) { sessionStorage.removeItem('pt-hub-coop-token'); token = ''; throw new Error('that token is not known to the hub'); }
      if (!r.ok) return r.json().then(function (e) { throw new Error(e.error || ('HTTP ' + r.status)); });
      return r.json();
    }).then(function (data) {
      document.getElementById('filters').hidden = false;
      show(data);
    }).catch(function (e) { state.textContent = e.message; });
  }
  document.getElementById('signin').addEventListener('submit', function (ev) {
    ev.preventDefault();
    token = document.getElementById('token').value.trim();
    sessionStorage.setItem('pt-hub-coop-token', token);
    load();
  });
  document.getElementById('filters').addEventListener('submit', function (ev) { ev.preventDefault(); load(); });
  load();
})();
