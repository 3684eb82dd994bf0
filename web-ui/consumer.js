/* consumer.js: the signature check of the consumer page (the page behind the QR code).  The
 * station or hub renders the page itself in the reader's language (trace/pt-consumer-page.c),
 * with the batch's public facts embedded as JSON (#pt-data) and the words this script says
 * (#pt-words); this script only checks the batch's signed bundle in the browser: every
 * event's SHA-256 over its RFC 8785 form, its chain link, its Ed25519 signature, and the
 * signed head, against the station's key, then sets the verified mark (#verify) and marks the
 * story's private records.  The checks are pt-verify.js's, shared with the buyer portal and
 * loaded before this script. */
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
      box.textContent = t('verified', { n: check.n }) + (check.withheld.length ? t('verifiedPrivate', { m: check.withheld.length }) : '');
      check.withheld.forEach(function (i) {
        var li = document.querySelector('ol.timeline li[data-n="' + (i + 1) + '"]');
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
    var out = [];
    document.querySelectorAll('[data-f]').forEach(function (node) {
      if (node.textContent !== (data[node.getAttribute('data-f')] || '')) out.push(node.getAttribute('data-f'));
    });
    document.querySelectorAll('ol.timeline li[data-n]').forEach(function (li) {
      var e = data.events[Number(li.getAttribute('data-n')) - 1], time = li.querySelector('time');
      var note = li.querySelector('.note');
      if (!e || !time || time.getAttribute('datetime') !== e.time || (note ? note.textContent : undefined) !== e.note)
        out.push('record ' + li.getAttribute('data-n'));
    });
    if (document.querySelectorAll('ol.timeline li[data-n]').length !== data.events.length) out.push('events');
    return out;
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
      check = { state: 'ok', n: result.n, withheld: result.withheld };
      var differ = factsDiffer(bundle.epcis.epcisBody.eventList).concat(pageDiffers());
      if (serverWarning || differ.length) check = { state: 'differ', fields: serverWarning || differ.join(', ') };
    } catch (e) {
      if (!e.tampered && e.name === 'NotSupportedError') check = { state: 'nocrypto' };
      else check = { state: 'bad', why: e.tampered ? e.message : 'malformed bundle' };
    }
  }

  runCheck().then(render);
})();
