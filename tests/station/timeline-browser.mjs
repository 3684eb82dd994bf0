// timeline-browser.mjs: the dashboard's recordings timeline (station-timeline.js) in Debian's
// Chromium driven by playwright-core, in Asia/Shanghai, against a station that recorded a
// test camera, was stopped and started (timeline-setup.sh): the gap after the restart is on
// the bar with its reason, the loading of TL1 is marked with its load, the retention line is
// said; zoomed to 5 minutes, a click on a moment of a segment after the restart plays that
// segment within 1 s of the click (time from pointerdown to the video's "playing"), in its
// first masked piece, its currentTime advances, the frame shown carries the capture time
// (burned in as a QR code) of the moment the player says it shows, in that piece and in the
// second, and playing goes across the segment boundary into the next one;
// a range typed in local time is exported and the SHA-256 shown is that of the file its link
// serves.  Screenshot: OUT_DIR/timeline.png.  Prints TAP.
// argv: BASE_URL OPERATOR PASSWORD OUT_DIR STATION_DB RESTART_NS
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, opName, opPassword, outDir, stationDb, restartNs] = process.argv.slice(2);

let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} ${name}`);
  if (!cond && detail !== undefined) console.log('# ' + String(detail).replace(/\n/g, '\n# '));
}
async function step(name, fn) {
  try { const r = await fn(); ok(r === true, name, r); } catch (e) { ok(false, name, e.message); }
}
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', stationDb, q]).toString().trim();
const ZONE = 'Asia/Shanghai';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/* Polls @fn(@arg) in the page until it is true, for @ms at most (waitForFunction evaluates a
 * string, which the page's CSP rightly refuses). */
async function until(fn, arg, ms) {
  const end = Date.now() + ms;
  for (;;) {
    if (await page.evaluate(fn, arg)) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
function clock(ms) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 }, timezoneId: ZONE });
const page = await context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
await page.goto(base + '/station');
await page.fill('#name', opName);
await page.fill('#password', opPassword);
await page.click('#login button[type=submit]');

const gap = page.locator('#tl-bar svg.timeline rect.tl-gap[data-reason="station stopped"]');
await step('the bar shows the gap after the restart, "station stopped"', async () =>
  gap.waitFor({ timeout: 15000 }).then(() => true, () => (page.textContent('#timeline'))));
const gapFrom = Number(sql(`SELECT from_ns / 1000000 FROM gaps WHERE reason = 'station stopped'`));
const gapTo = Number(sql(`SELECT to_ns / 1000000 FROM gaps WHERE reason = 'station stopped'`));
await step('its title gives the reason and the local times', async () => {
  const title = await gap.locator('title').textContent();
  return title === `not recorded ${clock(gapFrom)} – ${clock(gapTo)}: station stopped` || title;
});
await step('the section is titled in the reader\'s language', async () => {
  const t = await page.textContent('#timeline-title');
  return t === 'Recordings' || t;
});
await step('two recorded spans around it', async () => {
  const c = await page.locator('#tl-bar rect.tl-span').count();
  return c === 2 || `${c} spans`;
});
await step('the loading of TL1 is marked with its load', async () => {
  const t = await page.locator('#tl-bar path.tl-loading title').allTextContents();
  return (t.length === 1 && /loading · lot TL1 · load 1$/.test(t[0])) || JSON.stringify(t);
});
await step('the inspecting event of TL2 is marked', async () => {
  const t = await page.locator('#tl-bar path.tl-inspecting title').allTextContents();
  return (t.length === 1 && /inspecting · lot TL2$/.test(t[0])) || JSON.stringify(t);
});
await step('the retention line says what is kept how long', async () => {
  const t = await page.textContent('#tl-retention');
  return (/^Recordings of this camera are kept [0-9.]+ days so far \(oldest \d{4}-\d\d-\d\d \d\d:\d\d\), within the disk; evidence clips are kept 730 days\.$/.test(t)) || t;
});

await step('the privacy line says the camera is masked, the recordings not', async () => {
  const t = await page.textContent('#tl-privacy');
  return t === 'Privacy mask: 2 rectangle(s) blurred in the live view, clips and thumbnails; the recordings themselves are kept unmasked.' || t;
});

/* ---- zoom in, click a moment of a segment after the restart ---- */
await page.selectOption('#tl-zoom', '300000');
const segs = sql(`SELECT id || ' ' || (start_ns / 1000000) || ' ' || (end_ns / 1000000) FROM segments WHERE state = 'closed' AND start_ns > ${restartNs} ORDER BY start_ns LIMIT 3`)
  .split('\n').map((l) => l.split(' ').map(Number));
const [segId, segStart, segEnd] = segs[1];
const nextId = segs[2][0];
const target = segStart + 500; // in the segment's first piece: dock1 is masked, played by 2 s pieces
await page.locator('#timeline').scrollIntoViewIfNeeded();
const svgBox = await page.locator('#tl-bar svg.timeline').boundingBox();
const view = await page.locator('#tl-bar svg.timeline').evaluate((s) => [Date.parse(s.dataset.viewFrom), Date.parse(s.dataset.viewTo)]);
await step('zoomed to 5 minutes around the recording', async () =>
  (view[1] - view[0] === 300000 && target > view[0] && target < view[1]) || JSON.stringify(view));
await page.evaluate(() => {
  const v = document.getElementById('tl-video');
  window.__seek = { down: 0, playing: 0 };
  document.addEventListener('pointerdown', () => { window.__seek.down = performance.now(); window.__seek.playing = 0; }, true);
  // Where it starts and 250 ms later, taken at the event: a 1 s segment on a loaded box may
  // have played to its end before the page is asked again.
  v.addEventListener('playing', () => {
    if (window.__seek.playing) return;
    window.__seek.playing = performance.now();
    window.__seek.t0 = v.currentTime;
    setTimeout(() => { window.__seek.t1 = v.currentTime; window.__seek.seg1 = v.dataset.segment; }, 250);
  });
});
const x = svgBox.x + (target - view[0]) / (view[1] - view[0]) * svgBox.width;
const y = svgBox.y + svgBox.height * (18 + 14) / 66;
await page.mouse.click(x, y);
const played = await until(() => window.__seek.playing > 0, null, 5000);
const seek = await page.evaluate(() => window.__seek.playing - window.__seek.down);
await step(`a click on ${clock(target)} plays within 1 s: ${Math.round(seek)} ms from the click to "playing"`, async () =>
  (played && seek > 0 && seek < 1000) || `played ${played}, ${seek} ms`);
await step(`... segment ${segId}, the one holding that moment`, async () => {
  const id = await page.getAttribute('#tl-video', 'data-segment');
  return id === String(segId) || `segment ${id}`;
});
await until(() => window.__seek.t1 !== undefined, null, 3000);
const [t0, t1, seg1] = await page.evaluate(() => [window.__seek.t0, window.__seek.t1, window.__seek.seg1]);
await step(`... from the offset of that moment (${t0.toFixed(2)} s into the segment), and time advances (${(t1 ?? NaN).toFixed(2)} s)`, async () =>
  (t0 > 0.2 && t0 < 0.9 && t1 > t0 && seg1 === String(segId)) || `${t0} -> ${t1} in segment ${seg1}`);
/* The frame on screen: the capture time burned into it (QR, top left) against the moment
 * the player says it shows, its piece's start plus the frame's own media time as the browser
 * presents it (requestVideoFrameCallback: currentTime runs ahead of a frame painted late on
 * a loaded box).  Runs here read the same millisecond: within half a frame (50 ms). */
await page.addScriptTag({ url: '/static/jsQR.js' });
async function frameShown() {
  for (let i = 0; i < 10; i++) {
    const r = await page.evaluate(() => new Promise((resolve) => {
      const v = document.getElementById('tl-video');
      const timer = setTimeout(() => resolve(null), 2000);
      v.requestVideoFrameCallback((now, meta) => {
        clearTimeout(timer);
        const c = document.createElement('canvas');
        c.width = v.videoWidth;
        c.height = v.videoHeight;
        const g = c.getContext('2d');
        g.drawImage(v, 0, 0);
        const code = window.jsQR(g.getImageData(0, 0, c.width, c.height).data, c.width, c.height);
        resolve({ stamp: code ? Number(code.data) : null, t: meta.mediaTime, seg: v.dataset.segment, piece: v.dataset.piece });
      });
    }));
    if (r && Number.isFinite(r.stamp)) {
      const start = Number(sql(`SELECT start_ns / 1000000 FROM segments WHERE id = ${Number(r.seg)}`));
      r.said = start + Number(r.piece) * 2000 + Math.round(r.t * 1000);
      return r;
    }
    await sleep(100);
  }
  return null;
}
const first = await frameShown();
await step(`... the frame shown was taken at the moment the player says (burned-in ${first && first.stamp}, said ${first && first.said})`, async () =>
  (first && first.seg === String(segId) && first.piece === '0' && Math.abs(first.stamp - first.said) <= 50 &&
    first.stamp >= target - 150) || JSON.stringify(first));
await step('... its first piece, masked by the station at the click', async () =>
  (await page.getAttribute('#tl-video', 'data-piece')) === '0' || 'piece ' + await page.getAttribute('#tl-video', 'data-piece'));
await step('playing goes on into the segment\'s second piece, cut where the first ends', async () => {
  const on = await until((id) => { const v = document.getElementById('tl-video'); return v.dataset.segment === String(id) && v.dataset.piece === '1'; }, segId, 4000);
  if (!on) return 'on ' + await page.evaluate(() => { const v = document.getElementById('tl-video'); return `${v.dataset.segment} piece ${v.dataset.piece}`; });
  const src = await page.getAttribute('#tl-video', 'src');
  return src === `/api/v1/timeline/segments/${segId}/pieces/1` || src;
});
await until(() => document.getElementById('tl-video').currentTime > 0.3, null, 3000);
const second = await frameShown();
await step(`... whose frame was taken where the first piece ended (burned-in ${second && second.stamp}, said ${second && second.said})`, async () =>
  (second && second.piece === '1' && Math.abs(second.stamp - second.said) <= 50) || JSON.stringify(second));
await step(`playing crosses into the next segment (${nextId}) and goes on`, async () => {
  const crossed = await until((id) => document.getElementById('tl-video').dataset.segment === String(id), nextId, 5000);
  if (!crossed) return 'still on ' + await page.getAttribute('#tl-video', 'data-segment');
  return (await until(() => { const v = document.getElementById('tl-video'); return !v.paused && v.currentTime > 0.2; }, null, 3000)) ||
    'not playing on: ' + await page.evaluate(() => { const v = document.getElementById('tl-video'); return `${v.paused} ${v.currentTime} ${v.error && v.error.message}`; });
});
await step('the status line says what plays, in local time', async () => {
  // The page reads the moment off the pointer's x: within half a pixel of the target, a
  // pixel being (view / width) ms (about 300 at this zoom), which may cross a second.
  const px = (view[1] - view[0]) / svgBox.width;
  const t = await page.textContent('#tl-msg');
  return [target - px / 2, target, target + px / 2].some((ms) => t === `Playing dock1 from ${clock(ms)}`) || t;
});

/* ---- export a range: dragged on the bar, then typed to the second ---- */
const dragFrom = segStart - 20000, dragTo = segStart - 5000;
const xAt = (ms) => svgBox.x + (ms - view[0]) / (view[1] - view[0]) * svgBox.width;
await page.mouse.move(xAt(dragFrom), y);
await page.mouse.down();
await page.mouse.move(xAt(dragTo), y, { steps: 5 });
await page.mouse.up();
await step('a drag on the bar selects that range into the export form (local times, to a pixel)', async () => {
  const [f, t] = [await page.inputValue('#tl-export input[name=from]'), await page.inputValue('#tl-export input[name=to]')];
  const secs = (hms) => hms.split(':').reduce((a, v) => a * 60 + Number(v), 0);
  const px = (view[1] - view[0]) / svgBox.width / 1000 + 1;
  const near = (got, ms) => Math.abs(secs(got) - secs(clock(ms))) <= px;
  return (near(f, dragFrom) && near(t, dragTo) && await page.locator('#tl-bar rect.tl-sel').count() === 1) || `${f} – ${t}`;
});
const exFrom = segStart, exTo = segStart + 2000;
await page.fill('#tl-export input[name=from]', clock(exFrom));
await page.fill('#tl-export input[name=to]', clock(exTo + 1000));
await page.click('#tl-export button[type=submit]');
await step('a range exported shows its SHA-256 and a download link', async () =>
  page.locator('#tl-sha256').waitFor({ timeout: 15000 }).then(() => true, async () => page.textContent('#tl-export-msg')));
const shown = (await page.textContent('#tl-sha256').catch(() => '')).trim();
await step('the SHA-256 shown is that of the file the link serves', async () => {
  const got = await page.evaluate(async () => {
    const r = await fetch(document.getElementById('tl-download').getAttribute('href'));
    const b = await r.arrayBuffer();
    return [...new Uint8Array(await crypto.subtle.digest('SHA-256', b))].map((x) => x.toString(16).padStart(2, '0')).join('');
  });
  return (/^[0-9a-f]{64}$/.test(shown) && got === shown) || `${shown} vs ${got}`;
});
await page.locator('#timeline').screenshot({ path: join(outDir, 'timeline.png') });
await page.click('#lang');
await step('in Chinese: the title, the retention line and the gap\'s reason line', async () => {
  const [title, kept, gapTitle] = [await page.textContent('#timeline-title'), await page.textContent('#tl-retention'),
    await page.locator('#tl-bar rect.tl-gap[data-reason="station stopped"] title').textContent()];
  return (title === '录像回放' && /^此摄像头的录像目前保留 .*限于磁盘容量；证据片段保留 730 天。$/.test(kept) && gapTitle.startsWith('未录像 ')) ||
    `${title} | ${kept} | ${gapTitle}`;
});
await step('no script errors', async () => pageErrors.length === 0 || pageErrors.join('\n'));
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
