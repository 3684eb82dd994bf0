// consumer-browser.mjs: the consumer page in Debian's Chromium (playwright-core), in zh and
// en: what the server renders (with and without JavaScript), the words, the grade, the story's
// order, the trust cues, the recall banner, the unknown-lot warning and its counter, Open
// Graph meta, the favicon, the first view's weight, axe-core; the photo (shown, its bytes
// checked) and the certificates (listed, each checked against its record); screenshots of every
// state.
// Prints TAP.
// argv: BASE_URL OK_PATH RECALLED_PATH UNKNOWN_PATH OUT_DIR; env PT_AXE (axe.min.js or empty),
// PT_TOKEN (the operator token, for /metrics).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, okPath, recalledPath, unknownPath, outDir] = process.argv.slice(2);

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
const PHONE = { width: 390, height: 844 }, DESKTOP = { width: 1280, height: 800 };
const axe = process.env.PT_AXE ? readFileSync(process.env.PT_AXE, 'utf8') : null;

async function open(path, locale, o = {}) {
  const context = await browser.newContext({ locale, viewport: o.viewport || PHONE,
    javaScriptEnabled: o.js !== false, bypassCSP: !!o.axe });
  const page = await context.newPage();
  const offsite = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) offsite.push(r.url()); });
  const response = await page.goto(base + path, { waitUntil: 'load', timeout: 20000 });
  // Bytes on the wire, headers included, of the page and everything it fetched; the lot's
  // photo apart (an <img> the text never waits for).
  const bytes = (photo = false) => page.evaluate((photo) => performance.getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource')).filter((e) => e.name.includes('/evidence/') === photo)
    .reduce((a, e) => a + e.transferSize, 0), photo);
  return { context, page, response, offsite, bytes };
}
const mainText = (page) => page.evaluate(() => document.querySelector('main').innerText);

async function axeCheck(path, locale, what) {
  if (!axe) { console.log(`ok ${++n} # SKIP axe-core could not be installed (${what})`); return; }
  const { context, page } = await open(path, locale, { axe: true });
  if (path === okPath) await page.waitForSelector('#verify.ok', { timeout: 20000 });
  await page.evaluate(axe);
  const r = await page.evaluate(async () => {
    const res = await window.axe.run(document);
    return res.violations.map((v) => v.id + ' (' + v.nodes.length + '): ' +
      v.nodes.slice(0, 3).map((x) => x.target.join(' ')).join(', '));
  });
  ok(r.length === 0, `axe-core, ${what}: no violation (every rule, best practices included)`, r.join('\n'));
  await context.close();
}

async function shots(path, state, lang, locale, ready) {
  const { context, page } = await open(path, locale);
  if (ready) await page.waitForSelector(ready, { timeout: 20000 });
  for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(outDir, `consumer-${state}-${lang}-${size}.png`), fullPage: true });
  }
  await context.close();
}

const W = {
  zh: { locale: 'zh-CN', lang: 'zh-CN', place: '中国', coop: '赣南脐橙合作社', town: '赣州市信丰县',
    mix: '特级果占 60%', declared: '标称等级：一级果', tol: '与食品安全无关', scans: '您是第 42 次查询此码',
    first: '2026年11月26日', how: '如何验证？', verified: '已验证', recall: '已被召回', reason: 'pesticide residue',
    todo: '停止食用', unknown: '标签可能是假冒的', hotline: '+86 797 555 0100', story: '溯源经过',
    steps: ['采收登记', '收货', '装箱', '分级检验', '添加产品照片', '附上证书', '附上证书'], other: 'English',
    photoChecked: '照片已核验', certs: '证书与检测报告', kinds: ['农药残留检测报告', '地理标志产品'],
    titles: ['赣州农残检测报告', '赣南脐橙地理标志'], issuer: '签发机构：Ganzhou Inspection Lab', issued: '2026年11月24日',
    open: '查看原件（PDF' },
  en: { locale: 'en-US', lang: 'en', place: 'China', coop: 'Gannan Navel Orange Co-op', town: 'Xinfeng, Ganzhou',
    mix: 'Extra class (top grade) 60%', declared: 'Sold as: Class I.', tol: 'not food safety',
    // 41 before, the zh views' one (a client counts once per window, written within 1 s): 43.
    scans: 'You are number 43 to look up this code', first: '26 Nov 2026', how: 'How is this verified?',
    verified: 'Verified', recall: 'has been recalled', reason: 'pesticide residue', todo: 'Stop eating it',
    unknown: 'the label may not be genuine', hotline: '+86 797 555 0100', story: 'Its story',
    steps: ['Picked and registered', 'Received', 'Packed', 'Graded', 'Photo added', 'Certificate attached',
      'Certificate attached'], other: '中文',
    photoChecked: 'Photo checked', certs: 'Certificates and test reports', kinds: ['Pesticide residue test', 'Geographical indication'],
    titles: ['Residue test report', 'Gannan navel orange GI'], issuer: 'Issued by Ganzhou Inspection Lab', issued: '24 Nov 2026',
    open: 'Open the document (PDF' },
};
/* What a shopper must never read: the records' codes. */
const NOTE = 'Packed by hand the morning after picking / 采摘次日清晨手工包装';
const CODES = ['commissioning', 'inspecting', 'receiving', 'non_conformant', 'non conformant', 'in_progress',
  'urn:epcglobal', 'bizstep', '(active)'];

