/* consumer.js: the signature check of the consumer page (the page behind the QR code).  The
 * station or hub renders the page itself in the reader's language (trace/pt-consumer-page.c),
 * with the batch's public facts embedded as JSON (#pt-data) and the words this script says
 * (#pt-words); this script only checks the batch's signed bundle in the browser (for a long
 * batch, the view of it that holds the records the page lists: ?linkType=pt:traceBundle&
 * view=page): every event's SHA-256 over its RFC 8785 form, its chain link, its Ed25519
 * signature, and the signed head, against the station's key, then sets the verified mark (#verify) and marks the
 * story's private records.  The checks are pt-verify.js's, shared with the buyer portal and
 * loaded before this script.  The photo and the certificates the server rendered are checked
 * against the records that name them, and the photo's bytes against its signed SHA-256. */
'use strict';
(function () {
  var data = JSON.parse(document.getElementById('pt-data').textContent);
  var words = JSON.parse(document.getElementById('pt-words').textContent);
  function t(key, vars) {
    return String(words[key] || key).replace(/\{(\w+)\}/g, function (m, k) { return vars && k in vars ? vars[k] : m; });
  }
  var check = { state: 'checking' };
  /* The station itself found its batch row differing from the signed events: never verified. */
  var serverWarning = data.facts_verified === false ? (data.fact_warnings || []).join(', ') || 'record' : null;

  /* The verified mark, and a note on each record whose contents the public may not see. */
  function render() {
    var box = document.getElementById('verify');
    if (check.state === 'ok') {
      box.className = 'verify ok';
      /* A page that lists some of a long batch's records checked those and the signed head:
       * its words say so, never "all". */
      var lang = document.documentElement.lang;
      box.textContent = (check.n < check.total
        ? t('verifiedView', { n: check.n.toLocaleString(lang), total: check.total.toLocaleString(lang) })
        : t('verified', { n: check.n })) + (check.withheld.length ? t('verifiedPrivate', { m: check.withheld.length }) : '');
      check.withheld.forEach(function (n) {
        var li = document.querySelector('ol.timeline li[data-n="' + n + '"]');
        if (!li || li.querySelector('.private')) return;
        var note = document.createElement('div');
        note.className = 'private';
        note.textContent = t('private');
        li.appendChild(note);
      });
    }
    else if (check.state === 'bad') { box.className = 'verify bad'; box.textContent = t('unverified', { why: check.why }); }
    else if (check.state === 'differ') { box.className = 'verify bad'; box.textContent = t('factsDiffer', { fields: check.fields }); }
    else if (check.state === 'nocrypto') { box.className = 'verify'; box.textContent = t('nocrypto'); }
    var caption = document.getElementById('photo-check');
    if (caption && check.state === 'ok' && photoChecked) { caption.className = 'ok'; caption.textContent = t('photoChecked'); }
  }

  /* The fields this page shows that its verified events state otherwise: identity from the
   * commissioning event, status from the last status change (pt:action), grade from the last
   * grading decision (pt:declaredClass), as the station derives them (pt-batch-signed.h). */
  function factsDiffer(events) {
    var signed = window.ptVerify.signedFacts(events), g = data.grading || {};
    if (!signed) return ['commissioning'];
    var shown = {
      lot: data.lot, product: data.product, variety: data.variety, origin: data.origin, grower: data.grower,
      harvest_date: data.harvest_date, pack_date: data.pack_date, status: data.status,
      declared_class: g.declared_class, disposition: g.disposition
    };
    return Object.keys(signed).filter(function (k) { return (shown[k] == null ? undefined : shown[k]) !== signed[k]; });
  }

  /* What the server rendered that is not the embedded facts: a verbatim value ([data-f]), a
   * record's time (li[data-n] time[datetime]) or its public note (li[data-n] .note) that
   * differs, as a page altered on its way. */
  function pageDiffers() {
    var out = [], byN = {};
    data.events.forEach(function (e) { byN[e.n] = e; });
    document.querySelectorAll('[data-f]').forEach(function (node) {
      if (node.textContent !== (data[node.getAttribute('data-f')] || '')) out.push(node.getAttribute('data-f'));
    });
    document.querySelectorAll('ol.timeline li[data-n]').forEach(function (li) {
      var e = byN[li.getAttribute('data-n')], time = li.querySelector('time');
      var note = li.querySelector('.note');
      if (!e || !time || time.getAttribute('datetime') !== e.time || (note ? note.textContent : undefined) !== e.note)
        out.push('record ' + li.getAttribute('data-n'));
    });
    if (document.querySelectorAll('ol.timeline li[data-n]').length !== data.events.length) out.push('events');
    return out;
  }

  /* The photo and the certificates (trace/pt-page-evidence.h): every one the page shows is
   * compared with the verified record that names it (data-n / data-cert), each value as the
   * record has it (data-c, a date's datetime and its words), the kind's words as this page's
   * table says them; the page lists every public certificate the records name.  Returns the
   * parts that differ. */
  var photoChecked = false;
  function recordsByN(bundle, numbers) {
    var out = {}, list = bundle.epcis.epcisBody.eventList, next = 0;
    bundle.proofs.forEach(function (p, i) { if (!p.redacted) out[numbers[i]] = list[next++]; });
    return out;
  }
  function attachmentOf(rec, sha) {
    var list = rec && Array.isArray(rec['pt:attachments']) ? rec['pt:attachments'] : [];
    return list.filter(function (a) { return a && a.sha256 === sha; })[0];
  }
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function dayWords(day, zh) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
    if (!m) return day;
    return zh ? Number(m[1]) + '年' + Number(m[2]) + '月' + Number(m[3]) + '日' : Number(m[3]) + ' ' + MONTHS[Number(m[2]) - 1] + ' ' + m[1];
  }
  function evidenceDiffers(bundle, numbers) {
    var byN = recordsByN(bundle, numbers), out = [], zh = document.documentElement.lang.indexOf('zh') === 0, withdrawn = {};
    Object.keys(byN).forEach(function (n) { if (byN[n].errorDeclaration) withdrawn[byN[n].eventID] = true; });
    var signed = 0;
    Object.keys(byN).forEach(function (n) {
      var e = byN[n];
      if (e.errorDeclaration || withdrawn[e.eventID] || !Array.isArray(e['pt:attachments'])) return;
      e['pt:attachments'].forEach(function (a) { if (a && a.role === 'certificate') signed++; });
    });
    var items = document.querySelectorAll('li[data-cert]');
    if (items.length !== signed) out.push('certificates');
    items.forEach(function (li) {
      var n = li.getAttribute('data-cert'), sha = li.getAttribute('data-sha'), rec = byN[n], a = attachmentOf(rec, sha);
      function shown(name) {
        var x = li.querySelector('[data-c="' + name + '"]');
        if (!x) return undefined;
        if (x.tagName !== 'TIME') return x.textContent;
        return x.textContent === dayWords(x.getAttribute('datetime'), zh) ? x.getAttribute('datetime') : '';
      }
      var link = li.querySelector('a[href]'), kind = li.querySelector('.kind');
      if (!a || a.role !== 'certificate' || withdrawn[rec.eventID] || li.getAttribute('data-kind') !== a.kind ||
          !kind || kind.textContent !== t('certkind:' + a.kind) ||
          shown('title') !== (zh && a.titleZh ? a.titleZh : a.title) || shown('issuer') !== a.issuer ||
          shown('issued') !== a.issued || shown('valid_until') !== a.validUntil ||
          !link || link.getAttribute('href') !== '/evidence/' + sha) out.push('certificate ' + n);
    });
    var fig = document.querySelector('figure.photo');
    if (fig) {
      var rec = byN[fig.getAttribute('data-n')], sha = fig.getAttribute('data-sha'), img = fig.querySelector('img');
      var stills = rec && Array.isArray(rec['pt:evidence']) ? rec['pt:evidence'] : [];
      var named = attachmentOf(rec, sha) || stills.filter(function (x) { return x && x.sha256 === sha; })[0];
      if (!named || withdrawn[rec.eventID] || !img || img.getAttribute('src') !== '/evidence/' + sha) out.push('photo');
    }
    return out;
  }
  /* The photo's bytes against the SHA-256 its record signed, when small enough for a phone
   * (data.photo.check_max): a photo swapped on the station or on its way fails the mark. */
  async function photoDiffers() {
    var fig = document.querySelector('figure.photo'), p = data.photo || {};
    if (!fig || !(p.check_max > 0) || (p.size !== undefined && p.size > p.check_max)) return [];
    var r = await fetch(fig.querySelector('img').getAttribute('src'));
    if (!r.ok) return ['photo'];
    var bytes = await r.arrayBuffer();
    if (bytes.byteLength > p.check_max) return [];
    if (await window.ptVerify.sha256Hex(bytes) !== fig.getAttribute('data-sha')) return ['photo'];
    photoChecked = true;
    return [];
  }

  async function runCheck() {
    try {
      /* As the page's preload asks for it, so that answer is used; it is never cached
       * (Cache-Control: no-store) and the link names the bundle. */
      var r = await fetch(data.bundle);
      if (!r.ok) window.ptVerify.fail('bundle unavailable (' + r.status + ')');
      var bundle = await r.json();
      var result = await window.ptVerify.verifyBundle(bundle, {
        publicKey: data.public_key, lot: data.lot, gtin: data.gtin, hubKey: data.hub_key, events: data.events
      });
      check = { state: 'ok', n: result.n, total: result.total, withheld: result.withheld };
      var differ = factsDiffer(bundle.epcis.epcisBody.eventList).concat(pageDiffers(), evidenceDiffers(bundle, result.numbers));
      if (!differ.length) differ = await photoDiffers();
      if (serverWarning || differ.length) check = { state: 'differ', fields: serverWarning || differ.join(', ') };
    } catch (e) {
      if (!e.tampered && e.name === 'NotSupportedError') check = { state: 'nocrypto' };
      else check = { state: 'bad', why: e.tampered ? e.message : 'malformed bundle' };
    }
  }

  runCheck().then(render);
})();
