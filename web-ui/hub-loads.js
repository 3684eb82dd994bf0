/* hub-loads.js: the hub's page for buyers watching the loading of their loads from every
 * shed of the co-op (GET /loads): a buyer token (`packtrace hub buyer add`), kept for this
 * tab only, then buyer-loads.js's section against the hub's API, which relays each station's
 * video (station/hub/pt-hub-video.h).  Loaded after ui-kit.js and buyer-loads.js; starts once ptUi.loadTable() has the words. */
'use strict';
window.ptUi.loadTable().then(function () {
  var ui = window.ptUi, t = ui.t, KEY = 'pt-hub-buyer-token';
  var form = document.getElementById('signin'), out = document.getElementById('signout');
  var state = document.getElementById('state'), stateKey = 'bu.h.intro';
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
      sayState(r ? 'bu.h.refused' : 'bu.v.unreachable');
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
    sayState('bu.h.intro');
  });
  ui.langButton(function () { ui.localize(); sayState(); window.ptBuyerLoads.render(); });
  ui.localize();
  sayState();
  var kept = null;
  try { kept = sessionStorage.getItem(KEY); } catch (e) { /* storage off */ }
  if (kept) show(kept);
});