for (const [key, w] of Object.entries(W)) {
  const { context, page, offsite, bytes } = await open(okPath, w.locale);
  ok(await page.getAttribute('html', 'lang') === w.lang, `${key}: <html lang="${w.lang}"> from Accept-Language`);
  const v = await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 }).then(() => page.textContent('#verify'));
  ok((await page.getAttribute('#verify', 'class')).includes('ok') && v.includes(w.verified), `${key}: verified mark`, v);
  const text = await mainText(page);
  for (const [what, word] of [['origin as a place name', w.place], ['co-op name', w.coop], ['town', w.town],
    ['grade as shares', w.mix], ['declared class', w.declared], ['what outside tolerance means', w.tol],
    ['scan count', w.scans], ['first scan date', w.first], ['the story', w.story]])
    ok(text.includes(word), `${key}: ${what} (${word})`, text);
  const header = await page.textContent('header');
  ok(header.includes(w.coop) && !/packtrace/i.test(header) && await page.isVisible('header img'),
    `${key}: the co-op's name and logo head the page, not the program's`, header);
  const codes = CODES.filter((c) => text.toLowerCase().includes(c.toLowerCase()));
  ok(codes.length === 0, `${key}: no record codes on the page`, codes.join(', '));
  ok(!/\bCN\b/.test(text), `${key}: no country code on the page`);
  const steps = await page.$$eval('ol.timeline li strong', (s) => s.map((x) => x.textContent));
  ok(JSON.stringify(steps) === JSON.stringify(w.steps), `${key}: the story in event-time order`, steps.join(' | '));
  const times = await page.$$eval('ol.timeline time', (s) => s.map((x) => Date.parse(x.getAttribute('datetime'))));
  ok(times.every((t, i) => i === 0 || times[i - 1] <= t), `${key}: times ascend`, times.join(' '));
  const notes = await page.$$eval('ol.timeline li', (s) => s.map((x) => x.querySelector('.note')?.textContent || ''));
  ok(notes.filter((x) => x).length === 1 && notes[steps.indexOf(w.steps[2])] === NOTE,
    `${key}: the packing's public note, as signed, in its step`, JSON.stringify([steps, notes]));
  ok(await page.isVisible(`.hotline a[href^="tel:"]`) && (await page.textContent('.hotline')).includes(w.hotline),
    `${key}: the hotline is a phone link`);
  ok(!(await page.isVisible('code.key')), `${key}: the public key is folded away`);
  await page.click('details.how summary');
  ok(await page.isVisible('code.key') && (await page.textContent('details.how summary')) === w.how &&
    (await page.textContent('details.how')).split(/[.。]/).filter((s) => s.trim().length > 8).length >= 3,
  `${key}: "${w.how}" opens the key and two sentences about it`);
  ok(await page.isVisible('svg.chart'), `${key}: the grade's bars`);
  const meta = await page.$$eval('meta[property^="og:"]', (m) => Object.fromEntries(m.map((x) => [x.getAttribute('property'), x.content])));
  ok(meta['og:title'] && meta['og:title'].includes('Oranges') && meta['og:description'].includes(w.coop) &&
    /^https:\/\/.+\/evidence\/[0-9a-f]{64}$/.test(meta['og:image']) &&
    meta['og:image'].endsWith(await page.getAttribute('figure.photo img', 'src')),
  `${key}: Open Graph title, description, and the lot's photo as its image (absolute)`, JSON.stringify(meta));
  // The photo: near the top, loaded, sized for a phone, its bytes checked against the record.
  const img = await page.$eval('figure.photo img', (i) => ({ w: i.naturalWidth, shown: i.getBoundingClientRect(),
    top: i.getBoundingClientRect().top, lazy: i.loading }));
  ok(img.w > 0 && img.shown.width <= PHONE.width && img.top < PHONE.height && img.lazy !== 'lazy',
    `${key}: the photo is shown near the top, within a phone's width, not lazy`, JSON.stringify(img));
  await page.waitForSelector('#photo-check.ok', { timeout: 10000 }).catch(() => null);
  const caption = await page.textContent('figure.photo figcaption');
  ok(caption.includes(w.photoChecked), `${key}: the photo's bytes are checked against its signed hash`, caption);
  // The certificates: kind in words, title in the reader's language, issuer, date, the file.
  const certs = await page.$$eval('li[data-cert]', (l) => l.map((x) => ({ text: x.innerText,
    href: x.querySelector('a').getAttribute('href'), type: x.querySelector('a').getAttribute('type'),
    thumb: x.querySelector('img.thumb')?.loading })));
  ok(certs.length === 2 && (await page.textContent('#certs-h')) === w.certs,
    `${key}: two certificates listed under "${w.certs}"`, JSON.stringify(certs));
  ok(certs.every((c, i) => c.text.includes(w.kinds[i]) && c.text.includes(w.titles[i])) &&
    certs[0].text.includes(w.issuer) && certs[0].text.includes(w.issued) && certs[0].text.includes(w.open) &&
    certs[0].type === 'application/pdf' && certs[1].thumb === 'lazy',
  `${key}: each certificate's kind, title, issuer, date and file; an image's thumbnail lazy`, JSON.stringify(certs));
  const pdf = await fetch(base + certs[0].href, { headers: { Range: 'bytes=0-4' } });
  ok(pdf.status === 206 && pdf.headers.get('content-type') === 'application/pdf' &&
    (await pdf.text()) === '%PDF-' && pdf.headers.get('etag') === `"${certs[0].href.split('/').pop()}"`,
  `${key}: the certificate's file answers a Range with 206, its type and its hash as ETag`);
  ok(offsite.length === 0, `${key}: nothing fetched off the station`, offsite.join('\n'));
  const weight = await bytes();
  console.log(`# ${key}: first view ${weight} bytes (page, CSS, script, logo and bundle); ` +
    `the photo ${await bytes(true)} bytes more`);
  ok(weight > 5000 && weight < 30 * 1024, `${key}: first view under 30 KB`, weight);
  // The switch: the other language, kept by a cookie when the address is opened again.
  await Promise.all([page.waitForURL(/lang=/, { timeout: 10000 }), page.click('#lang')]);
  const otherKey = key === 'zh' ? 'en' : 'zh';
  ok(await page.getAttribute('html', 'lang') === W[otherKey].lang, `${key}: the switch renders ${otherKey}`);
  await page.goto(base + okPath, { waitUntil: 'load' });
  ok(await page.getAttribute('html', 'lang') === W[otherKey].lang &&
    (await page.textContent('#lang')) === W[otherKey].other, `${key}: the choice is remembered (cookie)`);
  await context.close();

  // Without JavaScript: the whole story is there; only the mark is missing, and says why.
  const nojs = await open(okPath, w.locale, { js: false });
  const plain = await mainText(nojs.page);
  const items = await nojs.page.locator('ol.timeline li').count();
  ok(items === 7 && plain.includes(w.mix) && plain.includes(w.titles[0]) && plain.includes(w.place) && await nojs.page.isVisible('noscript p, main noscript'),
    `${key}: without JavaScript the story, grade and place are all there`, plain);
  await nojs.context.close();

  // The recall banner.
  const rc = await open(recalledPath, w.locale);
  const banner = await rc.page.isVisible('#banner.recalled') ? await rc.page.textContent('#banner') : '';
  for (const [what, word] of [['says recalled', w.recall], ['reason', w.reason], ['what to do', w.todo],
    ['hotline', w.hotline]])
    ok(banner.includes(word), `${key}: recall banner: ${what}`, banner);
  ok(/\d{4}/.test(banner), `${key}: recall banner: its date`, banner);
  const rv = await rc.page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 }).then(() => rc.page.getAttribute('#verify', 'class'));
  ok(rv.includes('ok'), `${key}: the recalled batch still verifies`);
  await rc.context.close();

  // An unknown lot of a known GTIN: a warning in place, never a redirect.
  const un = await open(unknownPath, w.locale);
  const ut = await mainText(un.page);
  ok(un.response.status() === 404 && un.page.url() === base + unknownPath && ut.includes(w.unknown) &&
    ut.includes(w.hotline), `${key}: unknown lot: 404 with the warning and the hotline, no redirect`,
  `${un.response.status()} ${un.page.url()} ${ut}`);
  await un.context.close();

  await axeCheck(okPath, w.locale, `${key} batch`);
  await axeCheck(recalledPath, w.locale, `${key} recalled`);
  await axeCheck(unknownPath, w.locale, `${key} unknown lot`);
  await shots(okPath, 'normal', key, w.locale, '#verify.ok');
  await shots(recalledPath, 'recalled', key, w.locale, '#verify.ok');
  await shots(unknownPath, 'unknown', key, w.locale, null);
}

