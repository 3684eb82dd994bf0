// consumer-view-browser.mjs: a long batch's consumer page in Debian's Chromium (playwright-core):
// the records it lists, the "not shown" line and its link, the view of the signed bundle its
// script fetches (bytes counted from the page's resource timing), the mark's words in zh and
// en; the view altered on its way (a shown record changed, the latest record dropped, a forged
// head) never shows the mark; a short batch's page lists every record and checks the whole
// bundle.  Prints TAP; with PT_MEASURE=1 also the view's and the whole bundle's bytes and time
// to check in this browser, for README's performance table.
// argv: BASE_URL LONG_PATH SHORT_PATH DATA_DIR; env PT_RECORDS (the long batch's records).
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, longPath, shortPath, dataDir] = process.argv.slice(2);
const RECORDS = Number(process.env.PT_RECORDS);
const LIMIT = 50; // PT_PAGE_RECORDS_MAX

let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} ${name}`);
  if (!cond && detail !== undefined) console.log('# ' + String(detail).replace(/\n/g, '\n# '));
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
const PHONE = { width: 390, height: 844 };
const isBundle = (u) => u.searchParams.get('linkType') === 'pt:traceBundle';

/* Opens @path; @alter (nullable) rewrites the bundle the page fetches (parsed JSON in and out). */
async function open(path, locale, alter) {
  const context = await browser.newContext({ locale, viewport: PHONE });
  const page = await context.newPage();
  if (alter)
    await page.route(isBundle, async (route) => {
      const r = await route.fetch();
      return route.fulfill({ response: r, body: JSON.stringify(alter(await r.json())) });
    });
  const t0 = Date.now();
  await page.goto(base + path, { waitUntil: 'load', timeout: 30000 });
  await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 120000 });
  const ms = Date.now() - t0;
  const mark = { cls: await page.getAttribute('#verify', 'class'), text: await page.textContent('#verify') };
  return { context, page, mark, ms };
}

/* RFC 8785 as pt-verify.js has it: what a forger signs a head over. */
function canon(v) {
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (v !== null && typeof v === 'object')
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canon(v[k])).join(',') + '}';
  return JSON.stringify(v);
}

// The long batch's page, in both languages.
for (const [key, locale, words] of [['en', 'en-US', /50 records shown of 303 checked/],
  ['zh', 'zh-CN', /所显示的 50 条记录（共 303 条）/]]) {
  const want = new RegExp(words.source.replace('303', RECORDS.toLocaleString(key === 'zh' ? 'zh-CN' : 'en'))
    .replace('50', String(LIMIT)));
  const { context, page, mark, ms: firstMs } = await open(longPath, locale);
  const items = await page.$$eval('ol.timeline li[data-n]', (l) => l.map((li) => Number(li.getAttribute('data-n'))));
  ok(items.length === LIMIT, `${key}: the page lists ${LIMIT} of ${RECORDS} records`, items.length);
  ok([1, 2, 3].every((x) => items.includes(x)) && items.includes(RECORDS) && items.includes(RECORDS - LIMIT + 4),
    `${key}: the facts' records (commissioning, the hold, the certificate) and the latest are listed`, items.join(' '));
  const line = await page.textContent('p.notshown').catch(() => '');
  const href = await page.getAttribute('p.notshown a', 'href').catch(() => null);
  ok(line.includes(String(RECORDS - LIMIT)) && href && href.endsWith('?linkType=pt:traceBundle'),
    `${key}: a line says how many records are not shown and links the whole signed bundle`, `${line} ${href}`);
  ok(mark.cls.includes('ok') && want.test(mark.text), `${key}: the mark says the records shown were checked`, mark.text);
  const held = await page.isVisible('#banner');
  ok(held, `${key}: the hold far from the latest records is the page's status, and checked`);
  const fetched = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('linkType=pt:traceBundle'))
    .map((e) => ({ name: e.name, bytes: e.decodedBodySize, wire: e.transferSize })));
  const whole = await (await fetch(base + href)).text();
  ok(fetched.length === 1 && fetched[0].name.endsWith('&view=page') && fetched[0].bytes < LIMIT * 2048 &&
    fetched[0].bytes * 4 < whole.length,
  `${key}: the check fetched the page's view alone, bounded (${fetched[0] && fetched[0].bytes} bytes; whole bundle ${whole.length})`,
  JSON.stringify(fetched));
  if (process.env.PT_MEASURE && key === 'en') {
    /* The same browser fetching and checking the view and the whole bundle (as every view did
     * before), three times each, the medians; then the page's own time to its mark. */
    const m = await page.evaluate(async ([whole]) => {
      const data = JSON.parse(document.getElementById('pt-data').textContent);
      const expect = { publicKey: data.public_key, lot: data.lot, gtin: data.gtin, events: null };
      const once = async (href) => {
        const t0 = performance.now();
        const b = await (await fetch(href, { cache: 'no-store' })).json();
        const res = await window.ptVerify.verifyBundle(b, expect);
        return { ms: performance.now() - t0, n: res.n };
      };
      const out = {};
      for (const [k, href] of [['view', data.bundle], ['whole', whole]]) {
        const runs = [];
        for (let i = 0; i < 3; i++) runs.push(await once(href));
        runs.sort((a, b) => a.ms - b.ms);
        const wire = performance.getEntriesByType('resource').filter((e) => e.name.endsWith(href)).pop();
        out[k] = { ms: Math.round(runs[1].ms), min: Math.round(runs[0].ms), max: Math.round(runs[2].ms),
          n: runs[1].n, wire: wire.transferSize, bytes: wire.decodedBodySize };
      }
      return out;
    }, [href]);
    const marks = [];
    for (let i = 0; i < 3; i++) { const o = await open(longPath, 'en-US'); marks.push(o.ms); await o.context.close(); }
    marks.sort((a, b) => a - b);
    console.log(`# measure: ${RECORDS} records; page load to mark ${marks[1]} ms (min ${marks[0]}, max ${marks[2]}; first view, view built: ${firstMs} ms)`);
    for (const k of ['view', 'whole'])
      console.log(`# measure: ${k}: fetch + check ${m[k].ms} ms (min ${m[k].min}, max ${m[k].max}) for ${m[k].n} records, ` +
        `${m[k].wire} bytes on the wire (gzip), ${m[k].bytes} bytes`);
  }
  await context.close();
}

