// driver-browser.mjs: the driver's page in Debian's Chromium (driven by playwright-core): the
// login link (token kept, taken out of the address bar), a load opened, a scan injected as a
// decoded payload through window.ptDriver.scanned (the camera's own entry), a scan made
// offline and replayed once when the connection returns, a refusal for a held batch, a label
// photo decoded in the page, and the Chinese texts.  Prints TAP.
// argv: BASE_URL DRIVER_TOKEN LINK_PREFIX LABEL_PNG OUT_DIR OPERATOR_TOKEN
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, token, linkPrefix, labelPng, outDir, opToken] = process.argv.slice(2);

let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} ${name}`);
  if (!cond && detail) console.log('# ' + String(detail).replace(/\n/g, '\n# '));
}
async function step(name, fn) {
  try { ok(await fn(), name); } catch (e) { ok(false, name, e.message); }
}
async function loadFromStation(id) {
  const r = await fetch(`${base}/api/v1/loads/${id}`, { headers: { Authorization: 'Bearer ' + opToken } });
  return r.json();
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
const context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
const page = await context.newPage();
const offsite = [];
page.on('request', (r) => { if (!r.url().startsWith(base)) offsite.push(r.url()); });
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(e.message));

await page.goto(`${base}/driver#t=${token}`, { waitUntil: 'load', timeout: 20000 });
await step('the token is taken out of the address bar', async () => !page.url().includes(token));
await step('and kept in localStorage', async () =>
  (await page.evaluate(() => localStorage.getItem('pt-driver-token'))) === token);
await step("the driver's name is shown", async () => {
  // A locator, not waitForFunction: the page's CSP forbids the eval that its polling needs.
  await page.locator('#who', { hasText: /^Wang Lei$/ }).waitFor({ timeout: 10000 });
  return true;
});

await page.fill('input[name=plate]', 'AB 123');
await page.fill('input[name=seal]', 'S-1');
await page.click('#load-form button[type=submit]');
await step('a load is opened', async () => {
  await page.waitForSelector('#loaded:not([hidden])', { timeout: 10000 });
  return (await page.textContent('#load-plate')) === 'AB 123';
});

const tick = (lot) => page.waitForSelector(`#results li.ok:has-text("${lot} loaded")`, { timeout: 15000 });
await page.evaluate((p) => window.ptDriver.scanned(p), linkPrefix + 'OK1');
await step('an injected scan shows a tick', async () => { await tick('OK1'); return true; });

await context.setOffline(true);
await page.evaluate((p) => window.ptDriver.scanned(p), linkPrefix + 'OK2');
await step('offline: the scan is queued and shown as queued (1)', async () => {
  await page.locator('#queue', { hasText: /^queued \(1\)$/ }).waitFor({ timeout: 5000 });
  return (await page.locator('#results li.queued').count()) === 1;
});
await step('the queued scan is kept in localStorage', async () => {
  await page.waitForTimeout(300);
  return (await page.evaluate(() => JSON.parse(localStorage.getItem('pt-driver-queue')).length)) === 1;
});
await context.setOffline(false);
await step('back online: the queued scan is sent and ticked', async () => { await tick('OK2'); return true; });
await step('the queue is empty', async () =>
  (await page.evaluate(() => window.ptDriver.queued())) === 0 && (await page.textContent('#queue')) === 'all sent');
await step('the station has OK2 on the load once', async () => {
  const load = await loadFromStation(1);
  return load.batches.filter((b) => b.lot === 'OK2').length === 1 && load.batches.length === 2;
});

await page.evaluate((p) => window.ptDriver.scanned(p), linkPrefix + 'HELD1');
await step('a held batch shows a refusal with the reason', async () => {
  const li = await page.waitForSelector('#results li.bad', { timeout: 10000 });
  const text = await li.textContent();
  return text.includes('refused') && text.includes('held: residue check');
});

await page.setInputFiles('#still', labelPng);
await step('a photo of a label is decoded in the page (BarcodeDetector or jsQR) and loaded', async () => {
  await tick('OK3');
  return true;
});
const usedJsQR = await page.evaluate(() => !('BarcodeDetector' in window));
console.log(`# label decoded with ${usedJsQR ? 'jsQR (no BarcodeDetector in this browser)' : 'BarcodeDetector'}`);

await page.screenshot({ path: join(outDir, 'web-driver-en.png'), fullPage: true });
await page.click('#lang');
await step('language switch to Chinese', async () => (await page.textContent('main')).includes('已装车'));
await page.screenshot({ path: join(outDir, 'web-driver-zh.png'), fullPage: true });
await page.click('#lang');

await step('nothing fetched off the station', async () => offsite.length === 0);
await step('no script errors', async () => consoleErrors.length === 0);
const load = await loadFromStation(1);
ok(load.batches.length === 3 && load.refusals.length === 1, 'the station: three batches, one refusal',
  JSON.stringify(load));

await context.close();
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
