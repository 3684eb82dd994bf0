// driver-browser.mjs: the driver's page in Debian's Chromium (driven by playwright-core), in
// one language (PT_LANG en or zh, the browser's locale): the login link (token kept, taken out
// of the address bar), a load chosen from the trucks loading now and joined with the seal
// (a wrong seal refused in the page's language, the plate typed without its dot), a lot typed
// as printed and GTIN + lot typed, scans injected through window.ptDriver.scanned (every
// reader's entry), a held batch refused in the page's language from the station's code, the
// GS1-128 of a rendered case label and a GS1 DataMatrix (bwip-js) read by the live camera
// (Chromium's fake camera, showing one then the other) and held
// in view without repeated lines, the camera banner clearing once the camera works, a label
// photo decoded in the page, an offline scan and an offline photo kept over an offline reload
// and sent when the connection returns, a reload and an offline reload (service worker)
// keeping the truck's list, a new login link replacing the session in the tab, screenshots
// and axe-core.  Prints TAP lines
// numbered on from the count in PT_COUNT, and writes the new count back.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const E = process.env;
const base = E.PT_BASE, lang = E.PT_LANG, zh = lang === 'zh', token = E.PT_TOKEN;
const sfx = '-' + lang;

let n = +readFileSync(E.PT_COUNT, 'utf8'), failed = 0;
function ok(cond, name, detail) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} ${lang}: ${name}`);
  if (!cond && detail) console.log('# ' + String(detail).replace(/\n/g, '\n# '));
}
async function step(name, fn) {
  try {
    const r = await fn();
    ok(r === true, name, r === true ? '' : r);
  } catch (e) { ok(false, name, e.message); }
}
async function fromStation(path) {
  const r = await fetch(base + path, { headers: { Authorization: 'Bearer ' + E.PT_OPTOKEN } });
  return r.json();
}
const T = (en, cn) => (zh ? cn : en);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    '--use-file-for-fake-video-capture=' + E.PT_CAMERA],
  timeout: 60000,
});
const viewport = { width: 390, height: 844 };
const context = await browser.newContext({ locale: zh ? 'zh-CN' : 'en-US', viewport,
  permissions: ['camera'] });
const page = await context.newPage();
const offsite = [];
page.on('request', (r) => { if (!r.url().startsWith(base)) offsite.push(r.url()); });
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(m.text()); });

const lines = (lot) => page.locator('#results li', { hasText: lot });
const tick = (lot) => page.locator('#results li.ok', { hasText: lot }).first().waitFor({ timeout: 15000 });

await page.goto(`${base}/driver#t=${token}`, { waitUntil: 'load', timeout: 20000 });
await step('the token is taken out of the address bar', async () => !page.url().includes(token));
await step('and kept in localStorage', async () =>
  (await page.evaluate(() => localStorage.getItem('pt-driver-token'))) === token);
await step('the page opens in the browser\'s language', async () =>
  (await page.textContent('#open-load h1')) === T('Open or join a load', '开始或加入装车'));

/* ---- joining a load chosen from the trucks loading now ---- */
const choice = page.locator('#open-loads button', { hasText: E.PT_PLATE });
await step('the trucks loading now are offered, by plate', async () => {
  await choice.waitFor({ timeout: 10000 });
  return true;
});
await step('the list names no seal', async () => !(await page.textContent('#open-loads')).includes('GX-'));
await choice.click();
await step('choosing one fills the plate and asks for the seal', async () =>
  (await page.inputValue('input[name=plate]')) === E.PT_PLATE &&
  (await page.textContent('#banner')).includes(T('type the seal number', '请输入封条号')));
await page.fill('input[name=seal]', 'WRONG-1');
await page.click('#load-form button[type=submit]');
await step('a wrong seal is refused in the page\'s language', async () => {
  await page.locator('#banner', { hasText: T('seal number is not the one', '封条号与该车装车单不符') }).waitFor({ timeout: 10000 });
  const text = await page.textContent('#banner');
  return (!zh || !/[a-z]{3}/.test(text)) || text;
});
await page.fill('input[name=plate]', E.PT_TYPED_PLATE);
await page.fill('input[name=seal]', E.PT_SEAL);
await page.click('#load-form button[type=submit]');
await step(`the plate typed as "${E.PT_TYPED_PLATE}" joins the load of ${E.PT_PLATE}`, async () => {
  await page.waitForSelector('#loaded:not([hidden])', { timeout: 10000 });
  return (await page.textContent('#load-plate')) === E.PT_PLATE || await page.textContent('#load-plate');
});
const loadId = +(await page.textContent('#load-id'));

