// web-browser.mjs: the consumer page in Debian's Chromium (driven by playwright-core): zh and
// en texts, the verified mark, the warning for a tampered log, the recall banner, and the
// page's first-view weight; the /station dashboard: sign-in with a user, a batch made through
// the form, put on hold and released with its status shown, the label preview, sign-out;
// loads (open, add a batch, a refusal, close) and drivers (add, login QR decoded and used).
// Prints TAP.
// The evidence clip plays in its player (when CLIP is set: the set-up could cut one).
// A batch whose events straddle a key rotation gets the verified mark too.
// argv: BASE_URL OK_PATH TAMPERED_PATH RECALLED_PATH OUT_DIR OPERATOR_NAME OPERATOR_PASSWORD CLIP
//       ROTATED_PATH
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, okPath, tamperedPath, recalledPath, outDir, opName, opPassword, withClip, rotatedPath] =
  process.argv.slice(2);

let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} ${name}`);
  if (!cond && detail) console.log('# ' + String(detail).replace(/\n/g, '\n# '));
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  // playwright gives every launch a fresh temporary profile (it refuses --user-data-dir).
  timeout: 60000,
});

async function open(path, locale) {
  const context = await browser.newContext({ locale, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const offsite = [];
  let bytes = 0;
  // blob: URLs of the station's origin hold what the page fetched from it (thumbnails).
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('blob:' + base)) offsite.push(r.url());
  });
  page.on('response', async (r) => { try { bytes += (await r.body()).length; } catch (e) { /* redirect */ } });
  await page.goto(base + path, { waitUntil: 'load', timeout: 20000 });
  return { context, page, offsite, bytes: () => bytes };
}

async function verifyText(page) {
  await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 });
  return { cls: await page.getAttribute('#verify', 'class'), text: await page.textContent('#verify') };
}

for (const [locale, words, file] of [
  ['zh-CN', ['产地', '种植者', '溯源经过', '采收登记', '等级'], 'web-consumer-zh.png'],
  ['en-US', ['Grown in', 'Grower', 'Its story', 'Picked and registered', 'Grade'], 'web-consumer-en.png'],
]) {
  const { context, page, offsite, bytes } = await open(okPath, locale);
  const v = await verifyText(page);
  ok(v.cls.includes('ok'), `${locale}: verified mark`, v.text);
  // The inspecting event (and, with a clip, the shipping one) carries an operator's note: the
  // public bundle withholds it, and the page says so instead of counting its step and time as
  // checked.
  const nPrivate = withClip ? 2 : 1;
  ok(v.text.includes(locale === 'zh-CN' ? `${nPrivate} 条为非公开记录` : `${nPrivate} of them are private`),
    `${locale}: the verified mark says ${nPrivate} records are private`, v.text);
  ok((await page.locator('ol.timeline li .private').count()) === nPrivate,
    `${locale}: those records are marked private in the journey`);
  const body = await page.textContent('body');
  const missing = words.filter((w) => !body.includes(w));
  ok(missing.length === 0, `${locale}: page texts`, 'missing: ' + missing.join(', ') + '\n' + body);
  ok(await page.isVisible('svg.chart'), `${locale}: grade chart drawn`);
  ok(await page.isHidden('#banner'), `${locale}: no warning banner for an active batch`);
  ok(offsite.length === 0, `${locale}: nothing fetched off the station`, offsite.join('\n'));
  await page.screenshot({ path: join(outDir, file), fullPage: true });
  if (locale === 'en-US') {
    console.log(`# first view: ${bytes()} bytes (page, CSS, script and bundle)`);
    ok(bytes() < 100 * 1024, 'first view under 100 KB', bytes());
    if (withClip) {
      // Two events have a clip, one of a private step: only the public one gets a player, at
      // the batch's Digital Link (never a sequential id), and the clip plays.
      ok((await page.locator('video').count()) === 1, 'one player, for the public event with a clip');
      // The media fragment (#t=0.1) makes the player show a frame as its poster; it is not sent.
      const src = (await page.getAttribute('video', 'src')).split('#')[0];
      const okLink = okPath.split('?')[0];
      ok(src === okLink + '?linkType=pt:clip&n=4', 'player plays the clip at the Digital Link', src);
      const status = async (url) => (await context.request.get(base + url)).status();
      ok(await status(okLink + '?linkType=pt:clip&n=5') === 404,
        "the private step's clip is not served at the Digital Link");
      ok(await status('/api/v1/batches/1/clips/4') === 401, 'nor by sequential id without credentials');
      const played = await page.evaluate(async () => {
        const v = document.querySelector('video');
        v.muted = true;
        try { await v.play(); } catch (e) { return 'play: ' + e.message; }
        await new Promise((res) => setTimeout(res, 1500));
        return v.currentTime > 0 && !v.error ? 'ok' : 'time ' + v.currentTime + ' error ' + (v.error && v.error.code);
      });
      ok(played === 'ok', 'the clip plays', played);
    } else {
      console.log('ok ' + ++n + ' # SKIP no H.264 encoder to make a clip');
    }
    await Promise.all([page.waitForURL(/lang=zh/, { timeout: 10000 }), page.click('#lang')]);
    ok((await page.textContent('main')).includes('产地'), 'language switch to Chinese');
  }
  await context.close();
}

