/* pt-verify.js: a signed bundle, or a page's view of one, checked in the browser, for every page
 * that shows the verified mark (the consumer page, the buyer portal): every event's SHA-256 over its RFC 8785 form,
 * its chain link, its Ed25519 signature with the key in force at its record time along the
 * station's key chain, and the signed head, against the station's key the page trusts.  The
 * same checks as `packtrace verify` (station/trace/pt-bundle.h).  WebCrypto does the work
 * where it can; elsewhere (no WebCrypto Ed25519, or plain http on a LAN address, where
 * crypto.subtle is missing) ed25519-fallback.js (noble's libraries) is imported for it.
 * Needs no other script (the consumer page loads it alone); window.ptVerify. */
'use strict';
window.ptVerify = (function () {
  function hex(buf) { return Array.prototype.map.call(new Uint8Array(buf), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join(''); }
  function lastPart(uri) { return String(uri || '').replace(/^.*[-:\/]/, ''); }

  // RFC 8785: sorted keys (UTF-16 order, as Array.prototype.sort compares), no whitespace,
  // strings and numbers as JSON.stringify writes them.
  function canon(v) {
    if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
    if (v !== null && typeof v === 'object')
      return '{' + Object.keys(v).sort().map(function (k) { return JSON.stringify(k) + ':' + canon(v[k]); }).join(',') + '}';
    return JSON.stringify(v);
  }
  function unhex(s) {
    if (typeof s !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(s)) throw new Error('bad hex');
    var out = new Uint8Array(s.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
    return out;
  }
  /* The crypto in use: WebCrypto, or the fallback module once loaded. */
  var fallback = null;
  function sha256(text) {
    var bytes = new TextEncoder().encode(text);
    return fallback ? Promise.resolve(fallback.sha256(bytes)) : crypto.subtle.digest('SHA-256', bytes);
  }
  async function loadFallback() {
    if (fallback) return;
    try { fallback = await import('/static/ed25519-fallback.js'); } catch (e) {
      var err = new Error('no Ed25519: ' + e.message);
      err.name = 'NotSupportedError';
      throw err;
    }
  }
  /* Returns verify(signatureHex, message) for @publicKey (hex). */
  async function verifier(publicKey) {
    if (!fallback) {
      try {
        var key = await crypto.subtle.importKey('raw', unhex(publicKey), { name: 'Ed25519' }, false, ['verify']);
        return function (sig, digest) { return crypto.subtle.verify({ name: 'Ed25519' }, key, unhex(sig), digest); };
      } catch (e) {
        /* NotSupportedError in browsers without WebCrypto Ed25519. */
        await loadFallback();
      }
    }
    var pub = unhex(publicKey);
    return async function (sig, digest) {
      try { return fallback.verify(pub, unhex(sig), new Uint8Array(digest)); } catch (e) { return false; }
    };
  }
  function fail(why) { var e = new Error(why); e.tampered = true; throw e; }

  /* Every record shown is hashed over its RFC 8785 form, a redacted one (its private fields
   * withheld from this reader) is checked by its signature over the hash its proof gives, which
   * the next record's signed link and the head's lastHash name.  Hex is lowercase only;
   * unknown members are refused. */
  var ROOT = ['epcis', 'format', 'head', 'proofs'];
  var PROOF = ['eventID', 'hash', 'hashId', 'prevHash', 'redacted', 'signature'];
  function onlyKnown(o, known, what) {
    Object.keys(o).forEach(function (k) { if (known.indexOf(k) < 0) fail('unknown member ' + k + ' in ' + what); });
  }
  function lowhex(s, n) { return typeof s === 'string' && s.length === n * 2 && /^[0-9a-f]*$/.test(s); }

  /* The station's keys (station/trace/pt-key-chain.h): its anchor, the key the page trusts,
   * then each rotation the head names, signed by the key in force and by its new key.  Returns
   * [{key, verify, from (ms)}], the anchor first. */
  var ROTATION = ['afterHash', 'afterSeq', 'format', 'from', 'newKey', 'previousKey', 'stationId'];
  async function keyChain(head) {
    var chain = [{ key: head.publicKey, verify: await verifier(head.publicKey), from: -Infinity, seq: 0 }];
    if (head.keyChain === undefined) return chain;
    if (!Array.isArray(head.keyChain) || head.keyChain.length > 64) fail('malformed key chain');
    for (var i = 0; i < head.keyChain.length; i++) {
      var r = head.keyChain[i], rec = r && r.record, last = chain[chain.length - 1], n = i + 1;
      if (!r || typeof r !== 'object' || Object.keys(r).length !== 3 || !rec || typeof rec !== 'object' ||
          !lowhex(r.signature, 64) || !lowhex(r.newKeySignature, 64)) fail('malformed key chain');
      onlyKnown(rec, ROTATION, 'key rotation');
      var from = Date.parse(rec.from);
      if (rec.format !== 'packtrace-key-rotation/1' || !lowhex(rec.previousKey, 32) || !lowhex(rec.newKey, 32) ||
          isNaN(from) || !Number.isInteger(rec.afterSeq) || rec.afterSeq < 0) fail('malformed key chain');
      if (rec.stationId !== head.stationId) fail('key rotation ' + n + ' of another station');
      if (rec.previousKey !== last.key) fail('key rotation ' + n + ' not from the key in force');
      if (chain.some(function (k) { return k.key === rec.newKey; })) fail('key rotation ' + n + ' reuses a key');
      if (from <= last.from || rec.afterSeq < last.seq) fail('key rotation ' + n + ' goes back');
      var digest = await sha256(canon(rec)), next = await verifier(rec.newKey);
      if (!await last.verify(r.signature, digest)) fail('key rotation ' + n + ' not signed by the key in force');
      if (!await next(r.newKeySignature, digest)) fail('key rotation ' + n + ' not signed by its new key');
      chain.push({ key: rec.newKey, verify: next, from: from, seq: rec.afterSeq });
    }
    return chain;
  }
  /* The index of the key in force at an event's recordTime. */
  function keyAt(chain, recordTime) {
    var t = Date.parse(recordTime), k = 0;
    if (chain.length > 1 && isNaN(t)) fail('record time unreadable');
    for (var i = 1; i < chain.length; i++) if (t >= chain[i].from) k = i;
    return k;
  }

  /* The numbers of the records a page's view shows (station/trace/pt-bundle.h,
   * pt_bundle_writer_set_view()): its signed head's "shown", ascending, within the batch's
   * count, ending with the batch's last record; a whole bundle shows 1..count. */
  function shownNumbers(head, isView, nProofs) {
    if (!Number.isInteger(head.count) || head.count < 0) fail('malformed bundle');
    if (!isView) {
      if (head.shown !== undefined) fail('malformed bundle');
      if (nProofs !== head.count) fail('events removed or added');
      return Array.from({ length: nProofs }, function (x, i) { return i + 1; });
    }
    var shown = head.shown;
    if (!Array.isArray(shown) || shown.length !== nProofs) fail('events removed or added');
    for (var i = 0; i < shown.length; i++)
      if (!Number.isInteger(shown[i]) || shown[i] < 1 || shown[i] > head.count || (i && shown[i] <= shown[i - 1])) fail('malformed bundle');
    if (head.count && shown[shown.length - 1] !== head.count) fail('last record');
    return shown;
  }

  /* Checks bundle @b against what the page trusts, @expect: publicKey (the station's anchor,
   * hex), lot, gtin, hubKey (a hub's page: the key its heads are signed with), and events
   * (nullable: the [{n, time, step}] the page shows, one per record of the bundle, which must
   * be the records').  @b is a whole bundle, or a page's view of one ("packtrace-bundle-view/1":
   * the signed head of the whole batch naming the records shown, "shown", and those records
   * with their proofs): each shown record is checked as in a whole bundle, links only between
   * records whose numbers follow each other, the last against the head's lastHash and count.
   * Returns {n (records checked), total (the batch's), numbers (each proof's record number),
   * withheld (the numbers of redacted records)}; throws an Error with .tampered when a check
   * fails, or named NotSupportedError when the browser cannot check Ed25519. */
  async function verifyBundle(b, expect) {
    if (!window.crypto || !crypto.subtle) await loadFallback();
    var head = b && b.head, events = b && b.epcis && b.epcis.epcisBody && b.epcis.epcisBody.eventList, proofs = b && b.proofs;
    var isView = b && b.format === 'packtrace-bundle-view/1';
    if (!head || !Array.isArray(events) || !Array.isArray(proofs) || (b.format !== 'packtrace-bundle/1' && !isView)) fail('malformed bundle');
    onlyKnown(b, ROOT, 'bundle');
    if (!lowhex(head.publicKey, 32) || !lowhex(head.signature, 64)) fail('malformed bundle');
    if (head.publicKey !== expect.publicKey) fail('signed by another key');
    if (head.lot !== expect.lot || head.gtin !== expect.gtin) fail('bundle of another batch');
    var chain = await keyChain(head);
    /* A co-op hub's bundle: the head is signed by the hub's key, the one its page names; the
     * records are still checked against the station's keys.  A station's own head is signed
     * by its current key, the chain's last. */
    if (head.hubKey !== undefined && (!lowhex(head.hubKey, 32) || head.hubKey !== expect.hubKey)) fail('signed by another key');
    var headOk = head.hubKey !== undefined ? await verifier(head.hubKey) : chain[chain.length - 1].verify;
    var unsigned = Object.assign({}, head); delete unsigned.signature;
    if (!await headOk(head.signature, await sha256(canon(unsigned)))) fail('head signature');
    var keyId = hex(fallback ? fallback.sha256(unhex(head.publicKey)) : await crypto.subtle.digest('SHA-256', unhex(head.publicKey)));
    if (head.stationId !== keyId.slice(0, 16)) fail('station id is not the signing key\'s');
    var numbers = shownNumbers(head, isView, proofs.length);
    if (expect.events && proofs.length !== expect.events.length) fail('events removed or added');
    var prev = null, next = 0, withheld = [], keyBefore = 0;
    for (var i = 0; i < proofs.length; i++) {
      var p = proofs[i], n = numbers[i], h;
      /* The record before this one is checked too: its hash is what this one links to. */
      var follows = n === 1 || (i > 0 && numbers[i - 1] === n - 1);
      if (expect.events && expect.events[i].n !== n) fail('page and record ' + n + ' differ');
      if (!p || typeof p !== 'object') fail('malformed bundle');
      onlyKnown(p, PROOF, 'proof');
      if (!lowhex(p.hash, 32) || !lowhex(p.signature, 64)) fail('record ' + n + ' proof damaged');
      var k = 0, signedOk = false;
      if (p.redacted !== undefined) {
        if (p.redacted !== true) fail('malformed bundle');
        h = p.hash;
        withheld.push(n);
        /* Its time is in the record withheld: any key of the chain, placed by the keys' order. */
        for (k = 0; k < chain.length && !signedOk; k++) signedOk = await chain[k].verify(p.signature, unhex(h));
        k--;
      } else {
        var e = events[next++];
        if (!e) fail('events removed or added');
        h = hex(await sha256(canon(e)));
        if (p.eventID !== e.eventID) fail('record ' + n + ' out of order');
        if (h !== p.hash) fail('record ' + n + ' altered');
        var link = e['pt:prevEvent'];
        if (n === 1 ? link !== undefined : follows ? link !== prev : link !== p.prevHash) fail('record ' + n + ' chain broken');
        var shown = expect.events && expect.events[i];
        if (shown && (shown.time !== e.eventTime || lastPart(shown.step) !== lastPart(e.bizStep) ||
            shown.note !== e['pt:publicNote'])) fail('page and record ' + n + ' differ');
        k = keyAt(chain, e.recordTime);
        signedOk = await chain[k].verify(p.signature, unhex(h));
      }
      if (!signedOk) fail('record ' + n + ' signature');
      if (k < keyBefore) fail('record ' + n + ' signed by a retired key');
      keyBefore = k;
      if (n === 1 ? p.prevHash !== null : follows ? p.prevHash !== prev : !lowhex(p.prevHash, 32)) fail('record ' + n + ' chain broken');
      prev = h;
    }
    if (next !== events.length) fail('events removed or added');
    if (proofs.length && head.lastHash !== prev) fail('last record');
    var doc = JSON.parse(JSON.stringify(b.epcis)); delete doc.epcisBody.eventList;
    if (hex(await sha256(canon(doc))) !== head.documentHash) fail('document header');
    return { n: proofs.length, total: head.count, numbers: numbers, withheld: withheld };
  }

  /* A batch's facts as its verified events state them, as the station derives them
   * (pt-batch-signed.h): identity from the commissioning event, status from the last status
   * change (pt:action), grade from the last grading decision (pt:declaredClass).  NULL
   * without a commissioning event. */
  function signedFacts(events) {
    var live = events.filter(function (e) { return !e.errorDeclaration; });
    var first = function (f) { return live.filter(f)[0]; }, last = function (f) { return live.filter(f).pop(); };
    var comm = first(function (e) { return lastPart(e.bizStep) === 'commissioning'; });
    if (!comm) return null;
    var status = last(function (e) { return lastPart(e.bizStep) === 'holding' && e['pt:action']; });
    var grade = last(function (e) { return lastPart(e.bizStep) === 'inspecting' && e['pt:declaredClass']; });
    var ilmd = comm.ilmd || {};
    return {
      lot: ilmd['cbvmda:lotNumber'], product: comm['pt:product'], variety: comm['pt:variety'],
      origin: comm['pt:origin'], grower: comm['pt:grower'], harvest_date: ilmd['cbvmda:harvestStartDate'],
      pack_date: comm['pt:packDate'],
      status: !status ? 'active' : { hold: 'held', recall: 'recalled', release: 'active' }[status['pt:action']],
      declared_class: grade ? grade['pt:declaredClass'] : undefined,
      disposition: grade ? grade.disposition : undefined
    };
  }

  /* The SHA-256 of @bytes (an ArrayBuffer: a photo) as lowercase hex, with the fallback's code
   * where WebCrypto is missing (plain http). */
  async function sha256Hex(bytes) {
    if (!window.crypto || !crypto.subtle) await loadFallback();
    return hex(fallback ? fallback.sha256(new Uint8Array(bytes)) : await crypto.subtle.digest('SHA-256', bytes));
  }

  return { canon: canon, fail: fail, verifyBundle: verifyBundle, signedFacts: signedFacts, lastPart: lastPart,
    sha256Hex: sha256Hex };
})();
