// buyer-views-browser.mjs: the buyer portal as a buyer decides from it, in Debian's Chromium
// driven by playwright-core, in English and Chinese: the Grade column shows the signed
// verdict (ORA_002, mostly Extra fruit but declared class I and outside its tolerances, never
// "Extra") and the verdict filter finds it; no raw code (step, disposition, state) on the
// page; the batch's bundle verified in the browser; a batch's own address kept over a reload
// with its hashes folded away; the CSV with a UTF-8 byte order mark; the views across batches
// drawn as SVG, each with its table; at most one 401 while signed out; axe-core on every
// state; screenshots at phone and desktop size in both languages (OUT_DIR/web-buyer-*.png).
// argv: BASE_URL OUT_DIR BUYER_PASSWORD [AXE_PATH].  Prints TAP.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, outDir, buyerPw, axePath] = process.argv.slice(2);
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

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});

/* axe-core on @p's present state (WCAG 2 A/AA and best practice). */
async function axeRun(p, state) {
  if (!axe) { console.log(`ok ${++n} axe-core on ${state} # SKIP axe-core could not be installed`); return; }
  await p.evaluate(axe);
  const r = await p.evaluate(async () => {
    const res = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] });
    return res.violations.map((v) => v.id + ' (' + v.nodes.length + '): ' + v.nodes.slice(0, 3).map((x) => x.target.join(' ')).join(', '));
  });
  ok(r.length === 0, `axe-core on ${state}: no violation`, r.join('\n'));
}

