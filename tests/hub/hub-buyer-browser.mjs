// hub-buyer-browser.mjs: the hub's buyer portal (/buyer) in Debian's Chromium driven by
// playwright-core, in English and Chinese: buyer A signs in with its token; its search spans
// two stations (ORA-001 of Shed A, APL-B1 of Shed B, each row naming its shed) and shows the
// signed verdict in the reader's words; the search by station narrows it; a batch opens at its
// own address (#/batch/STATION/GTIN/LOT, kept over a reload) with its bundle verified in the
// browser (the station's key per record, the hub's over the head); the CSV has a UTF-8 byte
// order mark; the links to /loads and /coop are there; the address of buyer B's batch (ORA_002)
// is refused to buyer A, and a wrong token is refused.  No raw code on the page, no request
// off the hub, no script error; axe-core on each state when given; screenshots.
// argv: BASE_URL TOKEN_A TOKEN_B OUT_DIR [AXE_PATH].  Prints TAP.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, tokenA, tokenB, outDir, axePath] = process.argv.slice(2);
const axe = axePath ? readFileSync(axePath, 'utf8') : null;

let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} ${name}`);
  if (!cond && detail !== undefined) console.log('# ' + String(detail).replace(/\n/g, '\n# '));
}
/* Polled: the page's CSP forbids the eval that waitForFunction needs. */
async function until(p, what, timeout = 10000) {
  for (let i = 0; i < timeout / 100; i++) { if (await what()) return true; await p.waitForTimeout(100); }
  return false;
}
async function axeRun(p, state) {
  if (!axe) { console.log(`ok ${++n} axe-core on ${state} # SKIP axe-core could not be installed`); return; }
  await p.evaluate(axe);
  const r = await p.evaluate(async () => {
    const res = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] });
    return res.violations.map((v) => v.id + ' (' + v.nodes.length + '): ' + v.nodes.slice(0, 3).map((x) => x.target.join(' ')).join(', '));
  });
  ok(r.length === 0, `axe-core on ${state}: no violation`, r.join('\n'));
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
const RAW = /\b(non_conformant|in_progress|sellable_accessible|commissioning|inspecting|departing|undefined|null)\b|\bbu\.[a-zA-Z]/;
const offsite = [], problems = [];
let oraAddress = null;
for (const [lang, viewport, tag] of [['en', { width: 1280, height: 900 }, 'desktop'], ['zh', { width: 390, height: 844 }, 'phone']]) {
  const ctx = await browser.newContext({ locale: lang === 'zh' ? 'zh-CN' : 'en-US', viewport, acceptDownloads: true, bypassCSP: !!axe });
  const p = await ctx.newPage();
  p.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('blob:')) offsite.push(r.url()); });
  p.on('console', (m) => { if (m.type() === 'error' && !/401|403|404/.test(m.text())) problems.push(m.text()); });
  p.on('pageerror', (e) => problems.push(e.message));
  const rows = () => p.locator('table.results tbody tr');
  const shot = (name) => p.screenshot({ path: join(outDir, `hub-buyer-${name}-${lang}-${tag}.png`), fullPage: true });
  const L = `(${lang}, ${tag})`;
  const zh = lang === 'zh';
  try {
    await p.goto(base + '/buyer', { waitUntil: 'load', timeout: 20000 });
    await until(p, async () => (await p.getAttribute('html', 'lang')) === (zh ? 'zh-CN' : 'en'));
    ok(await p.getAttribute('html', 'lang') === (zh ? 'zh-CN' : 'en'), `the page's language is the reader's ${L}`);
    ok(await p.isHidden('#name') && await p.isVisible('#token'), `the hub asks for a buyer token, not an account ${L}`);
    const links = await p.locator('#hub-links a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    ok(links.join(' ') === '/loads /coop', `links to the loads and co-op pages ${L}`, links.join(' '));
    ok(await p.isHidden('#stats-go'), `no station-only view across batches on the hub ${L}`);
    await axeRun(p, `the signed-out page ${L}`);
    await shot('signed-out');

    await p.fill('#token', 'f'.repeat(64));
    await p.click('#use');
    await until(p, async () => /\S/.test(await p.textContent('#msg')));
    ok((await p.textContent('#msg')).includes(zh ? '平台不认识此令牌' : 'The hub does not know this token'), `a wrong token is refused ${L}`, await p.textContent('#msg'));
    ok(await p.isVisible('#token'), `and the token is asked again ${L}`);

    await p.fill('#token', tokenA);
    await p.click('#use');
    await until(p, async () => (await rows().count()) === 2);
    const lots = (await rows().locator('td:first-child').allTextContents()).sort();
    ok(lots.join(',') === 'APL-B1,ORA-001', `buyer A's search spans two stations, its own batches only ${L}`, lots.join(','));
    const table = await p.textContent('table.results');
    ok(table.includes('Shed A') && table.includes('Shed B'), `each row names its station ${L}`, table);
    const ora = rows().filter({ hasText: 'ORA-001' });
    const cell = (await ora.locator('span.verdict').textContent()).trim();
    ok(zh ? /^特级果，符合容许度（0% 的果实低于特级果）$/.test(cell) : /^Extra class, within tolerance \(0% of fruit below Extra class\)$/.test(cell),
      `the Grade column is the signed verdict with the share below the class ${L}`, cell);
    ok(!RAW.test(table), `no raw code in the results ${L}`, (RAW.exec(table) || [''])[0]);
    ok((await p.textContent('#who')).includes('4012345000115'), `the header says the token's scope ${L}`, await p.textContent('#who'));
    await axeRun(p, `the results ${L}`);
    await shot('results');

    await p.fill('#search [name=station]', 'shed b');
    await p.click('#go');
    await until(p, async () => (await rows().count()) === 1);
    ok((await rows().locator('td:first-child').allTextContents()).join(',') === 'APL-B1', `the search by station (part of its name) ${L}`);
    await p.fill('#search [name=station]', '');
    await p.click('#go');
    await until(p, async () => (await rows().count()) === 2);

    if (!zh) {
      const [d] = await Promise.all([p.waitForEvent('download', { timeout: 15000 }), p.click('#csv')]);
      const path = join(outDir, 'hub-buyer.csv');
      await d.saveAs(path);
      const bytes = readFileSync(path), text = bytes.toString('utf8', 3);
      ok(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf && text.startsWith('station,station_name,lot,') &&
        text.includes('ORA-001') && text.includes('APL-B1') && text.includes('Shed B'),
        `the CSV starts with a UTF-8 byte order mark and names each batch's station ${L}`, bytes.toString('utf8', 0, 200));
    }

    /* A batch at its own address, verified in this browser from the hub's bundle. */
    await p.click('button.open[data-lot="ORA-001"]');
    await p.waitForSelector('#batch:not([hidden]) ol.timeline li', { timeout: 10000 });
    ok(/#\/batch\/[^/]+\/09506000134352\/ORA-001$/.test(p.url()), `the batch has its own address ${L}`, p.url());
    await until(p, async () => !/checking/.test(await p.getAttribute('#verify-mark', 'class')));
    const mark = await p.textContent('#verify-mark');
    ok((await p.getAttribute('#verify-mark', 'class')).includes('ok') && (zh ? mark.includes('已在本浏览器验证') : mark.includes('Verified in this browser')),
      `the bundle is verified in the browser ${L}`, mark);
    const batch = await p.textContent('#batch');
    ok(!RAW.test(batch), `no raw code in the batch view ${L}`, (RAW.exec(batch) || [''])[0] + ' in ' + batch.slice(0, 300));
    ok(zh ? batch.includes('分级检验') && batch.includes('Shed A') : batch.includes('Graded') && batch.includes('Shed A'),
      `steps in words, and the batch's station ${L}`, batch.slice(0, 400));
    ok(await p.locator('#batch details.hashes[open]').count() === 0, `hashes folded away ${L}`);
    await axeRun(p, `a batch ${L}`);
    await shot('batch');
    oraAddress = p.url();
    await p.reload({ waitUntil: 'load' });
    await p.waitForSelector('#batch:not([hidden]) ol.timeline li', { timeout: 10000 });
    ok((await p.textContent('#batch h1')).includes('ORA-001'), `the batch's address opens it after a reload ${L}`);

    /* Buyer B's batch, by its address, is not buyer A's to see: straight from A's batch (a
     * pasted link), whose record must not stay on screen under B's address. */
    const bAddress = oraAddress.replace(/#.*$/, '') + '#/batch/' + oraAddress.split('#/batch/')[1].replace('ORA-001', 'ORA_002');
    await p.goto(bAddress, { waitUntil: 'load' });
    /* The refusal, not whatever the page says on its way there (a loaded box answers late). */
    const refusal = zh ? '您可查看的批次中没有此批次' : 'No such batch among the ones you may see';
    await until(p, async () => (await p.textContent('#msg')).includes(refusal));
    ok((await p.textContent('#msg')).includes(refusal) &&
      await p.locator('#batch ol.timeline li').count() === 0, `another buyer's batch is refused by its address ${L}`,
      `message "${await p.textContent('#msg')}", ${await p.locator('#batch ol.timeline li').count()} records listed`);
    await shot('refused');

    await p.click('#signout');
    await until(p, async () => p.isVisible('#token'));
    ok(await p.isVisible('#token') && (await rows().count()) === 0, `signing out forgets the token ${L}`);
  } catch (e) {
    ok(false, `the hub's buyer portal ${L}`, e.stack);
    await shot('failure').catch(() => {});
  }
  await ctx.close();
}

/* Buyer B sees its own batch and not buyer A's. */
{
  const ctx = await browser.newContext({ locale: 'en-US' });
  const p = await ctx.newPage();
  await p.goto(base + '/buyer', { waitUntil: 'load' });
  await p.fill('#token', tokenB);
  await p.click('#use');
  await until(p, async () => (await p.locator('table.results tbody tr').count()) >= 1);
  const lots = await p.locator('table.results tbody tr td:first-child').allTextContents();
  ok(lots.join(',') === 'ORA_002', "buyer B's search finds its batch only", lots.join(','));
  await ctx.close();
}

ok(offsite.length === 0, 'nothing is fetched from anywhere but the hub', offsite.join('\n'));
ok(problems.length === 0, 'no script error', problems.join('\n'));
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
