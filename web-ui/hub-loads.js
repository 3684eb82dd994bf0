/* hub-loads.js: the hub's page for buyers watching the loading of their loads from every
 * shed of the co-op (GET /loads): a buyer token (`packtrace hub buyer add`), kept for this
 * tab only, then buyer-loads.js's section against the hub's API, which relays each station's
 * video (station/hub/pt-hub-video.h).  Loaded after ui-kit.js, buyer-i18n.js, buyer-loads.js. */
'use strict';
(function () {
  var ui = window.ptUi, t = ui.t, KEY = 'pt-hub-buyer-token';
  ui.strings({
    'h.brand': ['packtrace hub · loads to you', '溯源合作社平台 · 发往贵方的装车'],
    'h.token': ['buyer token', '采购商令牌'], 'h.show': ['Show', '显示'],
    'h.title': ['Watch the loading of your loads', '观看贵方货物的装车过程'],
    'h.intro': ['Give the buyer token the co-op gave you.', '请输入合作社发给您的采购商令牌。'],
    'h.refused': ['The hub does not know this token.', '平台不认识此令牌。'],
    destination: ['Destination', '目的地'], seal: ['Seal', '铅封号'],
    'h.how': ['Every packing shed of the co-op sends its loads here. The video comes from the shed\u2019s own camera at the loading dock, through the co-op hub: the shed decides what you may see, and it shows only loads going to you.',
      '合作社的每个包装厂都把装车记录发送到这里。视频来自包装厂装车口的摄像头，经合作社平台转发：由包装厂决定您能看到什么，只显示发往贵方的装车。']
  });
  var form = document.getElementById('signin'), out = document.getElementById('signout');
  var state = document.getElementById('state'), stateKey = 'h.intro';
  /* The line above the list: an invitation, a refusal, or nothing once signed in. */
  function sayState(key) {
    if (key !== undefined) stateKey = key;
    state.textContent = stateKey ? t(stateKey) : '';
  }

  async function show(token) {
    var r = await fetch('/api/v1/buyer/loads', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' })
      .catch(function () { return null; });
    if (!r || r.status === 401) {
      try { sessionStorage.removeItem(KEY); } catch (e) { /* storage off */ }
      sayState(r ? 'h.refused' : 'v.unreachable');
      form.hidden = false; out.hidden = true;
      return;
    }
    try { sessionStorage.setItem(KEY, token); } catch (e) { /* storage off: this view only */ }
    sayState(null);
    form.hidden = true; out.hidden = false;
    await window.ptBuyerLoads.refresh({ token: token });
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    show(document.getElementById('token').value.trim());
  });
  out.addEventListener('click', function () {
    try { sessionStorage.removeItem(KEY); } catch (e) { /* storage off */ }
    window.ptBuyerLoads.refresh(null);
    form.hidden = false; out.hidden = true;
    sayState('h.intro');
  });
  ui.langButton(function () { ui.localize(); sayState(); window.ptBuyerLoads.render(); });
  ui.localize();
  sayState();
  var kept = null;
  try { kept = sessionStorage.getItem(KEY); } catch (e) { /* storage off */ }
  if (kept) show(kept);
})();
