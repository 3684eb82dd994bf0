/* buyer-hub.js: the buyer portal (buyer.js) on the co-op hub, where the page's body says
 * data-server="hub" (station/hub/pt-hub-buyer.c renders it so): the hub's API in the shape
 * buyer.js reads from a station's.  The search is GET /api/v1/batches across every shed
 * (scoped to the buyer token's GLN by the hub), each row named by its station; a batch is
 * the station's public record as the hub's resolver answers it (/01/{gtin}/10/{lot}?station=,
 * the facts and timeline as JSON) and its bundle, whose head the hub signs (checked in the
 * browser by pt-verify.js against the station's key and the hub's).  Batch addresses are
 * #/batch/{station}/{gtin}/{lot}: a lot is one per station, not one per hub.  The CSV is
 * written here from the search, UTF-8 with a byte order mark so that Excel on a Chinese
 * Windows opens it as written.  On a station this script does nothing (ptBuyerHub.on false).
 * Loaded after ui-kit.js, before buyer.js. */
'use strict';
window.ptBuyerHub = (function () {
  var on = document.body.dataset.server === 'hub';

  function pageLink(r) {
    return '/01/' + r.gtin + '/10/' + encodeURIComponent(r.lot) + '?station=' + encodeURIComponent(r.station);
  }
  /* A row of the hub's search as a station's search row: the verdict as one object, the state
   * as status, links to the station's public record, its documents. */
  function row(r) {
    var page = pageLink(r);
    return {
      id: encodeURIComponent(r.station) + '/' + r.gtin + '/' + encodeURIComponent(r.lot),
      lot: r.lot, gtin: r.gtin, product: r.product, variety: r.variety, grower: r.grower,
      pack_date: r.pack_date, station: r.station, station_name: r.station_name, status: r.state,
      verdict: r.grade ? { declared_class: r.grade, conformant: r.verdict ? r.verdict === 'conformant' : null,
        below_class_percent: r.below_class_percent } : null,
      loads: [], scans: null,
      links: { page: page, bundle: page + '&linkType=pt:traceBundle', epcis: page + '&linkType=gs1:epcis' }
    };
  }
  /* The station's form's criteria as the hub takes them: pack dates only, plus the station. */
  function hubQuery(p, station) {
    var q = new URLSearchParams();
    ['lot', 'gtin', 'grower', 'from', 'to', 'grade', 'verdict'].forEach(function (k) { if (p.get(k)) q.set(k, p.get(k)); });
    if (station) q.set('station', station);
    return q;
  }
  /* @get(path) resolves with a JSON answer sent with the buyer's token. */
  async function search(get, p, station) {
    var j = await get('/api/v1/batches?' + hubQuery(p, station).toString());
    return { batches: j.batches.map(row), scope_gln: j.scope, more: j.batches.length === j.limit };
  }
  /* The batch of address @id, found through the buyer's own search (so another buyer's batch
   * is not found), or null. */
  async function find(get, id) {
    var m = /^([^/]+)\/(\d{14})\/(.+)$/.exec(id);
    if (!m) return null;
    var station = decodeURIComponent(m[1]), lot = decodeURIComponent(m[3]);
    var q = new URLSearchParams({ lot: lot, gtin: m[2] });
    var found = await search(get, q, station);
    return found.batches.filter(function (b) { return b.id === id; })[0] || null;
  }
  /* Batch @b's record: the timeline and grading in the shapes buyer.js draws, the keys. */
  async function open(get, b) {
    var f = await get(b.links.page), g = f.grading;
    var dist = {};
    ((g && g.classes) || []).forEach(function (c) { dist[c.class] = c.count; });
    return {
      timeline: {
        lot: f.lot, gtin: f.gtin, product: f.product, variety: f.variety, origin: f.origin, grower: f.grower,
        harvest_date: f.harvest_date, pack_date: f.pack_date, status: f.status, status_reason: f.status_reason,
        event_list: (f.events || []).map(function (e) {
          return { step: e.step, event_time: e.time, hash: e.hash_id,
            event: { disposition: e.disposition, eventTime: e.time, 'pt:reason': e.note, errorDeclaration: e.error_declaration ? {} : null } };
        })
      },
      grading: g && g.declared_class ? { declaredClass: g.declared_class, disposition: g.disposition, fruitCount: g.n_fruit, gradeDistribution: dist } : null,
      publicKey: f.public_key, hubKey: f.hub_key
    };
  }
  /* One CSV cell: quoted when it must be, a leading formula character made text. */
  function cell(v) {
    var s = v == null ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = '\'' + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function csv(batches) {
    var head = ['station', 'station_name', 'lot', 'gtin', 'product', 'variety', 'grower', 'pack_date',
      'declared_class', 'verdict', 'below_class_percent', 'status'];
    var lines = [head.join(',')].concat(batches.map(function (b) {
      var v = b.verdict || {};
      return [b.station, b.station_name, b.lot, b.gtin, b.product, b.variety, b.grower, b.pack_date, v.declared_class,
        v.conformant == null ? '' : v.conformant ? 'conformant' : 'non_conformant', v.below_class_percent, b.status].map(cell).join(',');
    }));
    return new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
  }
  return { on: on, search: search, find: find, open: open, csv: csv };
})();
