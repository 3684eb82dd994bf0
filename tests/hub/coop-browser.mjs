// coop-browser.mjs: the co-op quality page in Debian's Chromium (playwright-core): a wrong
// token is refused; the buyer's token draws the conformance rate of each week, the grade mix
// with its classes, the defect kinds and sizes, and the volumes table, with no script or CSP
// error.  Saves a screenshot.  Prints TAP.
// argv: BASE_URL TOKEN SCREENSHOT_PATH
import { createRequire } from 'node:module';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, token, shot] = process.argv.slice(2);

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
const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 1400 } });
const page = await context.newPage();
const problems = [];
page.on('pageerror', (e) => problems.push('page error: ' + e.message));
page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });

// Waits until #state's text matches @re, polled from here: the page's CSP forbids the eval
// that page.waitForFunction would need.
async function waitState(re) {
  for (let i = 0; i < 100; i++) {
    if (re.test(await page.textContent('#state'))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('#state never matched ' + re + ': ' + (await page.textContent('#state')));
}

await page.goto(base + '/coop', { waitUntil: 'load', timeout: 20000 });
await page.fill('#token', 'f'.repeat(64));
await page.click('#signin button');
await waitState(/not known/);
ok(await page.isHidden('#charts'), 'a wrong token draws nothing');
problems.length = 0; // the 401 of that request is logged by Chromium, as it should be

await page.fill('#token', token);
await page.click('#signin button');
await page.waitForSelector('#charts:not([hidden]) #conformance svg', { timeout: 10000 });
const conf = await page.textContent('#conformance');
ok(/\d+% of \d+/.test(conf), 'the conformance rate of a week with inspections', conf);
const legend = await page.$$eval('#grades svg text', (t) => t.map((x) => x.textContent));
ok(['Extra', 'I', 'II', 'out'].every((c) => legend.includes(c)), 'the grade mix names the classes', legend.join(' '));
ok(await page.$$eval('#grades svg rect', (r) => r.length) > 4, 'the grade mix has bars');
const defects = await page.$$eval('#defects svg text', (t) => t.map((x) => x.textContent));
ok(defects.includes('dark spot'), 'the defect kinds include the graded one', defects.join(' '));
ok(await page.$$eval('#sizes svg rect', (r) => r.length) > 2, 'the sizes have bars');
const rows = await page.$$eval('#volumes tbody tr', (r) => r.length);
ok(rows >= 1, 'the volumes table has a row per week', rows);

await page.selectOption('#by', 'grower');
await page.click('#filters button');
await waitState(/by grower/);
const growers = await page.$$eval('#volumes tbody tr td:first-child', (c) => c.map((x) => x.textContent));
ok(growers.includes('Hill orchard') && growers.includes('Li farm'), 'grouped by grower', growers.join(', '));
await page.selectOption('#by', 'week');
await page.click('#filters button');
await waitState(/by week/);
await page.screenshot({ path: shot, fullPage: true });
ok(problems.length === 0, 'no script or CSP error', problems.join('\n'));

await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