// The view as served: its format, the records its signed head names, built once per revision.
{
  const link = base + longPath + '?linkType=pt:traceBundle&view=page';
  const a = await (await fetch(link)).text(), b = await (await fetch(link)).text();
  const v = JSON.parse(a);
  ok(v.format === 'packtrace-bundle-view/1' && v.head.count === RECORDS && v.head.shown.length === LIMIT &&
    v.proofs.length === LIMIT && v.head.shown[LIMIT - 1] === RECORDS,
  'the view: its head counts every record and names the shown ones, their proofs alone', a.slice(0, 300));
  const files = readdirSync(join(dataDir, 'cache', 'documents')).filter((f) => f.endsWith('view.json'));
  ok(a === b && files.length === 1, 'the view is written once per batch revision and served from its file', files.join(' '));
  const bad = await fetch(base + longPath + '?linkType=pt:traceBundle&view=all');
  ok(bad.status === 400, 'another view is refused', bad.status);
}

// The view altered on its way: never the mark.
const forger = generateKeyPairSync('ed25519');
for (const [what, alter, why] of [
  // The control: the view read and written again as JSON is still the signed one.
  ['the view passed on unchanged', (b) => b, null],
  ['a shown record altered', (b) => {
    const list = b.epcis.epcisBody.eventList;
    list[list.length - 1].disposition = 'https://ref.gs1.org/cbv/Disp-non_conformant';
    return b;
  }, /record \d+ altered/],
  ['the latest record dropped', (b) => {
    b.epcis.epcisBody.eventList.pop(); b.proofs.pop(); b.head.shown.pop();
    return b;
  }, /head signature/],
  ['the latest record dropped, the head left', (b) => {
    b.epcis.epcisBody.eventList.pop(); b.proofs.pop();
    return b;
  }, /removed or added/],
  ['a forged head', (b) => {
    // A head claiming the batch ends earlier, signed by another key.
    b.epcis.epcisBody.eventList.pop(); b.proofs.pop(); b.head.shown.pop();
    b.head.count = b.head.shown[b.head.shown.length - 1];
    b.head.lastHash = b.proofs[b.proofs.length - 1].hash;
    const unsigned = Object.assign({}, b.head); delete unsigned.signature;
    const digest = createHash('sha256').update(canon(unsigned)).digest();
    b.head.signature = sign(null, digest, forger.privateKey).toString('hex');
    return b;
  }, /head signature/],
  ['a record not shown slipped in', (b) => {
    b.head.shown[1] = b.head.shown[1] + 1;
    return b;
  }, /head signature|differ/],
]) {
  const { context, mark } = await open(longPath, 'en-US', alter);
  if (!why) ok(mark.cls.includes('ok'), `${what}: the mark`, mark.text);
  else ok(mark.cls.includes('bad') && why.test(mark.text), `${what}: no mark (${why.source})`, mark.text);
  await context.close();
}

// A short batch: every record, the whole bundle, the words as before.
{
  const { context, page, mark } = await open(shortPath, 'en-US');
  const items = await page.$$eval('ol.timeline li[data-n]', (l) => l.length);
  const data = await page.evaluate(() => JSON.parse(document.getElementById('pt-data').textContent));
  ok(items === 2 && !(await page.$('p.notshown')) && data.bundle.endsWith('?linkType=pt:traceBundle'),
    'a short batch lists every record and links the whole bundle', `${items} ${data.bundle}`);
  ok(mark.cls.includes('ok') && /all 2 records/.test(mark.text), 'a short batch: the mark says all records', mark.text);
  await context.close();
}

await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
