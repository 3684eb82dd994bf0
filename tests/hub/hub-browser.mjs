// hub-browser.mjs: the consumer pages the co-op hub serves, in Debian's Chromium
// (playwright-core): a station's lot is verified in the browser against the station's key
// with the bundle headed by the hub's; a recalled lot shows the recall warning and still
// verifies; a page whose named hub key was altered on the way is not verified; a long lot's
// page lists a bounded view and checks the hub's view of its bundle.  Prints TAP.
// argv: BASE_URL OK_PATH RECALLED_PATH LONG_PATH
import { createRequire } from 'node:module';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, okPath, recalledPath, longPath] = process.argv.slice(2);

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

// Opens @path in English; @alter (optional) rewrites the page's HTML on its way in.
async function open(path, alter) {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  if (alter) {
    await page.route((url) => url.pathname.startsWith('/01/') && !url.search.includes('linkType'), async (route) => {
      const response = await route.fetch();
      route.fulfill({ response, body: alter(await response.text()) });
    });
  }
  await page.goto(base + path, { waitUntil: 'load', timeout: 20000 });
  await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 });
  const banner = await page.$('#banner:not([hidden])');
  return { context, cls: await page.getAttribute('#verify', 'class'),
    text: await page.textContent('#verify'), body: await page.textContent('body'),
    banner: banner ? await banner.textContent() : '' };
}

let v = await open(okPath);
ok(v.cls.includes('ok') && v.text.includes('Verified'), "a station's lot served by the hub is verified", v.text);
ok(v.body.includes('Li farm') && v.body.includes('Oranges'), 'the page shows the signed facts', v.body);
await v.context.close();

v = await open(recalledPath);
ok(v.banner.includes('recalled'), 'a recalled lot shows the recall warning', v.banner);
ok(v.cls.includes('ok') && v.text.includes('Verified'), 'and its records verify', v.text);
await v.context.close();

// Another hub key named by the page: the bundle's head is not the one the page vouches for.
v = await open(okPath, (html) => html.replace(/"hub_key":"[0-9a-f]{64}"/, '"hub_key":"' + '0'.repeat(64) + '"'));
ok(v.cls.includes('bad') && !v.text.includes('Verified'), 'a page naming another hub key is not verified', v.text);
await v.context.close();

// A long lot: the page lists PT_PAGE_RECORDS_MAX (50) of its 121 records and says so, and its
// script fetches the hub's view of exactly those; altered on its way, no mark.
{
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(base + longPath, { waitUntil: 'load', timeout: 20000 });
  await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 });
  const text = await page.textContent('#verify');
  const items = await page.$$eval('ol.timeline li[data-n]', (l) => l.map((li) => Number(li.getAttribute('data-n'))));
  const line = await page.textContent('p.notshown').catch(() => '');
  const fetched = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('linkType=pt:traceBundle')).map((e) => [e.name, e.decodedBodySize]));
  ok(items.length === 50 && items.includes(1) && items.includes(121) && line.includes('71'),
    'a long lot lists 50 of its 121 records, with a line for the others', `${items.join(' ')} ${line}`);
  ok(/50 records shown of 121 checked/.test(text), 'its mark says what was checked', text);
  ok(fetched.length === 1 && fetched[0][0].endsWith('&view=page') && fetched[0][1] < 50 * 2048,
    "the check fetched the hub's view alone, bounded", JSON.stringify(fetched));
  await context.close();
}
{
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  await page.route((u) => u.searchParams.get('view') === 'page', async (route) => {
    const r = await route.fetch();
    const b = await r.json();
    const list = b.epcis.epcisBody.eventList;
    list[list.length - 1].disposition = 'https://ref.gs1.org/cbv/Disp-non_conformant';
    route.fulfill({ response: r, body: JSON.stringify(b) });
  });
  await page.goto(base + longPath, { waitUntil: 'load', timeout: 20000 });
  await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 });
  const text = await page.textContent('#verify');
  ok(/altered/.test(text) && !text.includes('Verified'), "the hub's view with a shown record altered is not verified", text);
  await context.close();
}

await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