// A page altered on its way (the public note rewritten): the signature check names the record
// and the mark is never shown.
{
  const context = await browser.newContext({ locale: 'en-GB', viewport: PHONE });
  const page = await context.newPage();
  await page.route(base + okPath, async (route) => {
    const r = await route.fetch();
    const body = (await r.text()).split(NOTE).join('Organic, no pesticide ever used');
    await route.fulfill({ response: r, body });
  });
  await page.goto(base + okPath, { waitUntil: 'load', timeout: 20000 });
  const v = await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 }).then(() => page.textContent('#verify'));
  ok((await page.getAttribute('#verify', 'class')).includes('bad') && /record/.test(v),
    'a page whose public note differs from the signed one is not verified', v);
  await context.close();
}

// A page whose certificate title was altered on its way, or whose photo's bytes were swapped:
// the mark is never shown, and the check names what differs.
for (const [what, alter, want] of [
  ['certificate title', (url, body) => url === base + okPath ? body.split('Residue test report').join('Residue-free, certified organic') : null, /certificate/],
  ['photo', (url) => url.includes('/evidence/') && !url.includes('?') ? 'swapped' : null, /photo/],
]) {
  const context = await browser.newContext({ locale: 'en-GB', viewport: PHONE });
  const page = await context.newPage();
  await page.route((u) => u.href === base + okPath || u.pathname.startsWith('/evidence/'), async (route) => {
    const r = await route.fetch();
    const url = route.request().url();
    if (url === base + okPath) {
      const body = alter(url, await r.text());
      return route.fulfill({ response: r, body: body === null ? undefined : body });
    }
    const swapped = alter(url);
    if (!swapped) return route.fulfill({ response: r });
    // Another JPEG of the same size class: the fallback image's bytes differ from the signed.
    const other = Buffer.from(await r.body()); other[other.length - 3] ^= 0xff;
    return route.fulfill({ response: r, body: other });
  });
  await page.goto(base + okPath, { waitUntil: 'load', timeout: 20000 });
  const v = await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 }).then(() => page.textContent('#verify'));
  ok((await page.getAttribute('#verify', 'class')).includes('bad') && want.test(v),
    `a page whose ${what} differs from the signed record is not verified`, v);
  await context.close();
}

// The favicon, and the counterfeit signal in /metrics.
{
  const r = await fetch(base + '/favicon.ico');
  ok(r.status === 200 && r.headers.get('content-type') === 'image/png', 'favicon.ico answers a PNG');
  const m = await fetch(base + '/metrics', { headers: { Authorization: 'Bearer ' + process.env.PT_TOKEN } });
  const line = (await m.text()).split('\n').find((l) => l.startsWith('packtrace_unknown_lot_views_total'));
  ok(line && Number(line.split(' ')[1]) >= 2, 'the unknown-lot views are counted in /metrics', line);
}

await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
