/* buyer-charts.js: the buyer portal's views across batches, drawn here as inline SVG (no
 * chart library, nothing fetched), from the counts of GET /api/v1/buyer/stats: rows of
 * [facet, week, grower, key, amount] (station/store/pt-store-buyer-stats.h says each facet).
 * Every chart is a <figure>: its caption, the picture (role="img", named by the caption) and
 * the same numbers as a <table> that screen readers read (visually hidden).
 * ptBuyerCharts.render(box, stats) fills @box. */
'use strict';
window.ptBuyerCharts = (function () {
  var ui = window.ptUi, el = ui.el, svg = ui.svg, t = ui.t;
  var CLASSES = ['Extra', 'I', 'II', 'out'], seq = 0;

  /* {facet: {week|grower|...: {key: amount}}} summed over what @by (a row -> group name) gives. */
  function sum(rows, facet, by) {
    var out = {};
    rows.forEach(function (r) {
      if (r[0] !== facet) return;
      var g = by(r), k = r[3];
      out[g] = out[g] || {};
      out[g][k] = (out[g][k] || 0) + r[4];
    });
    return out;
  }
  function week(r) { return r[1]; }
  function grower(r) { return r[2] || t('bu.x.noGrower'); }
  function fmt(n) { return Math.round(n * 10) / 10; }
  /* About how wide @s is drawn at 12px: a CJK character is a full em, others about half. */
  function textWidth(s) {
    var w = 0;
    for (var i = 0; i < s.length; i++) w += s.charCodeAt(i) >= 0x2e80 ? 12 : 7;
    return w;
  }

  /* A figure of stacked horizontal bars.  @bars: [{label, values: {key: n}}]; @keys: the
   * stack's order, each [key, name]; @o.share: bars are shares of their own total (with the
   * counts in the table), else counts on one scale; @o.pct: values are already percentages. */
  function stacked(caption, bars, keys, o) {
    o = o || {};
    var id = 'fig-' + (++seq), row = 24, nameW = 170, barW = 220, legendH = 22;
    var width = nameW + barW + 70, height = legendH + Math.max(1, bars.length) * row + 4;
    var totals = bars.map(function (b) { return keys.reduce(function (a, k) { return a + (b.values[k[0]] || 0); }, 0); });
    var max = o.pct ? 100 : Math.max.apply(null, totals.concat([1]));
    var s = svg('svg', { class: 'chart xchart', viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-labelledby': id });
    s.appendChild(svg('title', {}, caption));
    var lx = 0;
    keys.forEach(function (k, i) {
      s.appendChild(svg('rect', { x: lx, y: 4, width: 12, height: 12, class: 'k' + (i % 7) }));
      s.appendChild(svg('text', { x: lx + 16, y: 15 }, k[1]));
      lx += 24 + textWidth(k[1]);
    });
    bars.forEach(function (b, i) {
      var y = legendH + i * row, x = nameW, whole = o.share ? (totals[i] || 1) : max;
      /* A long name is cut to its column; the table and the tooltip carry it whole. */
      var name = svg('text', { x: 0, y: y + 15 }, b.label.length > 22 ? b.label.slice(0, 21) + '…' : b.label);
      name.appendChild(svg('title', {}, b.label));
      s.appendChild(name);
      keys.forEach(function (k, j) {
        var v = b.values[k[0]] || 0, w = barW * v / whole;
        if (w <= 0) return;
        s.appendChild(svg('rect', { x: x, y: y + 3, width: Math.max(1, w), height: 16, class: 'k' + (j % 7) }));
        x += w;
      });
      s.appendChild(svg('text', { x: nameW + barW + 6, y: y + 15 },
        o.share ? String(totals[i]) : o.pct ? fmt(totals[i]) + '%' : String(fmt(totals[i]))));
    });
    var tbl = el('table', {}, [
      el('caption', {}, [caption]),
      el('thead', {}, [el('tr', {}, [el('th', { scope: 'col' }, [o.rowHead || ''])].concat(
        keys.map(function (k) { return el('th', { scope: 'col' }, [k[1]]); })))]),
      el('tbody', {}, bars.map(function (b) {
        return el('tr', {}, [el('th', { scope: 'row' }, [b.label])].concat(keys.map(function (k) {
          var v = b.values[k[0]] || 0;
          return el('td', {}, [o.pct ? fmt(v) + '%' : String(fmt(v))]);
        })));
      }))]);
    return el('figure', { class: 'xview' }, [el('figcaption', { id: id }, [caption]), s, el('div', { class: 'sr-only' }, [tbl])]);
  }

  function weeksOf(rows) {
    var w = {};
    rows.forEach(function (r) { if (r[0] === 'batches') w[r[1]] = 1; });
    return Object.keys(w).sort();
  }

  function render(box, stats) {
    box.textContent = '';
    var rows = stats.rows || [], weeks = weeksOf(rows);
    box.appendChild(el('h2', { id: 'stats-title' }, [t('bu.x.title')]));
    box.appendChild(el('p', { class: 'sub' }, [t('bu.x.scope')]));
    if (!weeks.length) { box.appendChild(el('p', { class: 'x-none' }, [t('bu.x.none')])); return; }
    var clsKeys = CLASSES.map(function (c) { return [c, ui.word(['cls:'], c, String)]; });
    var weekHead = t('bu.x.week'), growerHead = t('bu.x.grower');

    /* Grade mix per grower over time: one bar per grower and week. */
    var mix = sum(rows, 'class', function (r) { return grower(r) + ' · ' + r[1]; });
    box.appendChild(stacked(t('bu.x.gradeMix'), Object.keys(mix).sort().map(function (k) { return { label: k, values: mix[k] }; }),
      clsKeys, { share: true, rowHead: growerHead }));

    /* Share of conformant batches per week. */
    var verdicts = sum(rows, 'verdict', week);
    box.appendChild(stacked(t('bu.x.conformShare'), weeks.filter(function (w) { return verdicts[w]; }).map(function (w) {
      var v = verdicts[w], c = v.conformant || 0, all = c + (v.non_conformant || 0);
      return { label: w, values: { share: all ? 100 * c / all : 0 } };
    }), [['share', t('bu.x.share')]], { pct: true, rowHead: weekHead }));

    /* Size distribution per week. */
    var sizes = sum(rows, 'size', week), codes = {};
    Object.keys(sizes).forEach(function (w) { Object.keys(sizes[w]).forEach(function (k) { codes[k] = 1; }); });
    var sizeKeys = Object.keys(codes).sort(function (a, b) { return a === 'none' ? 1 : b === 'none' ? -1 : a.localeCompare(b, 'en', { numeric: true }); })
      .map(function (k) { return [k, k === 'none' ? t('bu.x.sizeNone') : t('bu.x.size', { s: k })]; });
    box.appendChild(stacked(t('bu.x.sizes'), Object.keys(sizes).sort().map(function (w) { return { label: w, values: sizes[w] }; }),
      sizeKeys, { share: true, rowHead: weekHead }));

    /* Defect kinds over every batch selected. */
    var kinds = sum(rows, 'defect', function () { return 'all'; }).all || {};
    var kindBars = Object.keys(kinds).filter(function (k) { return k !== 'none' && kinds[k] > 0; })
      .sort(function (a, b) { return kinds[b] - kinds[a]; })
      .map(function (k) { return { label: ui.word(['bu.defect:'], k), values: { n: kinds[k] } }; });
    if (kindBars.length) box.appendChild(stacked(t('bu.x.defects'), kindBars, [['n', t('bu.x.fruit')]], { rowHead: t('bu.x.kind') }));
    else box.appendChild(el('figure', { class: 'xview' }, [el('figcaption', {}, [t('bu.x.defects')]), el('p', {}, [t('bu.x.noDefects')])]));

    /* Holds and recalls per grower (every grower with a batch, so a clean record shows too). */
    var actions = sum(rows, 'action', grower), growers = Object.keys(sum(rows, 'batches', grower)).sort();
    box.appendChild(stacked(t('bu.x.holds'), growers.map(function (g) { return { label: g, values: actions[g] || {} }; }),
      [['hold', t('bu.x.hold')], ['recall', t('bu.x.recall')]], { rowHead: growerHead }));

    /* Volumes per week: batches packed, with the quantity by unit in the table's columns. */
    var batches = sum(rows, 'batches', week), qty = sum(rows, 'quantity', week), units = {};
    Object.keys(qty).forEach(function (w) { Object.keys(qty[w]).forEach(function (u) { units[u] = 1; }); });
    var volume = stacked(t('bu.x.volume'), weeks.map(function (w) { return { label: w, values: { batches: batches[w][''] || 0 } }; }),
      [['batches', t('bu.x.batches')]], { rowHead: weekHead });
    var unitList = Object.keys(units).sort();
    if (unitList.length) {
      volume.appendChild(ui.table([weekHead].concat(unitList.map(function (u) { return t('bu.x.quantity') + ' (' + (u || '–') + ')'; })),
        weeks.map(function (w) { return [w].concat(unitList.map(function (u) { return String(fmt((qty[w] || {})[u] || 0)); })); }), 'x-qty'));
    }
    box.appendChild(volume);
  }

  return { render: render };
})();