/* ---- what the driver types ---- */
await page.fill('#manual input', 'TYPED' + sfx);
await page.click('#manual button');
await step('the lot typed as printed is loaded', async () => { await tick('TYPED' + sfx); return true; });
await page.fill('#manual input', `${E.PT_GTIN} GTINLOT${sfx}`);
await page.click('#manual button');
await step('GTIN and lot typed are loaded', async () => { await tick('GTINLOT' + sfx); return true; });
await page.fill('#manual input', 'no such label!');
await page.click('#manual button');
await step('text that is no label is refused in the page\'s language', async () => {
  const li = page.locator('#results li.bad', { hasText: T('not a label', '不是标签') });
  await li.waitFor({ timeout: 10000 });
  return true;
});

/* ---- scans ---- */
await page.evaluate((p) => window.ptDriver.scanned(p), E.PT_LINK + 'OK1' + sfx);
await step('an injected scan shows a tick', async () => { await tick('OK1' + sfx); return true; });

await page.evaluate((p) => window.ptDriver.scanned(p), E.PT_LINK + 'HELD1' + sfx);
await step('a held batch is refused with the reason, in the page\'s language', async () => {
  const li = page.locator('#results li.bad', { hasText: 'HELD1' + sfx });
  await li.waitFor({ timeout: 10000 });
  const text = await li.textContent();
  const want = T(`✗ refused: HELD1${sfx} is held: residue check`, `✗ 拒绝：HELD1${sfx} 已暂扣：residue check`);
  return text === want || text;
});

await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
await context.setOffline(true);
await page.evaluate((p) => window.ptDriver.scanned(p), E.PT_LINK + 'OK2' + sfx);
await step('offline: the scan is queued and shown as queued (1)', async () => {
  await page.locator('#queue', { hasText: T('queued (1)', '待发送（1）') }).waitFor({ timeout: 5000 });
  return (await page.locator('#results li.queued').count()) === 1;
});
await step('the queued scan is kept in localStorage', async () =>
  (await page.evaluate(() => JSON.parse(localStorage.getItem('pt-driver-queue')).length)) === 1);

/* An offline photo waits in IndexedDB. */
await page.setInputFiles('#photo-plate', E.PT_PHOTO);
await step('offline: the plate photo waits to be sent', async () => {
  await page.locator('#photo-msg', { hasText: T('1 photo(s) waiting', '1 张照片等待发送') }).waitFor({ timeout: 10000 });
  return (await fromStation(`/api/v1/loads/${loadId}`)).photos === 0 || 'the station has a photo';
});
let reloaded = true;
try { await page.reload({ waitUntil: 'load', timeout: 15000 }); } catch (e) { reloaded = e.message; }
await step('offline, after a reload: the scan and the photo still wait', async () => {
  if (reloaded !== true) return reloaded;
  await page.locator('#photo-msg', { hasText: T('1 photo(s) waiting', '1 张照片等待发送') }).waitFor({ timeout: 10000 });
  return (await page.textContent('#queue')) === T('queued (1)', '待发送（1）') || await page.textContent('#queue');
});
await context.setOffline(false);
await step('back online: the queued scan is sent and ticked', async () => { await tick('OK2' + sfx); return true; });
await step('the queue is empty', async () =>
  (await page.evaluate(() => window.ptDriver.queued())) === 0 &&
  (await page.textContent('#queue')) === T('all sent', '已全部发送'));
await step('back online: the photo is sent and stored', async () => {
  await page.locator('#photo-msg', { hasText: T('Photo of the plate stored', '车牌照片已保存') }).waitFor({ timeout: 15000 });
  const load = await fromStation(`/api/v1/loads/${loadId}`);
  return load.photos === 1 || JSON.stringify(load.photos);
});
await step('the station has OK2 on the load once', async () => {
  const load = await fromStation(`/api/v1/loads/${loadId}`);
  return load.batches.filter((b) => b.lot === 'OK2' + sfx).length === 1 || JSON.stringify(load.batches);
});

