// web-browser.mjs: the consumer page in Debian's Chromium (driven by playwright-core): zh and
// en texts, the verified mark, the warning for a tampered log, the recall banner, and the
// page's first-view weight.  Prints TAP.  argv: BASE_URL OK_PATH TAMPERED_PATH RECALLED_PATH OUT_DIR
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, okPath, tamperedPath, recalledPath, outDir] = process.argv.slice(2);

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
  page.on('request', (r) => { if (!r.url().startsWith(base)) offsite.push(r.url()); });
  page.on('response', async (r) => { try { bytes += (await r.body()).length; } catch (e) { /* redirect */ } });
  await page.goto(base + path, { waitUntil: 'load', timeout: 20000 });
  return { context, page, offsite, bytes: () => bytes };
}

async function verifyText(page) {
  await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 });
  return { cls: await page.getAttribute('#verify', 'class'), text: await page.textContent('#verify') };
}

for (const [locale, words, file] of [
  ['zh-CN', ['产地', '种植者', '流转记录', '登记', '等级'], 'web-consumer-zh.png'],
  ['en-US', ['Origin', 'Grower', 'Journey', 'Registered', 'Grade'], 'web-consumer-en.png'],
]) {
  const { context, page, offsite, bytes } = await open(okPath, locale);
  const v = await verifyText(page);
  ok(v.cls.includes('ok'), `${locale}: verified mark`, v.text);
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
    await page.click('#lang');
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
  const { context, page } = await open(recalledPath, 'zh-CN');
  await page.waitForSelector('#banner.recalled', { state: 'visible', timeout: 10000 });
  ok((await page.textContent('#banner')).includes('召回'), 'recall banner (zh)');
  const v = await verifyText(page);
  ok(v.cls.includes('ok'), 'recalled batch still verifies', v.text);
  await context.close();
}
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
