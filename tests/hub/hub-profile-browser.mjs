// hub-profile-browser.mjs: a station's lot on the co-op hub's consumer page, in Debian's
// Chromium (playwright-core), in Chinese and in English: the header shows the co-op's name and
// the logo the hub serves (loaded, not broken), the town and the origin map show, and the
// records verify in the browser; each page is screenshot (OUT_DIR/hub-consumer-LOCALE-phone.png).
// Prints TAP.
// argv: BASE_URL PAGE_PATH LOGO_PATH [OUT_DIR]
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, pagePath, logoPath, outDir] = process.argv.slice(2);

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
  timeout: 60000,
});

for (const [locale, coop, town] of [['zh-CN', '赣南脐橙合作社', '赣州市信丰县'],
  ['en-US', 'Xinfeng Orange Growers', 'Xinfeng, Ganzhou']]) {
  const context = await browser.newContext({ locale, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(base + pagePath, { waitUntil: 'load', timeout: 20000 });
  await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 });
  const brand = await page.textContent('header .brand');
  ok(brand.includes(coop), `${locale}: the header names the co-op`, brand);
  const logo = await page.$eval('header .brand img', (img) =>
    ({ src: img.getAttribute('src'), width: img.naturalWidth }));
  ok(logo.src === logoPath && logo.width === 4, `${locale}: the co-op's logo from the hub is shown`,
    JSON.stringify(logo));
  const body = await page.textContent('body');
  ok(body.includes(town), `${locale}: the shed's town is shown`, body);
  ok(await page.$('svg.origin-map') !== null, `${locale}: the origin map is drawn`);
  const cls = await page.getAttribute('#verify', 'class');
  ok(cls.includes('ok'), `${locale}: the records verify in the browser`,
    await page.textContent('#verify'));
  if (outDir)
    await page.screenshot({ path: join(outDir, `hub-consumer-${locale}-phone.png`), fullPage: true });
  await context.close();
}

await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