/* ---- the camera ---- */
const realGUM = 'window.__gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices)';
await page.evaluate(realGUM);
await page.evaluate(() => { navigator.mediaDevices.getUserMedia = () => Promise.reject(new Error('NotReadableError')); });
await page.click('#camera');
await step('a camera that fails shows the banner', async () => {
  await page.locator('#banner:not([hidden])', { hasText: T('No camera here', '无法使用相机') }).waitFor({ timeout: 5000 });
  return true;
});
await page.evaluate(() => { navigator.mediaDevices.getUserMedia = window.__gum; });
await page.click('#camera');
await step('the banner clears when the camera works', async () => {
  await page.locator('#video:not([hidden])').waitFor({ timeout: 10000 });
  await page.locator('#banner').waitFor({ state: 'hidden', timeout: 5000 });
  return true;
});
await step('the GS1-128 of the case label is read by the live camera and loaded', async () => {
  await tick('CASE' + sfx);
  return true;
});
await page.waitForTimeout(7000);
await step('the label kept in view for 7 s adds no "already on this load" line', async () =>
  (await lines('CASE' + sfx).count()) === 1 || await page.textContent('#results'));
if (E.PT_DATAMATRIX) {
  /* The camera shows it from 25 s after it started, once the case label's hold is over. */
  await step('a GS1 DataMatrix is read by the live camera and its batch loaded', async () => {
    await page.locator('#results li.ok', { hasText: 'DM' + sfx }).first().waitFor({ timeout: 45000 });
    const load = await fromStation(`/api/v1/loads/${loadId}`);
    return load.batches.filter((b) => b.lot === 'DM' + sfx).length === 1 || JSON.stringify(load.batches);
  });
} else {
  console.log(`ok ${++n} ${lang}: # SKIP bwip-js could not be installed: no DataMatrix to show the camera`);
}
await page.click('#camera');
await step('the camera stops', async () => (await page.locator('#video').isHidden()));
const decoder = await page.evaluate(() => ('BarcodeDetector' in window ? 'BarcodeDetector' : 'jsQR and zxing'));
console.log(`# labels decoded with ${decoder}`);

await page.setInputFiles('#still', E.PT_LABEL);
await step('a photo of a label is decoded in the page and loaded', async () => { await tick('OK3' + sfx); return true; });

/* ---- the truck's list and the answers survive reloads, also with no signal ---- */
const wantLots = ['TYPED', 'GTINLOT', 'OK1', 'OK2', 'CASE', 'OK3'].concat(E.PT_DATAMATRIX ? ['DM'] : [])
  .map((l) => l + sfx).sort();
const truckLots = async () => (await page.locator('#truck li').allTextContents()).sort();
await step('the truck\'s list has every batch scanned', async () =>
  JSON.stringify(await truckLots()) === JSON.stringify(wantLots) || (await truckLots()).join());
await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
await page.reload({ waitUntil: 'load' });
await step('after a reload: the truck\'s list and the answers are kept', async () => {
  await page.locator('#truck li', { hasText: 'CASE' + sfx }).waitFor({ timeout: 10000 });
  return JSON.stringify(await truckLots()) === JSON.stringify(wantLots) &&
    (await lines('HELD1' + sfx).count()) === 1;
});
await step('the service worker controls the page', async () =>
  page.evaluate(() => !!navigator.serviceWorker.controller));
await context.setOffline(true);
let offlineOpened = true;
try {
  await page.reload({ waitUntil: 'load', timeout: 15000 });
} catch (e) { offlineOpened = e.message; }
await step('an offline reload opens the page from the service worker', async () => {
  if (offlineOpened !== true) return offlineOpened;
  const plate = await page.locator('#load-plate').textContent();
  return plate === E.PT_PLATE || 'plate: ' + plate;
});
await step('... with the truck\'s list', async () =>
  JSON.stringify(await truckLots()) === JSON.stringify(wantLots) || (await truckLots()).join());
