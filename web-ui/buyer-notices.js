/* buyer-notices.js: the recall and hold notices sent to the signed-in buyer's GLN
 * (GET /api/v1/buyer/notices), each with its acknowledgement: the quantity still on hand and
 * the action taken (POST /api/v1/buyer/notices/{id}/ack).  What the station tracks per
 * recipient (sent, delivered, acknowledged, escalated) is shown as it stands; a drill is
 * marked as one.  Loaded after ui-kit.js, before buyer.js; ptBuyerNotices.refresh(auth). */
'use strict';
window.ptBuyerNotices = (function () {
  var ui = window.ptUi, el = ui.el, t = ui.t;
  ui.strings({
    'n.title': ['Recall notices', '召回通知'],
    'n.recall': ['Recall', '召回'], 'n.hold': ['Hold', '暂扣'], 'n.drill': ['Recall drill (an exercise, not a real recall)', '召回演练（演练，并非真实召回）'],
    'n.lot': ['Lot {lot}: {reason}', '批次 {lot}：{reason}'],
    'n.shipped': ['Shipped to you: {q}', '发给贵方：{q}'],
    'n.sent': ['Sent {when}', '发送于 {when}'],
    'n.state:pending': ['waiting to be sent', '等待发送'], 'n.state:sent': ['sent', '已发送'],
    'n.state:delivered': ['delivered', '已送达'], 'n.state:acknowledged': ['acknowledged', '已确认'],
    'n.state:escalated': ['overdue: please acknowledge', '已逾期：请确认'], 'n.state:failed': ['not delivered', '未送达'],
    'n.acked': ['Acknowledged by {who} {when}: {q} on hand; {action}', '{who} 于 {when} 确认：库存 {q}；{action}'],
    'n.onHand': ['Quantity still on hand', '现有库存数量'], 'n.action': ['Action taken', '已采取的措施'],
    'n.ack': ['Acknowledge', '确认收到'], 'n.done': ['Acknowledged.', '已确认。']
  });
  var auth = null, notices = null;

  function stateWord(s) { var k = 'n.state:' + s, w = t(k); return w === k ? s : w; }
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
      msg.textContent = t('n.done');
      await refresh(auth);
    } catch (e) { msg.className = 'n-msg bad'; msg.textContent = e.message; }
  }

  function item(n) {
    var kind = n.drill ? 'n.drill' : n.kind === 'hold' ? 'n.hold' : 'n.recall';
    var li = el('li', { class: 'notice ' + (n.drill ? 'drill' : n.kind), 'data-id': String(n.id) }, [
      el('strong', {}, [t(kind)]), ' ', t('n.lot', { lot: n.lot, reason: n.reason || '' }),
      el('div', { class: 'sub' }, [t('n.shipped', { q: qty(n) }), ' · ', t('n.sent', { when: when(n.created_ns) }),
        ' · ', el('span', { class: 'n-state' }, [stateWord(n.state)])])
    ]);
    if (n.acked_ns) {
      li.appendChild(el('div', { class: 'n-acked' }, [t('n.acked', { who: n.ack_by || '', when: when(n.acked_ns), q: n.ack_on_hand, action: n.ack_action || '' })]));
      return li;
    }
    var form = el('form', { class: 'ops n-ack' }, [
      el('label', {}, [t('n.onHand') + ' ', el('input', { name: 'on_hand', type: 'number', min: '0', step: 'any', required: '' })]), ' ',
      el('label', {}, [t('n.action') + ' ', el('input', { name: 'action', maxlength: '500', required: '' })]), ' ',
      el('button', { type: 'submit' }, [t('n.ack')]), el('span', { class: 'n-msg', role: 'status' }, [])
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
    box.appendChild(el('h2', { id: 'notices-title' }, [t('n.title')]));
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
