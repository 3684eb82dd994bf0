// hub-video-browser.mjs: a buyer at an office watches the loading of their load on the co-op
// hub's page (/loads), the station behind NAT relaying through the hub, in Debian's Chromium
// (driven by playwright-core): the token, the list of loads from every shed, the live video
// played in the page's <video> by the vendored hls.js from the hub's relay, then the operator
// closes the load at the shed and the same player turns to the recorded window by itself (an
// MP4 relayed in chunks, played with its capability URL).  The dock's test camera burns each
// frame's capture time (UTC ms) in as a QR code: the played frame is read back (jsQR in node
// from the canvas's pixels), so the test knows which moment it is shown.  Then Chinese, and
// another buyer who sees no load.  Prints TAP.
// argv: HUB_URL STATION_URL TOKEN_A TOKEN_B OPERATOR_TOKEN OPENED_MS OUT_DIR
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const jsQR = createRequire(import.meta.url)(process.env.PACKTRACE_SOURCE + '/web-ui/vendor/jsQR.js');
const [hub, station, tokenA, tokenB, opToken, openedArg, outDir] = process.argv.slice(2);
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
page.on('request', (r) => { if (!r.url().startsWith(hub) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) elsewhere.push(r.url()); });

/* The player's state; polled with evaluate (the page's CSP refuses waitForFunction). */
const player = () => page.evaluate(() => {
  const v = document.getElementById('load-video'), box = document.getElementById('load-player');
  return v && box ? { mode: box.dataset.mode, kind: box.dataset.player, rs: v.readyState, t: v.currentTime, paused: v.paused,
    w: v.videoWidth, src: v.currentSrc, err: v.error && v.error.message, msg: document.getElementById('load-video-msg').textContent } : null;
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
async function frameStamp() {
  const f = await page.evaluate(() => {
    const v = document.getElementById('load-video');
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    const g = c.getContext('2d');
    g.drawImage(v, 0, 0);
    return { w: c.width, h: c.height, px: Array.from(g.getImageData(0, 0, c.width, c.height).data), now: Date.now() };
  });
  const code = f.w ? jsQR(Uint8ClampedArray.from(f.px), f.w, f.h) : null;
  return code ? { stamp: Number(code.data), now: f.now } : null;
}
async function readStamp() {
  for (let i = 0; i < 20; i++) {
    const r = await frameStamp();
    if (r && Number.isFinite(r.stamp)) return r;
    await sleep(150);
  }
  return null;
}

try {
  await page.goto(hub + '/loads', { waitUntil: 'load', timeout: 20000 });
  ok(await page.isVisible('#signin'), 'the hub\'s loads page asks for a buyer token');
  await page.fill('#token', tokenA);
  await page.click('#signin-go');
  const row = page.locator('table.loads tbody tr');
  await row.first().waitFor({ timeout: 20000 });
  const rows = await row.allTextContents();
  ok(rows.length === 1 && /Shed V #1/.test(rows[0]) && /Fresh Co/.test(rows[0]) && /HV1/.test(rows[0]),
    'the hub lists the one load going to this buyer, named by its shed', rows.join(' | '));
  ok(await page.isVisible('table.loads .live-badge'), 'with a live badge while it is loaded');

  await page.locator('button.watch-load').first().click();
  const live = await until((s) => s.mode === 'live' && s.rs >= 3 && !s.paused && s.t > 0.2 && s.w > 0, 45000);
  ok(live.done, 'the load plays live through the hub in the page\'s <video> (currentTime advances)', JSON.stringify(live.s));
  ok(live.s && live.s.kind === 'hls.js', 'by the vendored hls.js, served by the hub', JSON.stringify(live.s));
  const l = await readStamp();
  ok(l && l.stamp >= openedMs - marginMs && l.now - l.stamp >= 0 && l.now - l.stamp < 12000,
    `the live frame's burned-in time: within the load's window, ${l ? l.now - l.stamp : '?'} ms old through the relay`,
    JSON.stringify({ l, openedMs }));
  await page.screenshot({ path: join(outDir, 'hub-load-live.png'), fullPage: true });

  /* The truck leaves: the operator closes the load at the shed. */
  const r = await fetch(station + '/api/v1/loads/1/close', { method: 'POST', headers: { Authorization: 'Bearer ' + opToken } });
  ok(r.ok, 'the operator closes load 1 at the shed', r.status);
  const closedMs = Date.now();
  const rec = await until((s) => s.mode === 'recorded' && s.rs >= 3 && s.t > 0.5 && s.w > 0, 90000);
  ok(rec.done, 'the player turns to the recorded loading by itself and plays it from the hub', JSON.stringify(rec.s));
  ok(rec.s && rec.s.kind === 'mp4' && /\/recorded\/1\.mp4\?cap=/.test(rec.s.src || ''),
    'the recording is the MP4 the hub relayed, played by its capability URL', JSON.stringify(rec.s));
  const t = await readStamp();
  ok(t && t.stamp >= openedMs - marginMs - 1100 && t.stamp <= closedMs + marginMs,
    'the recorded frame\'s burned-in time lies in the load\'s window', JSON.stringify({ t, openedMs, closedMs }));
  const sha = await page.textContent('#load-player code.sha');
  ok(/^[0-9a-f]{64}$/.test(sha || ''), 'the clip\'s SHA-256 is shown', sha);
  await page.screenshot({ path: join(outDir, 'hub-load-recorded.png'), fullPage: true });

  await page.click('#lang');
  await page.locator('#loads-title', { hasText: '发往贵方的装车' }).waitFor({ timeout: 10000 });
  const zh = await page.textContent('body');
  ok(['观看贵方货物的装车过程', '发往贵方的装车', '合作社'].every((w) => zh.includes(w)), 'the page in Chinese', zh.slice(0, 300));
  const after = await player();
  ok(after && after.mode === 'recorded' && after.t > 0.5, 'the player keeps playing across the language switch', JSON.stringify(after));
  await page.screenshot({ path: join(outDir, 'hub-load-zh.png'), fullPage: true });

  /* Buyer B: no load goes to them; a wrong token is refused. */
  const b = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
  const pb = await b.newPage();
  pb.on('pageerror', (e) => errors.push(e.message));
  await pb.goto(hub + '/loads', { waitUntil: 'load', timeout: 20000 });
  await pb.fill('#token', 'f'.repeat(64));
  await pb.click('#signin-go');
  await pb.locator('#state', { hasText: 'does not know this token' }).waitFor({ timeout: 10000 });
  ok(await pb.isVisible('#signin'), 'a token the hub does not know is refused, the form stays');
  await pb.fill('#token', tokenB);
  await pb.click('#signin-go');
  await pb.locator('#loads-list p', { hasText: 'No load is going to you yet.' }).waitFor({ timeout: 15000 });
  ok((await pb.locator('table.loads').count()) === 0, 'buyer B (another GLN) sees no load');
  await pb.screenshot({ path: join(outDir, 'hub-loads-other-buyer-phone.png'), fullPage: true });
  await b.close();
  ok(errors.length === 0, 'no script errors on the page', errors.join('\n'));
  ok(elsewhere.length === 0, 'nothing is fetched from anywhere but the hub (never the shed)', elsewhere.join(' '));
} catch (e) {
  ok(false, 'the hub video test ran to its end', e.stack);
}
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