{
  const { context, page } = await open(tamperedPath, 'en-US');
  const v = await verifyText(page);
  ok(v.cls.includes('bad') && /Warning/.test(v.text) && /altered/.test(v.text),
    'tampered log: warning instead of the verified mark', v.text);
  await page.screenshot({ path: join(outDir, 'web-consumer-tampered.png'), fullPage: true });
  await context.close();
}
{
  // The bundle the page checks spans the rotation: one rotation in its head, records before
  // and after the time the new key signs from.
  const r = await fetch(base + rotatedPath + '?linkType=pt:traceBundle', { headers: { Accept: 'application/json' } });
  const bundle = await r.json();
  const chain = bundle.head.keyChain || [];
  const from = chain.length ? Date.parse(chain[0].record.from) : NaN;
  const times = bundle.epcis.epcisBody.eventList.map((e) => Date.parse(e.recordTime));
  ok(chain.length === 1 && times.some((t) => t < from) && times.some((t) => t >= from) &&
    bundle.proofs.some((p) => p.redacted),
    'rotated batch: its public bundle names one rotation, records on both sides, one withheld',
    JSON.stringify({ chain: chain.length, from, times }));
  const { context, page } = await open(rotatedPath, 'en-US');
  const v = await verifyText(page);
  ok(v.cls.includes('ok') && v.text.includes('1 of them are private'),
    'rotated batch: verified mark across the key rotation', v.text);
  await context.close();
}
{
  const { context, page } = await open(recalledPath, 'zh-CN');
  await page.waitForSelector('#banner.recalled', { state: 'visible', timeout: 10000 });
  ok((await page.textContent('#banner')).includes('召回'), 'recall banner (zh)');
  const v = await verifyText(page);
  ok(v.cls.includes('ok'), 'recalled batch still verifies', v.text);
  await context.close();
}
{
  const { context, page, offsite } = await open('/station', 'en-US');
  const status = (lot) => page.locator(`span.status[data-lot="${lot}"]`);
  await page.fill('#name', opName);
  await page.fill('#password', opPassword);
  await page.click('#login button');
  await page.locator('#who', { hasText: opName }).waitFor({ timeout: 10000 });
  const syncShown = await page.locator('#sync', { hasText: 'No sales platform is configured' })
    .waitFor({ timeout: 10000 }).then(() => true, () => false);
  ok(syncShown, 'dashboard: the sync state says no platform is configured', await page.textContent('#sync'));
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'pt_session');
  ok(session && session.httpOnly && session.sameSite === 'Strict',
    'dashboard: signed in with an HttpOnly, SameSite=Strict session cookie', JSON.stringify(session));
  ok(!(await page.evaluate(() => document.cookie)).includes('pt_session'),
    'dashboard: the page script cannot read the session cookie');
  await page.fill('#new-batch [name=product]', 'Pomelos');
  await page.fill('#new-batch [name=gtin]', '9506000134352');
  await page.fill('#new-batch [name=variety]', 'Guanxi');
  await page.fill('#new-batch [name=quantity]', '800');
  await page.click('#new-batch button');
  await page.waitForSelector('#op-msg.ok', { timeout: 10000 });
  const made = (await page.textContent('#op-msg')).match(/created (\S+)/);
  ok(made !== null, 'dashboard: batch created through the form', await page.textContent('#op-msg'));
  const lot = made ? made[1] : 'none';
  await status(lot).waitFor({ timeout: 10000 });
  ok((await status(lot).textContent()) === 'active', 'dashboard: the new batch is listed as active');
  const row = page.locator('tr', { has: status(lot) });
  page.once('dialog', (d) => d.accept('bruised fruit'));
  await row.locator('button[data-action=hold]').click();
  // A locator, not waitForFunction: the page's CSP forbids the eval that polling needs.
  await page.locator(`span.status[data-lot="${lot}"]:text-is("held")`).waitFor({ timeout: 10000 });
  ok((await status(lot).textContent()) === 'held', 'dashboard: hold with a reason shows held');
  await page.screenshot({ path: join(outDir, 'web-station-held.png'), fullPage: true });
  await row.locator('button[data-action=release]').click();
  await page.locator(`span.status[data-lot="${lot}"]:text-is("active")`).waitFor({ timeout: 10000 });
  page.once('dialog', (d) => d.accept('juggling'));
  await row.locator('button[data-action=event]').click();
  await page.waitForSelector('#op-msg.bad', { timeout: 10000 });
  ok(/unknown step/.test(await page.textContent('#op-msg')), 'dashboard: an unknown step is refused',
    await page.textContent('#op-msg'));
  page.once('dialog', (d) => d.accept('packing'));
  await row.locator('button[data-action=event]').click();
  await page.locator('#op-msg.ok', { hasText: 'packing recorded' }).waitFor({ timeout: 10000 });
  const stored = await (await context.request.get(`${base}/api/v1/batches/${lot}`)).json();
  const steps = (stored.event_list || []).map((e) => e.event.bizStep);
  ok(steps.join(' ') === 'commissioning holding holding packing', 'dashboard: the packing step is in the log',
    steps.join(' '));
  const reasons = (stored.event_list || []).map((e) => e.event['pt:reason']).filter(Boolean);
  ok(stored.status === 'active' && reasons.includes('bruised fruit'),
    'dashboard: release shows active again; the hold and its reason are in the log', JSON.stringify(stored));
  const [preview] = await Promise.all([
    context.waitForEvent('page', { timeout: 10000 }),
    row.locator('a', { hasText: 'label' }).click(),
  ]);
  await preview.waitForLoadState('load', { timeout: 10000 });
  const type = await preview.evaluate(() => document.contentType);
  ok(type === 'image/png' && preview.url().includes('/label'), 'dashboard: label preview opens the PNG',
    type + ' ' + preview.url());
  // A reload keeps the session (the CSRF token comes back from GET /api/v1/session).
  await page.reload({ waitUntil: 'load' });
  await page.locator('#who', { hasText: opName }).waitFor({ timeout: 10000 });
  page.once('dialog', (d) => d.accept('packing'));
  await row.locator('button[data-action=event]').click();
  const kept = await page.locator('#op-msg.ok', { hasText: 'packing recorded' })
    .waitFor({ timeout: 10000 }).then(() => true, () => false);
  ok(kept, 'dashboard: after a reload writes still carry the CSRF token', await page.textContent('#op-msg'));
  // A step with a note for shoppers: the second prompt's answer is signed as pt:publicNote.
  const answers = ['storing', 'Kept at 4 °C until loading'];
  const answer = (d) => { d.accept(answers.shift()); if (answers.length) page.once('dialog', answer); };
  page.once('dialog', answer);
  await row.locator('button[data-action=event]').click();
  await page.locator('#op-msg.ok', { hasText: 'storing recorded' }).waitFor({ timeout: 10000 });
  const noted = await (await context.request.get(`${base}/api/v1/batches/${lot}`)).json();
  const last = (noted.event_list || []).map((e) => e.event).pop() || {};
  ok(last.bizStep && last.bizStep.endsWith('storing') && last['pt:publicNote'] === 'Kept at 4 °C until loading',
    'dashboard: a step recorded with a note for shoppers signs it as the public note', JSON.stringify(last));
  await page.click('#logout');
  await page.waitForSelector('#login:not([hidden])', { timeout: 10000 });
  const after = await context.request.get(`${base}/api/v1/sync`);
  ok(after.status() === 401, 'dashboard: signed out, the cookie no longer works', after.status());
  ok(offsite.length === 0, 'dashboard: nothing fetched off the station', offsite.join('\n'));
  await context.close();
}
// The first view's transferred bytes (headers and bodies as sent, before the clip), and the
// Ed25519 fallback stays out of it where WebCrypto has Ed25519.
{
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const responses = [];
  page.on('requestfinished', (r) => responses.push(r));
  await page.goto(base + okPath, { waitUntil: 'load', timeout: 20000 });
  await verifyText(page);
  let sent = 0;
  for (const r of responses) {
    const sz = await r.sizes();
    sent += sz.responseHeadersSize + sz.responseBodySize;
  }
  console.log(`# first view transferred: ${sent} bytes in ${responses.length} responses`);
  ok(sent > 0 && sent < 100 * 1024, 'first view transferred under 100 KB', sent);
  ok(!responses.some((r) => r.url().includes('ed25519-fallback')),
    'WebCrypto Ed25519 present: the fallback library is not loaded');
  await context.close();
}
// Without WebCrypto Ed25519 (older browsers), and without crypto.subtle at all (plain http on
// a LAN address), the bundled noble Ed25519 checks the records instead.
for (const [what, script] of [
  ['no WebCrypto Ed25519', () => {
    const importKey = SubtleCrypto.prototype.importKey;
    SubtleCrypto.prototype.importKey = function (format, key, alg, ...rest) {
      const name = typeof alg === 'string' ? alg : alg && alg.name;
      if (/ed25519/i.test(name || '')) return Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError'));
      return importKey.call(this, format, key, alg, ...rest);
    };
  }],
  ['no crypto.subtle (insecure context)', () => { delete Crypto.prototype.subtle; }],
]) {
  for (const [path, want] of [[okPath, 'ok'], [tamperedPath, 'bad']]) {
    const context = await browser.newContext({ locale: 'en-US' });
    await context.addInitScript(script);
    const page = await context.newPage();
    const fetched = [];
    page.on('request', (r) => fetched.push(r.url()));
    await page.goto(base + path, { waitUntil: 'load', timeout: 20000 });
    const v = await verifyText(page);
    ok(v.cls.includes(want) && fetched.some((u) => u.includes('/static/ed25519-fallback.js')),
      `${what}: the fallback library gives the ${want === 'ok' ? 'verified mark' : 'tamper warning'}`,
      v.cls + ' ' + v.text);
    await context.close();
  }
}
// The dashboard's loads and drivers: a load opened with the form, a batch put on it by lot
// and listed with its source, a recalled batch refused with its reason, a driver added and
// their login QR shown, decoded from the page's pixels with the vendored jsQR, and the decoded
// link logging a phone in; then the load closed.  Screenshots at desktop and phone width.
for (const [viewport, tag] of [[{ width: 1280, height: 900 }, 'desktop'], [{ width: 390, height: 844 }, 'phone']]) {
  const context = await browser.newContext({ locale: 'en-US', viewport });
  const signin = await context.request.post(base + '/api/v1/session', { data: { name: opName, password: opPassword } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  // 503: a camera thumbnail before its first frame (station-live.js tries again).
  page.on('console', (m) => { if (m.type() === 'error' && !/40[19]|503/.test(m.text())) problems.push(m.text()); });
  await page.goto(base + '/station', { waitUntil: 'load', timeout: 20000 });
  try {
    await page.locator('#who', { hasText: opName }).waitFor({ timeout: 10000 });
    const plate = tag === 'desktop' ? 'SH 888' : 'SH 999';
    const driver = tag === 'desktop' ? 'Wang Wei' : 'Li Na';
    await page.fill('#new-load [name=plate]', plate);
    await page.fill('#new-load [name=seal]', 'SEAL-' + tag);
    await page.fill('#new-load [name=dock]', 'dock-' + tag);
    await page.fill('#new-load [name=destination]', 'Fresh Co');
    await page.fill('#new-load [name=destination_gln]', '4012345000115');
    await page.click('#new-load button');
    const card = page.locator('article.load', { hasText: plate });
    await card.waitFor({ timeout: 10000 });
    ok(signin.ok() && (await card.textContent()).includes('dock-' + tag) && (await card.textContent()).includes('GLN 4012345000115'),
      `${tag}: a load opened with the form is listed with dock and destination`, await card.textContent());
    if (tag === 'desktop') {
      await card.locator('input[name=lot]').fill('OK1');
      await card.locator('button', { hasText: 'Add batch' }).click();
      await card.locator('table.load-batches tr', { hasText: 'OK1' }).waitFor({ timeout: 10000 });
      ok(/OK1\s*operator/.test(await card.locator('table.load-batches').textContent()),
        `${tag}: the batch added by lot is listed with its source`, await card.textContent());
      await card.locator('input[name=lot]').fill('RECALL1');
      await card.locator('button', { hasText: 'Add batch' }).click();
      await card.locator('table.load-refusals', { hasText: 'RECALL1' }).waitFor({ timeout: 10000 });
      ok(/recall/.test(await card.locator('table.load-refusals').textContent()),
        `${tag}: a recalled batch is refused with its reason`, await card.locator('table.load-refusals').textContent());
      ok(/0 \(plate and seal/.test(await card.locator('dd.photos').textContent()), `${tag}: the photos count is shown`);
    }
    await page.fill('#new-driver [name=name]', driver);
    await page.fill('#new-driver [name=phone]', '+86 138 0000 0000');
    await page.click('#new-driver button');
    const row = page.locator('table.drivers tr', { hasText: driver });
    await row.waitFor({ timeout: 10000 });
    await row.locator('button[data-action=login-qr]').click();
    await page.locator('#qr-panel:not([hidden]) img[src^="data:image/png"]').waitFor({ timeout: 10000 });
    ok((await page.textContent('#qr-panel')).includes(driver) && /Valid until \S/.test(await page.textContent('#qr-panel')),
      `${tag}: the login QR is shown with the driver and its expiry`, await page.textContent('#qr-panel'));
    await page.screenshot({ path: join(outDir, `web-station-qr-${tag}.png`) });
    await page.addScriptTag({ url: '/static/jsQR.js' });
    const decoded = await page.evaluate(async () => {
      const img = document.getElementById('qr-img');
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const code = window.jsQR(g.getImageData(0, 0, c.width, c.height).data, c.width, c.height);
      return code ? code.data : null;
    });
    ok(decoded && decoded.startsWith(base + '/driver#t='), `${tag}: the QR decodes to this station's driver login link`, decoded);
    const token = decoded ? decoded.split('#t=')[1] : '';
    const phone = await browser.newContext();
    const me = await phone.request.get(base + '/api/v1/driver/me', { headers: { Authorization: 'Bearer ' + token } });
    const who = me.ok() ? await me.json() : {};
    ok(me.status() === 200 && who.driver && who.driver.name === driver, `${tag}: the decoded link logs the driver's phone in`,
      me.status() + ' ' + JSON.stringify(who));
    await phone.close();
    await page.click('#qr-hide');
    ok(await page.isHidden('#qr-panel') && !(await page.getAttribute('#qr-img', 'src')), `${tag}: hiding the QR forgets it`);
    const listed = await (await context.request.get(base + '/api/v1/drivers')).text();
    ok(!listed.includes(token.split('.')[1]) && !/hash/.test(listed), `${tag}: the driver list carries no token`, listed);
    if (tag === 'desktop') {
      await page.screenshot({ path: join(outDir, 'web-station-loads-desktop.png'), fullPage: true });
      page.once('dialog', (d) => d.accept());
      await card.locator('button[data-action=close]').click();
      await page.locator('#load-msg.ok', { hasText: 'closed' }).waitFor({ timeout: 10000 });
      await page.locator('table.loads-closed tr', { hasText: plate }).waitFor({ timeout: 10000 });
      ok((await card.count()) === 0, `${tag}: the closed load leaves the open ones and is listed as departed`);
    } else {
      page.once('dialog', (d) => d.accept());
      await card.locator('button[data-action=close]').click();
      await page.locator('#load-msg.bad').waitFor({ timeout: 10000 });
      ok(/nothing|empty|no batch/i.test(await page.textContent('#load-msg')) && (await card.count()) === 1,
        `${tag}: an empty load cannot be closed`, await page.textContent('#load-msg'));
      await page.screenshot({ path: join(outDir, 'web-station-loads-phone.png'), fullPage: true });
    }
  } catch (e) {
    ok(false, `${tag}: the loads and drivers flow ran to its end`, e.stack);
  }
  ok(problems.length === 0, `${tag}: no script errors or CSP violations`, problems.join('\n'));
  await context.close();
}
// The dashboard's live section: alerts, disk and retention, and the cameras' thumbnails
// (the demo cameras, once their footage is made) refreshing.
{
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1200, height: 900 } });
  const signin = await context.request.post(base + '/api/v1/session',
    { data: { name: opName, password: opPassword } });
  ok(signin.status() === 200, 'dashboard: signed in for the live section', String(signin.status()));
  const page = await context.newPage();
  await page.goto(base + '/station', { waitUntil: 'load', timeout: 20000 });
  await page.locator('#live-disk', { hasText: 'free of' }).waitFor({ timeout: 10000 });
  ok(/recordings .* clips kept 730 days/.test(await page.textContent('#live-disk')),
    'dashboard: disk use and retention shown', await page.textContent('#live-disk'));
  ok(/No grading is open/.test(await page.textContent('#live-grading')), 'dashboard: grading state shown');
  try {
    await page.locator('figure.thumb').first().waitFor({ timeout: 45000 });
  } catch (e) { /* no camera started in time: reported below */ }
  if (await page.locator('figure.thumb').count()) {
    const img = page.locator('figure.thumb img[src^="blob:"]').first();
    await img.waitFor({ timeout: 20000 }).catch(() => {});
    const first = await img.getAttribute('src').catch(() => null);
    const width = first ? await img.evaluate((i) => (i.complete && i.naturalWidth ? i.naturalWidth
      : new Promise((res) => {
        i.addEventListener('load', () => res(i.naturalWidth), { once: true });
        i.addEventListener('error', () => res(-1), { once: true });
      }))) : 0;
    ok(first !== null && width === 320, 'dashboard: a camera thumbnail shows', first + ' ' + width);
    await page.waitForTimeout(2500);
    ok(first !== null && (await img.getAttribute('src')) !== first, 'dashboard: the thumbnail refreshes');
    await page.screenshot({ path: join(outDir, 'web-station-live.png') });
  } else {
    console.log('ok ' + ++n + ' # SKIP the demo cameras did not start within 45 s');
    console.log('ok ' + ++n + ' # SKIP the demo cameras did not start within 45 s');
  }
  await context.close();
}
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
