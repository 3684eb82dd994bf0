/* station-recall.js: the impact list in the operator dashboard, for admins (the station's
 * GET /api/v1/recalls/impact is theirs alone: it names every buyer).  A lot, a GTIN, a grower
 * or a customer's GLN (backward) gives: the totals (lots, loads, destinations, shipped by
 * unit, still in the shed), the lots concerned (how each was reached: the lot itself, a
 * repack of it, or a source of it), the loads with plate, seal and departure, and each
 * destination with what it got and the buyer accounts that will be told.  Each recall in
 * "Recalls and holds" gets an "Impact list" button that fills the form and runs it
 * (window.ptImpact, asked by station.js).  Words from ui-kit.js's table (keys "d.i."). */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, table = ui.table, say = ui.say, t = ui.t;
  ui.strings({
    'd.i.title': ['Impact list', '影响范围'],
    'd.i.by': ['Find by', '查找方式'], 'd.i.lot': ['lot', '批次'], 'd.i.gtin': ['GTIN', 'GTIN'],
    'd.i.grower': ['grower', '种植者'], 'd.i.gln': ['customer GLN (backward)', '客户 GLN（反向）'],
    'd.i.value': ['Lot, GTIN, grower or GLN', '批次、GTIN、种植者或 GLN'], 'd.i.show': ['Show impact', '查看影响范围'],
    'd.i.button': ['Impact list', '影响范围'],
    'd.i.summary': ['{lots} lots, {loads} loads, {dests} destinations · shipped {shipped} · still in the shed {shed} · {ms} ms',
      '{lots} 个批次，{loads} 车，{dests} 个收货方 · 已发货 {shipped} · 仍在库 {shed} · 用时 {ms} 毫秒'],
    'd.i.lots': ['Lots concerned', '涉及批次'], 'd.i.loads': ['Loads', '装车'], 'd.i.dests': ['Destinations', '收货方'],
    'd.i.c.lot': ['Lot', '批次'], 'd.i.c.via': ['Reached as', '关联方式'], 'd.i.c.grower': ['Grower', '种植者'],
    'd.i.c.status': ['Status', '状态'], 'd.i.c.shed': ['In the shed', '仍在库'], 'd.i.c.scans': ['Consumer scans', '消费者扫码'],
    'd.i.c.load': ['Load', '车次'], 'd.i.c.plate': ['Plate', '车牌'], 'd.i.c.seal': ['Seal', '封条'],
    'd.i.c.dest': ['Destination', '收货方'], 'd.i.c.departed': ['Departed', '发车时间'], 'd.i.c.lotsOn': ['Lots on it', '所载批次'],
    'd.i.c.shipped': ['Shipped', '已发货'], 'd.i.c.buyers': ['Buyer accounts told', '将通知的采购商账户'],
    'd.i.via:seed': ['the lot asked for', '所查批次'], 'd.i.via:repack': ['repacked from {from}', '由 {from} 分装'],
    'd.i.via:source': ['source of {from}', '{from} 的来源'], 'd.i.via:transformation': ['made from {from}', '由 {from} 加工'],
    'd.i.none': ['none', '无'], 'd.i.notYet': ['not yet', '未发车'], 'd.i.asking': ['Looking…', '查询中…']
  });
  /* The form's words: station.js localized the page before these were in the table. */
  ui.localize();
  var available = false;

  function amounts(o) {
    var keys = Object.keys(o || {});
    return keys.length ? keys.map(function (u) { return (Math.round(o[u] * 100) / 100) + ' ' + u; }).join(', ') : t('d.i.none');
  }
  function via(l) {
    var key = 'd.i.via:' + (l.via || 'seed');
    return t(key, { from: l.from || '' });
  }
  function stamp(ns) { return ns ? ui.stamp(new Date(ns / 1e6).toISOString()) : t('d.i.notYet'); }

  function render(r) {
    var box = ui.empty('impact-result');
    var tot = r.totals || {};
    box.appendChild(el('p', { id: 'impact-summary', role: 'status' }, [t('d.i.summary', {
      lots: tot.lots, loads: tot.loads, dests: tot.destinations, shipped: amounts(tot.shipped),
      shed: amounts(tot.in_shed), ms: Math.round((r.elapsed_us || 0) / 100) / 10
    })]));
    box.appendChild(el('h3', {}, [t('d.i.lots')]));
    box.appendChild(table([t('d.i.c.lot'), t('d.i.c.via'), t('d.i.c.grower'), t('d.i.c.status'), t('d.i.c.shed'), t('d.i.c.scans')],
      (r.lots || []).map(function (l) {
        return [l.lot, via(l), l.grower || '–', l.status ? t('d.s.' + l.status) : '–', amounts(l.in_shed), String(l.consumer_scans || 0)];
      }), 'impact-lots'));
    box.appendChild(el('h3', {}, [t('d.i.loads')]));
    box.appendChild(table([t('d.i.c.load'), t('d.i.c.plate'), t('d.i.c.seal'), t('d.i.c.dest'), t('d.i.c.departed'), t('d.i.c.lotsOn')],
      (r.loads || []).map(function (l) {
        return ['#' + l.load_id, l.plate || '–', l.seal || '–', ui.dest(l) || '–', stamp(l.departed_ns),
          (l.lots || []).map(function (x) { return x.lot + ' (' + amounts(x.shipped ? { [x.shipped.uom || 'cases']: x.shipped.quantity } : {}) + ')'; }).join(', ')];
      }), 'impact-loads'));
    box.appendChild(el('h3', {}, [t('d.i.dests')]));
    box.appendChild(table([t('d.i.c.dest'), t('d.i.c.lotsOn'), t('d.i.c.shipped'), t('d.i.c.buyers')],
      (r.destinations || []).map(function (d) {
        return [ui.dest({ destination: d.name, destination_gln: d.gln }) || '–', (d.lots || []).join(', '), amounts(d.shipped),
          (d.buyers || []).map(function (b) { return b.name; }).join(', ') || t('d.i.none')];
      }), 'impact-dests'));
  }

  async function run(by, value) {
    say('impact-msg', t('d.i.asking'));
    try {
      var r = await ui.api('/api/v1/recalls/impact?' + encodeURIComponent(by) + '=' + encodeURIComponent(value));
      say('impact-msg', '');
      render(r);
    } catch (e) {
      ui.empty('impact-result');
      say('impact-msg', value + ': ' + e.message, true);
    }
  }

  document.getElementById('impact-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var f = ev.target.elements, value = f.value.value.trim();
    if (value) run(f.by.value, value);
  });
  /* station.js asks whether to offer the button, and calls show() from a recall's row. */
  window.ptImpact = {
    available: function () { return available; },
    show: function (lot) {
      var f = document.getElementById('impact-form').elements;
      f.by.value = 'lot';
      f.value.value = lot;
      document.getElementById('impact').scrollIntoView();
      run('lot', lot);
    }
  };
  document.addEventListener('pt-session', function (ev) {
    available = !!(ev.detail && ev.detail.role === 'admin');
    document.getElementById('impact').hidden = !available;
    if (!available) ui.empty('impact-result');
  });
})();
