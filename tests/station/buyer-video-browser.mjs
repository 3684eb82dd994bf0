// buyer-video-browser.mjs: a buyer signed in to the portal watches load 1, going to their
// GLN, in Debian's Chromium (driven by playwright-core): its live badge and the live video
// played in the page's <video> by the vendored hls.js, then the operator closes the load and
// the same player turns to the recorded window by itself.  The dock's test camera burns each
// frame's capture time (UTC ms) in as a QR code: the played frame is drawn into a canvas and
// read with the vendored jsQR, so the test knows which moment of the camera it is shown, live
// (seconds old, after the load opened less the margin) and recorded (inside the load's window).
// Then the Chinese texts, and another buyer whose load's camera is down.  Prints TAP.
// argv: BASE_URL BUYER PASSWORD OPERATOR_TOKEN OPENED_MS OUT_DIR
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, buyer, password, opToken, openedArg, outDir] = process.argv.slice(2);
const openedMs = Number(openedArg), marginMs = 5000;

let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} ${name}`);
  if (!cond && detail !== undefined) console.log('# ' + String(detail).replace(/\n/g, '\n# '));
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
const page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 1000 } })).newPage();
const errors = [], elsewhere = [];
page.on('pageerror', (e) => errors.push(e.message));
page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) elsewhere.push(r.url()); });

/* The player's state; polled with evaluate (the page's CSP refuses waitForFunction). */
const player = () => page.evaluate(() => {
  const v = document.getElementById('load-video'), box = document.getElementById('load-player');
  return v && box ? { mode: box.dataset.mode, kind: box.dataset.player, rs: v.readyState, t: v.currentTime, paused: v.paused,
    w: v.videoWidth, err: v.error && v.error.message, msg: document.getElementById('load-video-msg').textContent } : null;
});
async function until(cond, ms) {
  let s = null;
  for (const end = Date.now() + ms; Date.now() < end;) {
    s = await player();
    if (s && cond(s)) return { done: true, s };
    await sleep(200);
  }
  return { done: false, s };
}
/* The capture time burned into the frame the <video> shows, or null. */
const frameStamp = () => page.evaluate(() => {
  const v = document.getElementById('load-video');
  const c = document.createElement('canvas');
  c.width = v.videoWidth;
  c.height = v.videoHeight;
  const g = c.getContext('2d');
  g.drawImage(v, 0, 0);
  const code = window.jsQR(g.getImageData(0, 0, c.width, c.height).data, c.width, c.height);
  return code ? { stamp: Number(code.data), now: Date.now() } : null;
});
async function readStamp() {
  for (let i = 0; i < 20; i++) {
    const r = await frameStamp();
    if (r && Number.isFinite(r.stamp)) return r;
    await sleep(150);
  }
  return null;
}

try {
  await page.goto(base + '/buyer', { waitUntil: 'load', timeout: 20000 });
  await page.fill('#name', buyer);
  await page.fill('#password', password);
  await page.click('#signin-go');
  const row = page.locator('table.loads tbody tr');
  await row.first().waitFor({ timeout: 15000 });
  const rows = await row.allTextContents();
  ok(rows.length === 1 && /Fresh Co/.test(rows[0]) && /BV1/.test(rows[0]), 'the Loads section lists the one load going to this buyer', rows.join(' | '));
  ok(await page.isVisible('table.loads .live-badge'), 'with a live badge while it is loaded');

  await page.click('button.watch-load[data-load="1"]');
  const live = await until((s) => s.mode === 'live' && s.rs >= 3 && !s.paused && s.t > 0.2 && s.w > 0, 30000);
  ok(live.done, 'the load plays live in the portal\'s <video> (currentTime advances)', JSON.stringify(live.s));
  ok(live.s && live.s.kind === 'hls.js', 'by the vendored hls.js, as the dashboard', JSON.stringify(live.s));
  await page.addScriptTag({ url: '/static/jsQR.js' });
  const l = await readStamp();
  ok(l && l.stamp >= openedMs - marginMs && l.now - l.stamp >= 0 && l.now - l.stamp < 6000,
    'the live frame\'s burned-in time: seconds old, within the load\'s window', JSON.stringify({ l, openedMs }));
  await page.screenshot({ path: join(outDir, 'buyer-load-live.png'), fullPage: true });

  /* The truck leaves: the operator closes the load. */
  const r = await fetch(base + '/api/v1/loads/1/close', { method: 'POST', headers: { Authorization: 'Bearer ' + opToken } });
  ok(r.ok, 'the operator closes load 1', r.status);
  const closedMs = Date.now();
  const rec = await until((s) => s.mode === 'recorded' && s.rs >= 3 && s.t > 0.5 && s.w > 0, 45000);
  ok(rec.done, 'the player turns to the recorded loading by itself and plays it (currentTime advances)', JSON.stringify(rec.s));
  ok(rec.s && rec.s.kind === 'mp4', 'the recording is an MP4 clip', JSON.stringify(rec.s));
  const t = await readStamp();
  ok(t && t.stamp >= openedMs - marginMs - 1100 && t.stamp <= closedMs + marginMs,
    'the recorded frame\'s burned-in time lies in the load\'s window', JSON.stringify({ t, openedMs, closedMs }));
  const sha = await page.textContent('#load-player code.sha');
  ok(/^[0-9a-f]{64}$/.test(sha || ''), 'the clip\'s SHA-256 is shown', sha);
  await page.locator('table.loads .departed').waitFor({ timeout: 10000 });
  ok(!(await page.isVisible('table.loads .live-badge')), 'the list says departed, no live badge');
  await page.screenshot({ path: join(outDir, 'buyer-load-recorded.png'), fullPage: true });

  const before = await player();
  await page.click('#lang');
  await page.locator('#loads-title', { hasText: '发往贵方的装车' }).waitFor({ timeout: 10000 });
  const after = await player();
  ok(before && after && after.mode === 'recorded' && after.t >= before.t && after.t > 0.5,
    'the language changes around the player, which keeps its place in the clip', JSON.stringify({ before, after }));
  const zh = await page.textContent('#loads');
  ok(['发往贵方的装车', '已于', '观看装车录像', '录像时段'].every((w) => zh.includes(w)), 'the Loads section in Chinese', zh.slice(0, 300));
  await page.screenshot({ path: join(outDir, 'buyer-load-zh.png'), fullPage: true });

  /* Buyer B: its load's camera is down; the station's reason is said and nothing plays. */
  const b = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 1000 } });
  const pb = await b.newPage();
  pb.on('pageerror', (e) => errors.push(e.message));
  await pb.goto(base + '/buyer', { waitUntil: 'load', timeout: 20000 });
  await pb.fill('#name', 'buyer-b');
  await pb.fill('#password', password);
  await pb.click('#signin-go');
  await pb.locator('button.watch-load[data-load="2"]').click({ timeout: 15000 });
  const down = pb.locator('#load-video-msg.bad');
  const said = await down.waitFor({ timeout: 20000 }).then(() => true, () => false);
  const text = said ? await down.textContent() : '';
  ok(said && /^No video: camera dock7 is (starting|reconnecting|stopped|failed)/.test(text) &&
     !(await pb.$eval('#load-video', (v) => !!v.getAttribute('src'))),
     'buyer B\'s load, its camera down: the station\'s reason is said, nothing plays', text);
  ok((await pb.locator('table.loads tbody tr').count()) === 1, 'buyer B lists its own load only');
  await b.close();
  ok(errors.length === 0, 'no script errors on the page', errors.join('\n'));
  ok(elsewhere.length === 0, 'nothing is fetched from anywhere but the station', elsewhere.join(' '));
} catch (e) {
  ok(false, 'the buyer video test ran to its end', e.stack);
}
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