const RAW = /\b(non_conformant|in_progress|sellable_accessible|commissioning|inspecting|departing|non conformant)\b/;
const offsite = [], problems = [];
for (const [lang, viewport, tag] of [['en', { width: 1280, height: 900 }, 'desktop'], ['zh', { width: 390, height: 844 }, 'phone'],
  ['zh', { width: 1280, height: 900 }, 'desktop'], ['en', { width: 390, height: 844 }, 'phone']]) {
  const full = lang === 'en' && tag === 'desktop' || lang === 'zh' && tag === 'phone';
  const ctx = await browser.newContext({ locale: lang === 'zh' ? 'zh-CN' : 'en-US', viewport, acceptDownloads: true, bypassCSP: !!axe });
  const p = await ctx.newPage();
  const unauthorized = [];
  p.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('blob:')) offsite.push(r.url()); });
  p.on('response', (r) => { if (r.status() === 401) unauthorized.push(r.url()); });
  p.on('console', (m) => { if (m.type() === 'error' && !/401|404/.test(m.text())) problems.push(m.text()); });
  p.on('pageerror', (e) => problems.push(e.message));
  const rows = () => p.locator('table.results tbody tr');
  const shot = (name) => p.screenshot({ path: join(outDir, `web-buyer-${name}-${lang}-${tag}.png`), fullPage: true });
  const L = `(${lang}, ${tag})`;
  try {
    await p.goto(base + '/buyer', { waitUntil: 'load', timeout: 20000 });
    if (full) {
      await p.waitForTimeout(2000);
      ok(unauthorized.length <= 1, `signed out: the session is asked once, not polled ${L}`, unauthorized.join('\n'));
    }
    /* The words come from i18n.json, fetched after the page's load event: wait for them. */
    const htmlLang = lang === 'zh' ? 'zh-CN' : 'en';
    await until(p, async () => await p.getAttribute('html', 'lang') === htmlLang);
    ok(await p.getAttribute('html', 'lang') === htmlLang, `the page's language is the reader's ${L}`, await p.getAttribute('html', 'lang'));
    if (full) await axeRun(p, `the signed-out page ${L}`);
    await shot('signed-out');

    await p.fill('#name', 'buyer-all');
    await p.fill('#password', buyerPw);
    await p.click('#signin-go');
    await rows().first().waitFor({ timeout: 10000 });
    await until(p, async () => (await rows().count()) === 4);
    const who = await p.textContent('#who');
    ok(who.includes(lang === 'zh' ? '采购商 · 全部批次' : 'buyer · all batches'), `the header names the role in the reader's language ${L}`, who);
    const ora2 = rows().filter({ hasText: 'ORA_002' });
    const cell = (await ora2.locator('span.verdict').textContent()).trim();
    const want = lang === 'zh' ? /^一级果，超出容许度（42\.9% 的果实低于一级果）$/ : /^Class I, outside tolerance \(42\.9% of fruit below Class I\)$/;
    ok(want.test(cell), `the Grade column is the signed verdict, not the most common class ${L}`, cell);
    const table = await p.textContent('table.results');
    ok(!RAW.test(table) && !/\bactive\b/.test(lang === 'zh' ? table : '') && (lang === 'zh' ? table.includes('已召回') : /recalled/i.test(table)),
      `the results speak the reader's language (states, classes) ${L}`, table);
    ok((await p.locator('table.results th').allTextContents()).every((h) => h.trim().length > 0), `every column has a heading ${L}`);
    if (full) await axeRun(p, `the results ${L}`);
    await shot('results');

    await p.selectOption('#search [name=grade]', 'Extra');
    await p.click('#go');
    await until(p, async () => (await rows().count()) === 1);
    const extra = await rows().locator('td:first-child').allTextContents();
    ok(extra.join(',') === 'ORA-001', `grade Extra: the non-conformant class I batch is not found ${L}`, extra.join(','));
    await p.selectOption('#search [name=grade]', '');
    await p.selectOption('#search [name=verdict]', 'non_conformant');
    await p.click('#go');
    await until(p, async () => (await rows().count()) === 1 && (await rows().first().textContent()).includes('ORA_002'));
    ok((await rows().locator('td:first-child').allTextContents()).join(',') === 'ORA_002', `verdict "outside tolerance" finds it ${L}`);

    if (full) {
      const [d] = await Promise.all([p.waitForEvent('download', { timeout: 15000 }), p.click('#csv')]);
      const path = join(outDir, `buyer-views-${lang}.csv`);
      await d.saveAs(path);
      const bytes = readFileSync(path);
      ok(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf && bytes.toString('utf8', 3).startsWith('id,lot,') &&
        bytes.toString('utf8').includes('ORA_002') && bytes.toString('utf8').includes('non_conformant'),
        `the CSV starts with a UTF-8 byte order mark and carries the verdict ${L}`, bytes.toString('utf8', 0, 120));
    }
    await p.selectOption('#search [name=verdict]', '');
    await p.click('#go');
    await until(p, async () => (await rows().count()) === 4);

    /* A batch: its own address, the verified mark, no raw code, hashes folded away. */
    await p.click('button.open[data-lot="ORA_002"]');
    await p.waitForSelector('#batch:not([hidden]) ol.timeline li', { timeout: 10000 });
    ok(/#\/batch\/\d+$/.test(p.url()), `the batch has its own address ${L}`, p.url());
    await p.waitForSelector('#verify-mark.ok, #verify-mark.bad', { timeout: 15000 });
    const mark = await p.textContent('#verify-mark');
    ok(await p.isVisible('#verify-mark.ok') && (lang === 'zh' ? mark.includes('已在本浏览器验证') : mark.includes('Verified in this browser')),
      `the bundle is verified in the browser ${L}`, mark);
    const batch = await p.textContent('#batch');
    ok(!RAW.test(batch), `no raw step or disposition names in the batch view ${L}`, (RAW.exec(batch) || [''])[0] + ' in ' + batch.slice(0, 400));
    ok(lang === 'zh' ? batch.includes('分级检验') && batch.includes('超出容许度') && batch.includes('登记')
      : batch.includes('Graded') && batch.includes('outside tolerances') && batch.includes('Registered'), `steps and dispositions translated ${L}`, batch.slice(0, 600));
    const hashes = p.locator('#batch ol.timeline details.hashes');
    ok((await hashes.count()) >= 3 && !(await hashes.first().locator('code').isVisible()), `hashes are folded away ${L}`);
    ok(await p.isHidden('#results') && await p.isHidden('#search') && (await p.locator('h1:visible').count()) === 1,
      `the batch is a view of its own, with one heading ${L}`);
    if (full) await axeRun(p, `the batch view ${L}`);
    await shot('batch');
    await p.reload({ waitUntil: 'load' });
    await p.waitForSelector('#batch:not([hidden]) ol.timeline li', { timeout: 10000 });
    ok((await p.textContent('#batch h1')).includes('ORA_002') && await p.isHidden('#results'), `the address survives a reload ${L}`);
    await p.click('#back');
    await rows().first().waitFor({ timeout: 10000 });
    ok(!/#\/batch/.test(p.url()) && await p.isHidden('#batch'), `back to the results ${L}`, p.url());

    /* The views across batches. */
    await p.click('#stats-go');
    await p.waitForSelector('#stats:not([hidden]) figure.xview svg', { timeout: 10000 });
    ok(/#\/stats$/.test(p.url()), `the views across batches have their own address ${L}`, p.url());
    const figs = p.locator('#stats figure.xview');
    const nFig = await figs.count(), nSvg = await p.locator('#stats figure.xview svg[role=img]').count();
    const nTable = await p.locator('#stats figure.xview .sr-only table').count();
    ok(nFig === 6 && nSvg === 6 && nTable === 6, `six views, each an SVG with its table ${L}`, `${nFig} ${nSvg} ${nTable}`);
    const stats = await p.textContent('#stats');
    ok(lang === 'zh' ? ['等级构成', '合格批次占比', '规格分布', '缺陷类型', '暂扣与召回', '每周产量'].every((w) => stats.includes(w))
      : ['Grade mix', 'conformant batches', 'Size distribution', 'Defect kinds', 'Holds and recalls', 'Volumes per week'].every((w) => stats.includes(w)),
      `the views' titles ${L}`, stats.slice(0, 400));
    const shareRow = p.locator('#stats figure.xview').nth(1).locator('tbody tr', { hasText: '2026-10-12' });
    ok((await shareRow.locator('td').textContent()).trim() === '0%', `the week of ORA_002 shows no conformant batch ${L}`, await shareRow.textContent());
    const holdRows = await p.locator('#stats figure.xview').nth(4).locator('tbody tr').allTextContents();
    ok(holdRows.some((r) => r.startsWith("O'Brien") && r.endsWith('01')), `holds and recalls per grower: O'Brien's recall ${L}`, holdRows.join(' | '));
    if (full) await axeRun(p, `the views across batches ${L}`);
    await shot('stats');
    await p.reload({ waitUntil: 'load' });
    await p.waitForSelector('#stats:not([hidden]) figure.xview svg', { timeout: 10000 });
    ok((await p.locator('#stats figure.xview').count()) === 6, `the views' address survives a reload ${L}`);
  } catch (e) {
    ok(false, `the flow ran to its end ${L}`, e.stack);
  }
  await ctx.close();
}
ok(offsite.length === 0, 'nothing fetched off the station', offsite.join('\n'));
ok(problems.length === 0, 'no script errors or CSP violations', problems.join('\n'));
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