await page.evaluate((p) => window.ptDriver.scanned(p), 'OK2' + sfx);
await step('... and a scan made there waits to be sent', async () =>
  (await page.locator('#queue').textContent()) === T('queued (1)', '待发送（1）'));
await context.setOffline(false);
await step('... and is sent when the connection returns ("already")', async () => {
  await page.locator('#results li.ok', { hasText: T('was already on this load', '已在此装车单上') })
    .filter({ hasText: 'OK2' + sfx }).first().waitFor({ timeout: 15000 });
  return true;
});

await page.screenshot({ path: join(E.PT_OUT, `web-driver-${lang}.png`), fullPage: true });
await step('no English from the station in the page', async () => {
  const text = await page.textContent('main');
  const english = ['cannot be loaded', 'is no batch', 'not a GS1', 'another seal', 'ask the operator for'];
  const found = english.filter((w) => text.includes(w));
  return found.length === 0 || found.join();
});
if (zh) {
  await step('the Chinese page has no English words but lots and data', async () => {
    const text = (await page.textContent('main')).replace(/[A-Z0-9]+[-A-Za-z0-9]*-zh/g, '')
      .replace(/residue check|packtrace/g, '');
    const words = text.match(/[A-Za-z]{3,}/g) || [];
    return words.length === 0 || words.join(' ');
  });
}

/* ---- a new login link in the same tab replaces the session ---- */
await page.goto(`${base}/driver#t=${E.PT_TOKEN2}`, { waitUntil: 'load', timeout: 20000 });
await step('a new login link: the other driver is signed in', async () => {
  await page.locator('#who', { hasText: E.PT_NAME2 }).waitFor({ timeout: 10000 });
  return (await page.evaluate(() => localStorage.getItem('pt-driver-token'))) === E.PT_TOKEN2;
});
await step('... with no load and no answers of the old session', async () =>
  (await page.locator('#open-load').isVisible()) && (await page.locator('#loaded').isHidden()) &&
  (await page.locator('#results li').count()) === 0);
await page.screenshot({ path: join(E.PT_OUT, `web-driver-join-${lang}.png`), fullPage: true });

await step('nothing fetched off the station', async () => offsite.length === 0 || offsite.join());
await step('no script errors', async () => pageErrors.length === 0 || pageErrors.join('\n'));
{
  const load = await fromStation(`/api/v1/loads/${loadId}`);
  ok(load.batches.length === wantLots.length && load.photos === 1,
    `the station: ${wantLots.length} batches and one photo on the load`, JSON.stringify(load));
}

/* ---- axe-core, in a context that may inject it (the page's CSP forbids that) ---- */
if (E.PT_AXE) {
  const axe = readFileSync(E.PT_AXE, 'utf8');
  const ctx = await browser.newContext({ locale: zh ? 'zh-CN' : 'en-US', viewport, bypassCSP: true });
  const p = await ctx.newPage();
  await p.goto(`${base}/driver#t=${token}`, { waitUntil: 'load', timeout: 20000 });
  await p.locator('#open-loads button').first().waitFor({ timeout: 10000 });
  const run = async (what) => {
    await p.evaluate(axe);
    const r = await p.evaluate(async () => {
      const res = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] });
      return res.violations.map((v) => v.id + ' (' + v.nodes.length + '): ' + v.nodes.slice(0, 3).map((x) => x.target.join(' ')).join(', '));
    });
    ok(r.length === 0, `axe-core, ${what} (WCAG 2 A/AA): no violation`, r.join('\n'));
  };
  await run('choosing a load');
  await p.fill('input[name=plate]', E.PT_PLATE);
  await p.fill('input[name=seal]', E.PT_SEAL);
  await p.click('#load-form button[type=submit]');
  await p.locator('#truck li', { hasText: 'CASE' + sfx }).waitFor({ timeout: 10000 });
  await p.evaluate((x) => window.ptDriver.scanned(x), E.PT_LINK + 'HELD1' + sfx);
  await p.locator('#results li.bad').waitFor({ timeout: 10000 });
  await run('a load with answers');
  await ctx.close();
} else {
  console.log(`ok ${++n} # SKIP axe-core could not be installed`);
}

await context.close();
await browser.close();
writeFileSync(E.PT_COUNT, String(n));
process.exit(failed ? 1 : 0);
