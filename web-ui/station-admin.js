/* station-admin.js: the admins' part of the operator dashboard: the users who sign in (added
 * with a role and, for buyers, a GLN scope; removed, which ends their sessions) and the API
 * keys of platforms and scripts (made, shown once in the answer that makes them and never
 * again, revoked).  Shown only to a signed-in admin (the session's role); the station checks
 * the role on every request as well.  Requests carry the session cookie and the CSRF token
 * station.js got at sign-in (window.ptSession). */
'use strict';
(function () {
  var ui = window.ptUi, el = ui.el, table = ui.table, say = ui.say, t = ui.t;
  var me = null;
  function call(path, method, body) { return ui.api(path, { method: method, body: body }); }
  function role(r) { return t('d.r.' + r); }
  function scope(a) { return a.scope || (a.role === 'buyer' ? t('d.allBatches') : '–'); }
  function button(action, label, fn) {
    var b = el('button', { type: 'button', 'data-action': action }, [label]);
    b.addEventListener('click', fn);
    return b;
  }

  async function renderUsers() {
    var users = (await call('/api/v1/users')).users, box = document.getElementById('users');
    box.textContent = '';
    box.appendChild(table([t('d.name'), t('d.c.role'), t('d.c.scope'), t('d.c.created'), t('d.c.actions')], users.map(function (u) {
      var self = me && u.name === me.name;
      return [u.name + (self ? ' ' + t('d.you') : ''), role(u.role), scope(u), ui.stamp(u.created),
        self ? '–' : button('remove-user', t('d.remove'), async function () {
          try {
            await call('/api/v1/users/' + encodeURIComponent(u.name), 'DELETE');
            say('user-msg', t('d.userRemoved', { name: u.name }));
          } catch (e) { say('user-msg', e.message, true); }
          refresh();
        })];
    }), 'users'));
  }
  async function renderKeys() {
    var keys = (await call('/api/v1/apikeys')).keys, box = document.getElementById('keys');
    box.textContent = '';
    box.appendChild(table(['#', t('d.name'), t('d.c.role'), t('d.c.scope'), t('d.c.created'), t('d.c.state'), t('d.c.actions')], keys.map(function (k) {
      return [String(k.id), k.name, role(k.role), scope(k), ui.stamp(k.created),
        k.revoked ? t('d.keyRevoked', { when: ui.stamp(k.revoked) }) : t('d.keyLive'),
        k.revoked ? '–' : button('revoke-key', t('d.revoke'), async function () {
          try {
            await call('/api/v1/apikeys/' + k.id, 'DELETE');
            say('key-msg', t('d.keyRevokedMsg', { id: k.id }));
          } catch (e) { say('key-msg', e.message, true); }
          refresh();
        })];
    }), 'keys'));
  }
  async function refresh() {
    var admin = !!(me && me.role === 'admin' && window.ptSession.signedIn());
    document.getElementById('admin').hidden = !admin;
    if (!admin || document.hidden) return;
    try { await renderUsers(); } catch (e) { say('user-msg', e.message, true); }
    try { await renderKeys(); } catch (e) { say('key-msg', e.message, true); }
  }

  document.getElementById('new-user').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var f = ev.target.elements, body = { name: f['name'].value.trim(), role: f.role.value, password: f.password.value };
    if (f.scope.value.trim()) body.scope = f.scope.value.trim();
    try {
      var u = await call('/api/v1/users', 'POST', body);
      say('user-msg', t('d.userAdded', { name: u.name, role: role(u.role) }));
      ev.target.reset();
    } catch (e) { say('user-msg', e.message, true); }
    refresh();
  });
  document.getElementById('new-key').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var f = ev.target.elements, body = { name: f['name'].value.trim(), role: f.role.value };
    if (f.scope.value.trim()) body.scope = f.scope.value.trim();
    try {
      var k = await call('/api/v1/apikeys', 'POST', body);
      var msg = document.getElementById('key-msg');
      msg.className = 'verify ok';
      msg.textContent = t('d.keyMade', { id: k.id, name: k.name }) + ' ';
      msg.appendChild(el('code', { class: 'secret' }, [k.key]));
      ev.target.reset();
    } catch (e) { say('key-msg', e.message, true); }
    refresh();
  });
  document.addEventListener('pt-session', function (ev) {
    me = ev.detail;
    if (!me) { say('key-msg', ''); say('user-msg', ''); }
    refresh();
  });
  document.addEventListener('pt-lang', refresh);
})();
