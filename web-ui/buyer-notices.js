/* buyer-notices.js: the recall and hold notices sent to the signed-in buyer's GLN
 * (GET /api/v1/buyer/notices), each with its acknowledgement: the quantity still on hand and
 * the action taken (POST /api/v1/buyer/notices/{id}/ack).  What the station tracks per
 * recipient (sent, delivered, acknowledged, escalated) is shown as it stands; a drill is
 * marked as one.  Loaded after ui-kit.js, before buyer.js; ptBuyerNotices.refresh(auth). */
'use strict';
window.ptBuyerNotices = (function () {
  var ui = window.ptUi, el = ui.el, t = ui.t;
  var auth = null, notices = null;

  function stateWord(s) { var k = 'bu.n.state:' + s, w = t(k); return w === k ? s : w; }
  function when(ns) { return ns ? new Date(ns / 1e6).toLocaleString(ui.lang() === 'zh' ? 'zh-CN' : 'en-GB') : ''; }
  function qty(n) { return n.quantity == null ? '—' : n.quantity + (n.uom ? ' ' + n.uom : ''); }

  async function acknowledge(n, form) {
    var h = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (auth.token) h.Authorization = 'Bearer ' + auth.token;
    else h['X-CSRF-Token'] = auth.csrf || '';
    var msg = form.querySelector('.n-msg');
    try {
      var r = await fetch('/api/v1/buyer/notices/' + n.id + '/ack', {
        method: 'POST', cache: 'no-store', credentials: 'same-origin', headers: h,
        body: JSON.stringify({ quantity_on_hand: Number(form.elements.on_hand.value), action: form.elements.action.value })
      });
      var j = await r.json().catch(function () { return {}; });
      if (!r.ok) throw new Error(j.error || String(r.status));
      msg.textContent = t('bu.n.done');
      await refresh(auth);
    } catch (e) { msg.className = 'n-msg bad'; msg.textContent = e.message; }
  }

  function item(n) {
    var kind = n.drill ? 'bu.n.drill' : n.kind === 'hold' ? 'bu.n.hold' : 'bu.n.recall';
    var li = el('li', { class: 'notice ' + (n.drill ? 'drill' : n.kind), 'data-id': String(n.id) }, [
      el('strong', {}, [t(kind)]), ' ', t('bu.n.lot', { lot: n.lot, reason: n.reason || '' }),
      el('div', { class: 'sub' }, [t('bu.n.shipped', { q: qty(n) }), ' · ', t('bu.n.sent', { when: when(n.created_ns) }),
        ' · ', el('span', { class: 'n-state' }, [stateWord(n.state)])])
    ]);
    if (n.acked_ns) {
      li.appendChild(el('div', { class: 'n-acked' }, [t('bu.n.acked', { who: n.ack_by || '', when: when(n.acked_ns), q: n.ack_on_hand, action: n.ack_action || '' })]));
      return li;
    }
    var form = el('form', { class: 'ops n-ack' }, [
      el('label', {}, [t('bu.n.onHand') + ' ', el('input', { name: 'on_hand', type: 'number', min: '0', step: 'any', required: '' })]), ' ',
      el('label', {}, [t('bu.n.action') + ' ', el('input', { name: 'action', maxlength: '500', required: '' })]), ' ',
      el('button', { type: 'submit' }, [t('bu.n.ack')]), el('span', { class: 'n-msg', role: 'status' }, [])
    ]);
    form.addEventListener('submit', function (ev) { ev.preventDefault(); acknowledge(n, form); });
    li.appendChild(form);
    return li;
  }

  function render() {
    var box = document.getElementById('notices');
    if (!box) return;
    box.textContent = '';
    box.hidden = !notices || !notices.length;
    if (box.hidden) return;
    box.appendChild(el('h2', { id: 'notices-title' }, [t('bu.n.title')]));
    box.appendChild(el('ul', { class: 'notices' }, notices.map(item)));
  }

  /* Reads the notices for @a ({token} or {csrf} of a signed-in session; null: signed out). */
  async function refresh(a) {
    auth = a;
    notices = null;
    if (a) {
      var h = { Accept: 'application/json' };
      if (a.token) h.Authorization = 'Bearer ' + a.token;
      var r = await fetch('/api/v1/buyer/notices', { headers: h, cache: 'no-store', credentials: 'same-origin' }).catch(function () { return null; });
      /* Not a buyer (403), signed out (401), an older station (404): no notices to show. */
      if (r && r.ok) notices = ((await r.json().catch(function () { return {}; })).notices) || [];
    }
    render();
  }
  return { refresh: refresh, render: render };
})();
