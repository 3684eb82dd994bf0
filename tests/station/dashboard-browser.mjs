// dashboard-browser.mjs: the operator dashboard (/station) in Debian's Chromium (driven by
// playwright-core) at 1366x768: signed out, the sign-in form alone and no protected route
// asked for; a wrong password said at the form; signed in, the "needs attention" strip with
// the held batch on an open load (status word, colour and reason) and the printer alert, word
// for word in both languages;
// dates in the station's zone as YYYY-MM-DD HH:MM; the load close refused for the held batch,
// the batch taken off from the strip and the load closed; the batch list's search and
// columns and the new-batch form's messages next to their fields; the language switch (kept
// over a reload) and Chinese by default for a zh browser; a grading opened from the
// dashboard, fruit graded out beyond the tolerance (as the grading camera would record
// them) shown as a warning while it runs, the stills of fruit graded below class (by the CLI
// on generated fruit images) as thumbnails with class and defect, cached, and the grading
// closed as non-conformant; printing: the printers of station.ini offered as a list (the
// default chosen), a label printed on the one chosen, the dock printer's failed job retried
// then cancelled from the job list; screenshots in both languages;
// axe-core when installed; an admin's users, API keys and drivers' logins managed from the
// dashboard (an operator does not see that part).  Prints TAP.
// argv: BASE_URL OPERATOR PASSWORD OUT_DIR OPERATOR_TOKEN STATION_DB [AXE_JS]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, opName, opPassword, outDir, opToken, stationDb, axePath] = process.argv.slice(2);
const pport = process.env.PT_PPORT, fruitImages = process.env.PT_IMG;

let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} ${name}`);
  if (!cond && detail !== undefined) console.log('# ' + String(detail).replace(/\n/g, '\n# '));
}
async function step(name, fn) {
  try { const r = await fn(); ok(r === true, name, r); } catch (e) { ok(false, name, e.message); }
}
const visible = (page, sel, opts) => page.locator(sel, opts).waitFor({ timeout: 10000 }).then(() => true, () => false);
/* Scrolls to @sel for a screenshot.  The live panels are drawn again on every refresh and
 * language change, so the element found can be replaced before the scroll: find it again. */
async function scrollTo(sel) {
  for (let i = 0; ; i++) {
    try { return await page.locator(sel).scrollIntoViewIfNeeded({ timeout: 5000 }); }
    catch (e) { if (i >= 4 || !/not attached/.test(e.message)) throw e; }
  }
}
async function api(path) {
  const r = await fetch(base + path, { headers: { Authorization: 'Bearer ' + opToken } });
  return r.json();
}
/* What the station's zone (Asia/Shanghai) makes of @iso, written as the page must write it. */
function shanghai(iso) {
  const p = {};
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso)).forEach((x) => { p[x.type] = x.value; });
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
const viewport = { width: 1366, height: 768 };
const context = await browser.newContext({ locale: 'en-US', viewport, timezoneId: 'America/New_York' });
const page = await context.newPage();
const requests = [];
page.on('request', (r) => requests.push(r.url()));
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));

/* ---- 1. signed out ---- */
await page.goto(base + '/station', { waitUntil: 'load', timeout: 20000 });
await step('signed out: the sign-in form is shown', async () => visible(page, '#login'));
await page.waitForTimeout(3000);
await step('signed out: the sign-in form is the only form and the dashboard is hidden', async () => {
  const shown = await page.evaluate(() => {
    const seen = (e) => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
    return {
      forms: [...document.querySelectorAll('form')].filter(seen).map((f) => f.id),
      inputs: [...document.querySelectorAll('input, select')].filter(seen).map((i) => i.id || i.name),
      main: seen(document.getElementById('dash')),
      strip: seen(document.getElementById('attention')),
      bad: [...document.querySelectorAll('.verify.bad')].filter(seen).length,
    };
  });
  return (shown.forms.join() === 'login' && shown.inputs.join() === 'name,password' && !shown.main && !shown.strip &&
    shown.bad === 0) || JSON.stringify(shown);
});
await step('signed out: no protected route is asked for in 3 s', async () => {
  const asked = requests.filter((u) => u.includes('/api/') && !u.endsWith('/api/v1/session'));
  return asked.length === 0 || asked.join('\n');
});
await page.fill('#name', opName);
await page.fill('#password', 'not the password');
await page.click('#login button[type=submit]');
await step('a wrong password is said at the form', async () =>
  (await visible(page, '#login #login-msg.bad', { hasText: 'Wrong name or password' })) &&
  !(await page.isVisible('#dash')) || await page.textContent('#login'));

/* ---- signed in: the strip ---- */
await page.fill('#password', opPassword);
await page.click('#login button[type=submit]');
await step('signed in: who is shown and the form is gone', async () =>
  (await visible(page, '#who', { hasText: opName })) && await page.isHidden('#login') || 'not signed in');
const held = page.locator('#attention li[data-kind=load-batch]', { hasText: 'HELD1' });
await step('the strip names the held batch on the open load with status word and reason', async () => {
  await held.waitFor({ timeout: 10000 });
  const text = (await held.textContent()).replace(/\s+/g, ' ');
  const cls = await held.getAttribute('class');
  return (/held: Customer complaint: mould/.test(text) && /open load 1 \(SH 123\)/.test(text) && /\bheld\b/.test(cls)) ||
    cls + ' | ' + text;
});
await step('the held batch has its action in the strip', async () =>
  (await held.locator('button[data-action=take-off]').count()) === 1 || await held.innerHTML());
const printer = page.locator('#attention li[data-kind=printer]');
await step('the printer alert names the printer by its label and address, with what it met and its queue', async () => {
  await printer.waitFor({ timeout: 20000 });
  const text = await printer.locator('.alert-text').textContent();
  const want = `Printer Dock label printer (127.0.0.1:${pport}): cannot connect — retrying, 1 job waiting`;
  return (text === want && (await printer.locator('a[href="#print-jobs-title"]', { hasText: 'Retry or cancel its jobs' }).count()) === 1) ||
    text + ' | ' + want;
});
await step('no broken picture after sign-in', async () => {
  const broken = await page.evaluate(() => [...document.images].filter((i) =>
    (i.offsetWidth || i.offsetHeight) && !(i.complete && i.naturalWidth)).map((i) => i.alt || i.src));
  return broken.length === 0 || broken.join();
});

/* ---- dates in the station's zone ---- */
const load = await api('/api/v1/loads/1');
const card = page.locator('article.load[data-load="1"]');
await step("a load's opening time is YYYY-MM-DD HH:MM in the station's zone", async () => {
  await card.waitFor({ timeout: 10000 });
  const shown = (await card.locator('dd').nth(3).textContent()).trim();
  return (shown === shanghai(load.opened) && /^\d{4}-\d\d-\d\d \d\d:\d\d$/.test(shown)) || shown + ' vs ' + shanghai(load.opened);
});
await step('the load list shows driver, destination and state', async () => {
  const row = page.locator('table.loads-all tr', { hasText: 'SH 123' });
  await row.waitFor({ timeout: 10000 });
  const text = await row.textContent();
  return (/Wang Wei/.test(text) && /Fresh Co/.test(text) && /open/.test(text)) || text;
});
await step('the held batch is marked on its load', async () => {
  const mark = card.locator('span.lot.blocked', { hasText: 'HELD1' });
  await mark.waitFor({ timeout: 10000 });
  return (await card.getAttribute('class')).includes('blocked') || await card.getAttribute('class');
});
await step("the driver's plate photo is shown on the load and opens the stored JPEG", async () => {
  const img = card.locator('a.photo[data-kind=plate] img');
  await img.waitFor({ timeout: 10000 });
  const width = await img.evaluate((i) => (i.complete ? i.naturalWidth : new Promise((res) => {
    i.addEventListener('load', () => res(i.naturalWidth), { once: true });
    i.addEventListener('error', () => res(-1), { once: true });
  })));
  const href = await card.locator('a.photo[data-kind=plate]').getAttribute('href');
  const r = await context.request.get(base + href);
  const other = await context.request.get(base + '/api/v1/loads/1/photos/99');
  const anon = await fetch(base + href);
  return (width > 0 && r.ok() && r.headers()['content-type'] === 'image/jpeg' && other.status() === 404 &&
    anon.status === 401) || width + ' ' + href + ' ' + r.status() + ' ' + other.status() + ' ' + anon.status;
});
await page.screenshot({ path: join(outDir, 'dashboard-en.png') });
await page.screenshot({ path: join(outDir, 'dashboard-en-full.png'), fullPage: true });

/* ---- the load close refused, the batch taken off, the load closed ---- */
page.once('dialog', (d) => d.accept());
await card.locator('button[data-action=close]').click();
await step("closing the load shows the station's refusal naming the held batch", async () => {
  const refusal = card.locator('p.close-refused');
  await refusal.waitFor({ timeout: 10000 });
  const text = await refusal.textContent();
  const still = await api('/api/v1/loads/1');
  return (/HELD1/.test(text) && still.state === 'open') || text + ' ' + still.state;
});
await held.locator('button[data-action=take-off]').click();
await step('taken off from the strip: the alert goes and the load no longer lists it', async () => {
  await held.waitFor({ state: 'detached', timeout: 10000 });
  const l = await api('/api/v1/loads/1');
  return !l.batches.some((b) => b.lot === 'HELD1') || JSON.stringify(l.batches);
});
page.once('dialog', (d) => d.accept());
await page.locator('article.load[data-load="1"] button[data-action=close]').click();
await step('then the load closes', async () =>
  (await visible(page, '#load-msg.ok', { hasText: 'closed' })) && (await api('/api/v1/loads/1')).state === 'closed' ||
  await page.textContent('#load-msg'));

/* ---- batches: columns, search, the form ---- */
await step('the batch list has grower, pack date, grade verdict and status columns', async () => {
  const head = await page.locator('#batches table thead').textContent();
  const row = (await page.locator('#batches tr', { hasText: 'OK1' }).textContent()).replace(/\s+/g, ' ');
  return (/Grower/.test(head) && /Pack date/.test(head) && /Grade verdict/.test(head) && /Status/.test(head) &&
    /Li farm/.test(row) && /2026-11-25/.test(row) && /I · conformant/.test(row)) || head + ' | ' + row;
});
await step('the held batch shows its status word and reason in the list', async () => {
  const row = (await page.locator('#batches tr', { hasText: 'HELD1' }).textContent()).replace(/\s+/g, ' ');
  return /held: Customer complaint: mould/.test(row) || row;
});
await page.fill('#batch-search', 'chen');
await step('search keeps only the matching batches', async () => {
  const lots = await page.locator('#batches tbody tr').evaluateAll((rows) => rows.map((r) => r.cells[0].textContent));
  return lots.join() === 'HELD1' || lots.join();
});
await page.fill('#batch-search', '');
await page.fill('#new-batch [name=product]', 'Lemons');
await page.fill('#new-batch [name=gtin]', '12ab');
await page.click('#new-batch button[type=submit]');
await step('a malformed GTIN is said next to its field', async () =>
  (await visible(page, '.field-msg[data-for=gtin]', { hasText: '8 to 14 digits' })) &&
  (await page.getAttribute('#new-batch [name=gtin]', 'aria-invalid')) === 'true' || await page.textContent('#new-batch'));
await page.fill('#new-batch [name=gtin]', '09506000134352');
await page.fill('#new-batch [name=lot]', 'BAD LOT!');
await page.click('#new-batch button[type=submit]');
await step("the station's refusal of a lot is said next to the lot field", async () =>
  (await visible(page, '.field-msg[data-for=lot]', { hasText: /lot/i })) || await page.textContent('#new-batch'));
await page.fill('#new-batch [name=lot]', 'LEM1');
await page.fill('#new-batch [name=origin]', 'ES');
await page.fill('#new-batch [name=grower]', 'Huerta Sol');
await page.fill('#new-batch [name=harvest_date]', '2026-11-28');
await page.fill('#new-batch [name=pack_date]', '2026-11-30');
await page.fill('#new-batch [name=quantity]', '40');
await page.selectOption('#new-batch [name=uom]', 'XCS');
await page.click('#new-batch button[type=submit]');
await step('a batch made with every field the CLI takes', async () => {
  await page.locator('#op-msg.ok', { hasText: 'LEM1' }).waitFor({ timeout: 10000 });
  const b = await api('/api/v1/batches/LEM1');
  return (b.origin === 'ES' && b.grower === 'Huerta Sol' && b.harvest_date === '2026-11-28' && b.pack_date === '2026-11-30' &&
    b.quantity === 40 && b.uom === 'XCS') || JSON.stringify(b);
});

/* ---- printing: a printer chosen from station.ini's list; a failed job retried, then cancelled ---- */
await step("the print form offers station.ini's printers, the default chosen, and no address field", async () => {
  const opts = await page.locator('#bulk-print select[name=printer] option').evaluateAll((o) => o.map((x) => x.value + '=' + x.textContent));
  const chosen = await page.inputValue('#bulk-print select[name=printer]');
  const typed = await page.isVisible('#bulk-print input[name=address]');
  return (opts.join('|') === `dock=Dock label printer (dock, 127.0.0.1:${pport})|office=office (` + opts[1].split('(')[1] &&
    opts.length === 2 && chosen === 'dock' && !typed) || opts.join('|') + ' chosen ' + chosen + ' typed ' + typed;
});
const dockJob = page.locator('#print-jobs tbody tr', { hasText: 'OK1' }).filter({ has: page.locator('span.job-state.retrying') });
await step("the job list shows the dock printer's job retrying, with what it met, Retry and Cancel", async () => {
  await dockJob.waitFor({ timeout: 10000 });
  const text = (await dockJob.textContent()).replace(/\s+/g, ' ');
  return (/Dock label printer/.test(text) && /retrying/.test(text) && /cannot connect/.test(text) &&
    (await dockJob.locator('button[data-action=retry-job]').count()) === 1 &&
    (await dockJob.locator('button[data-action=cancel-job]').count()) === 1) || text;
});
await page.locator('#print').scrollIntoViewIfNeeded();
await page.screenshot({ path: join(outDir, 'dashboard-print-en.png') });
const dockId = Number(await dockJob.locator('button[data-action=retry-job]').getAttribute('data-job'));
const triesBefore = (await api('/api/v1/print-jobs?ids=' + dockId)).jobs[0].attempts;
await dockJob.locator('button[data-action=retry-job]').click();
await step('Retry sends the failed job again at once', async () => {
  await page.locator('#print-msg.ok', { hasText: `Job ${dockId} (OK1) is tried again now.` }).waitFor({ timeout: 10000 });
  for (let i = 0; i < 50; i++) {
    const j = (await api('/api/v1/print-jobs?ids=' + dockId)).jobs[0];
    if (j.attempts > triesBefore) return true;
    await page.waitForTimeout(200);
  }
  return 'attempts stayed ' + triesBefore;
});
await page.locator(`#print-jobs button[data-action=cancel-job][data-job="${dockId}"]`).click();
await step('Cancel takes it out of the queue: cancelled in the list, never sent, and the alert gone', async () => {
  await page.locator('#print-msg.ok', { hasText: `Job ${dockId} (OK1) cancelled` }).waitFor({ timeout: 10000 });
  await page.locator(`#print-jobs span.job-state.cancelled[data-job="${dockId}"]`).waitFor({ timeout: 10000 });
  await printer.waitFor({ state: 'detached', timeout: 10000 });
  const j = (await api('/api/v1/print-jobs?ids=' + dockId)).jobs[0];
  return (j.state === 'cancelled' && (await page.locator(`#print-jobs button[data-job="${dockId}"]`).count()) === 0) || JSON.stringify(j);
});
await page.selectOption('#bulk-print select[name=printer]', 'office');
await page.fill('#bulk-print input[name=lots]', 'OK1');
await page.click('#bulk-print button[type=submit]');
await step('a label printed on the printer chosen from the list', async () => {
  await page.locator('#print-msg', { hasText: '1 of 1 labels printed' }).waitFor({ timeout: 15000 });
  const jobs = (await api('/api/v1/print-jobs')).jobs;
  return (jobs[0].printer_name === 'office' && jobs[0].state === 'done') || JSON.stringify(jobs[0]);
});
/* A second label for the dock printer, still off: the alert comes back (the Chinese part
 * reads it). */
await page.selectOption('#bulk-print select[name=printer]', 'dock');
await page.fill('#bulk-print input[name=lots]', 'LEM1');
await page.click('#bulk-print button[type=submit]');
await step('a label for the printer that is off waits, and its alert is back', async () => {
  await printer.waitFor({ timeout: 15000 });
  const text = await printer.locator('.alert-text').textContent();
  return text === `Printer Dock label printer (127.0.0.1:${pport}): cannot connect — retrying, 1 job waiting` || text;
});

/* ---- grading from the dashboard, with the live tolerance check ---- */
await page.selectOption('#grading-open select[name=batch]', { label: 'GR1 · Oranges' });
await page.selectOption('#grading-open select[name=declared_class]', 'I');
await page.click('#grading-open button[type=submit]');
await step('a grading is opened from the dashboard', async () =>
  (await visible(page, '#live-grading strong', { hasText: 'GR1' })) && (await visible(page, '#grading-msg.ok')) ||
  await page.textContent('#live-grading') + ' ' + await page.textContent('#grading-msg'));
/* What the grading camera would record: 98 fruit, 30 of them meeting no class. */
execFileSync('sqlite3', ['-cmd', '.timeout 5000', stationDb, `
INSERT INTO graded_fruit (grading_id, graded_ns, source, class, diameter_mm, length_mm, weight_g,
  ripe_fraction, green_fraction, defect_count, defect_area_mm2, defect_largest_mm2,
  defect_longest_mm, views, rule, confidence)
SELECT (SELECT id FROM gradings WHERE closed_ns IS NULL), value, 'test', CASE WHEN value <= 30 THEN 'out' ELSE 'I' END,
  70, 70, 200, 1, 0, 0, 0, 0, 0, 1, 'test', 1 FROM generate_series(1, 98);`]);
await step('30 of 98 fruit out: the tolerance warning shows while grading', async () => {
  const warn = page.locator('#live-grading .tolerance.bad', { hasText: 'meeting no class' });
  await warn.waitFor({ timeout: 10000 });
  return ((await page.textContent('#fruit-count')) === '98' && /30 fruit, 30\.61%/.test(await warn.textContent())) ||
    await warn.textContent();
});
/* What the grading camera keeps of fruit below the declared class: graded here by the CLI on
 * generated belt images (a spotted fruit, a small one). */
execFileSync(join(outDir, 'station', 'packtrace'), ['grade', '--batch', 'GR1', '--mm-per-px', '0.3',
  join(fruitImages, 'defect.png'), join(fruitImages, 'small.png')], { stdio: 'ignore' });
const stills = page.locator('#live-grading .stills figure.still');
await step('the stills of fruit below class I show with class and defect', async () => {
  await stills.first().waitFor({ timeout: 15000 });
  const st = await api('/api/v1/batches/GR1/grading/stills');
  const shown = await stills.evaluateAll((f) => f.map((x) => x.dataset.class + ':' + x.querySelector('figcaption').textContent));
  const widths = await stills.locator('img').evaluateAll((imgs) => Promise.all(imgs.map((i) => i.complete ? i.naturalWidth :
    new Promise((res) => { i.addEventListener('load', () => res(i.naturalWidth), { once: true }); i.addEventListener('error', () => res(-1), { once: true }); }))));
  return (st.stills.length >= 2 && shown.length === st.stills.length && st.stills.every((x) => x.class !== 'I' && x.class !== 'Extra') &&
    shown.some((x) => /spot|bruise|mould|russet|cut/.test(x)) && shown.some((x) => /no defect \(size\)/.test(x)) &&
    widths.every((w) => w > 0) && (await page.textContent('#live-grading .stills h3')) === 'Fruit below class I') ||
    JSON.stringify({ shown, widths, api: st.stills.length });
});
await step('a still is cached by the browser (private, a day) and answered 304 with its ETag', async () => {
  const url = base + (await stills.first().locator('img').getAttribute('src'));
  const r = await context.request.get(url);
  const again = await context.request.get(url, { headers: { 'If-None-Match': r.headers().etag } });
  const anon = await fetch(url);
  return (r.status() === 200 && r.headers()['content-type'] === 'image/jpeg' && r.headers()['cache-control'] === 'private, max-age=86400' &&
    again.status() === 304 && anon.status === 401) || [r.status(), r.headers()['cache-control'], again.status(), anon.status].join();
});
await scrollTo('#live-grading .stills');
await page.screenshot({ path: join(outDir, 'dashboard-grading-en.png') });
await page.click('#lang');
await step('the stills in Chinese', async () =>
  (await visible(page, '#live-grading .stills h3', { hasText: '低于 I 级的果实' })) &&
  (await page.locator('#live-grading .stills figcaption', { hasText: '等外' }).first().waitFor({ timeout: 10000 }).then(() => true, () => false)) ||
  await page.textContent('#live-grading'));
await scrollTo('#live-grading .stills');
await page.screenshot({ path: join(outDir, 'dashboard-grading-zh.png') });
await page.click('#lang');
await page.locator('#attention-title', { hasText: 'Needs attention' }).waitFor({ timeout: 10000 });
page.once('dialog', (d) => d.accept());
await page.click('#live-grading button[data-action=close-grading]');
await step('closing it signs the inspection as non-conformant', async () =>
  (await visible(page, '#grading-msg.bad', { hasText: 'non-conformant' })) &&
  (await visible(page, '#batches tr', { hasText: /GR1.*I · non-conformant/ })) &&
  (await api('/api/v1/grades?batches=' + (await api('/api/v1/batches/GR1')).id)).grades[0].disposition === 'non_conformant' ||
  await page.textContent('#grading-msg'));

/* ---- Chinese ---- */
await page.click('#lang');
await step('the switch turns the dashboard Chinese', async () =>
  (await page.getAttribute('html', 'lang')) === 'zh-CN' && (await page.textContent('#attention-title')) === '需要处理' &&
  (await visible(page, '#batches thead', { hasText: '种植者' })) || await page.textContent('body'));
await page.reload({ waitUntil: 'load' });
await step('the choice is kept over a reload', async () =>
  (await visible(page, '#who', { hasText: opName })) && (await page.getAttribute('html', 'lang')) === 'zh-CN' &&
  (await visible(page, 'h2', { hasText: '批次' })) || await page.getAttribute('html', 'lang'));
await step("the printer's alert in Chinese, word for word", async () => {
  await printer.waitFor({ timeout: 10000 });
  const text = await printer.locator('.alert-text').textContent();
  const want = `打印机 Dock label printer (127.0.0.1:${pport})：无法连接 — 正在重试，1 个任务等待中`;
  return (text === want && (await printer.locator('a', { hasText: '重试或取消其任务' }).count()) === 1) || text + ' | ' + want;
});
await step('the print jobs in Chinese: state words, Retry and Cancel', async () => {
  const row = page.locator('#print-jobs tbody tr', { hasText: 'LEM1' });
  await row.waitFor({ timeout: 10000 });
  const text = (await row.textContent()).replace(/\s+/g, ' ');
  return (/正在重试/.test(text) && /无法连接/.test(text) && /重试/.test(await row.locator('button[data-action=retry-job]').textContent()) &&
    (await row.locator('button[data-action=cancel-job]').textContent()) === '取消' &&
    (await visible(page, '#print-jobs span.job-state.cancelled', { hasText: '已取消' }))) || text;
});
await page.locator('#print').scrollIntoViewIfNeeded();
await page.screenshot({ path: join(outDir, 'dashboard-print-zh.png') });
await step('status words, strip and loads are Chinese', async () => {
  await page.locator('#attention li[data-kind=printer]', { hasText: '打印机' }).waitFor({ timeout: 10000 });
  await page.locator('table.loads-all', { hasText: '已发车' }).waitFor({ timeout: 10000 });
  const row = (await page.locator('#batches tr', { hasText: 'HELD1' }).textContent()).replace(/\s+/g, ' ');
  return /暂扣: Customer complaint: mould/.test(row) || row;
});
const english = await page.evaluate(() => {
  const words = ['Needs attention', 'Batches', 'Loads', 'Drivers', 'Close load', 'Add batch', 'Grower', 'Sign out', 'Print'];
  const text = document.body.innerText;
  return words.filter((w) => text.includes(w));
});
ok(english.length === 0, 'no English label of the dashboard is left in Chinese', english.join());
await page.screenshot({ path: join(outDir, 'dashboard-zh.png') });
await page.screenshot({ path: join(outDir, 'dashboard-zh-full.png'), fullPage: true });

/* ---- axe-core ---- */
if (axePath) {
  const axe = readFileSync(axePath, 'utf8');
  for (const lang of ['zh', 'en']) {
    const ctx = await browser.newContext({ locale: lang === 'zh' ? 'zh-CN' : 'en-US', viewport, bypassCSP: true });
    await ctx.request.post(base + '/api/v1/session', { data: { name: opName, password: opPassword } });
    const p = await ctx.newPage();
    await p.goto(base + '/station', { waitUntil: 'load', timeout: 20000 });
    await p.locator('#attention li').first().waitFor({ timeout: 10000 });
    await p.locator('#batches table').waitFor({ timeout: 10000 });
    await p.evaluate(axe);
    const r = await p.evaluate(async () => {
      const res = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] });
      return res.violations.map((v) => v.id + ' (' + v.nodes.length + '): ' + v.nodes.slice(0, 3).map((x) => x.target.join(' ')).join(', '));
    });
    ok(r.length === 0, `axe-core (${lang}, WCAG 2 A/AA): no violation`, r.join('\n'));
    await ctx.close();
  }
} else {
  console.log('ok ' + ++n + ' # SKIP axe-core could not be installed');
}

/* ---- admins: users, API keys and drivers' logins from the dashboard ---- */
{
  const ctx = await browser.newContext({ locale: 'en-US', viewport });
  const p = await ctx.newPage();
  p.on('pageerror', (e) => errors.push(e.message));
  const signIn = async (name) => {
    await p.goto(base + '/station', { waitUntil: 'load', timeout: 20000 });
    await p.fill('#name', name);
    await p.fill('#password', opPassword);
    await p.click('#login button[type=submit]');
    await p.locator('#dash:not([hidden])').waitFor({ timeout: 10000 });
  };
  await signIn(opName);
  await p.locator('#drivers table').waitFor({ timeout: 10000 });
  await step('an operator does not see users and API keys', async () => (await p.locator('#admin').isHidden()) || 'shown');
  await p.locator('#batches tr', { hasText: 'OK1' }).first().waitFor({ timeout: 10000 });
  await step('an operator has no "Attach…" on the batches (admins attach)', async () =>
    (await p.locator('#batches button[data-action=attach]').count()) === 0 || 'shown');
  await ctx.clearCookies();
  await signIn(process.env.PT_ADMIN);
  await step("an admin attaches a product photo to a lot from the dashboard: signed, on the lot's page", async () => {
    const row = p.locator('#batches tr', { hasText: 'OK1' }).first();
    await row.waitFor({ timeout: 10000 });
    p.once('dialog', (d) => d.accept());
    const [chooser] = await Promise.all([p.waitForEvent('filechooser', { timeout: 10000 }),
      row.locator('button[data-action=attach]').click()]);
    await chooser.setFiles(process.env.PT_PHOTO);
    await p.locator('#op-msg', { hasText: 'attached' }).waitFor({ timeout: 10000 });
    const link = await row.locator('a', { hasText: /page/i }).first().getAttribute('href');
    const j = await (await fetch(base + link, { headers: { Accept: 'application/json' } })).json();
    return (j.photo && j.photo.source === 'product' && /^\/evidence\/[0-9a-f]{64}$/.test(j.photo.url)) || JSON.stringify(j.photo);
  });
  await step('an admin sees the users, marked "(you)"', async () => {
    await p.locator('#users table', { hasText: opName }).waitFor({ timeout: 10000 });
    return (await p.textContent('#users')).includes(process.env.PT_ADMIN + ' (you)') || await p.textContent('#users');
  });
  await p.fill('#new-user [name=name]', 'clerk');
  await p.selectOption('#new-user [name=role]', 'operator');
  await p.fill('#new-user [name=password]', 'a clerk password 2026');
  await p.click('#new-user button');
  await step('an admin adds a user, listed with its role', async () => {
    const row = p.locator('#users tr', { hasText: 'clerk' });
    await row.waitFor({ timeout: 15000 });
    return (await row.textContent()).includes('operator') || await row.textContent();
  });
  await p.fill('#new-key [name=name]', 'hub');
  await p.selectOption('#new-key [name=role]', 'buyer');
  await p.click('#new-key button');
  let key = '';
  await step('an admin makes an API key, shown once, that works', async () => {
    await p.locator('#key-msg code').waitFor({ timeout: 10000 });
    key = await p.textContent('#key-msg code');
    const r = await fetch(base + '/api/v1/batches', { headers: { Authorization: 'Bearer ' + key } });
    return r.status === 200 || r.status;
  });
  await p.locator('#keys tr', { hasText: 'hub' }).locator('button[data-action=revoke-key]').click();
  await step('revoking it from the list: it stops working', async () => {
    await p.locator('#keys tr', { hasText: 'hub' }).filter({ hasText: 'revoked' }).waitFor({ timeout: 10000 });
    const r = await fetch(base + '/api/v1/batches', { headers: { Authorization: 'Bearer ' + key } });
    return r.status === 401 || r.status;
  });
  await p.locator('#drivers button[data-action=revoke-logins]').first().click();
  await step("revoking a driver's logins: the phone's token stops working", async () => {
    await p.locator('#driver-msg', { hasText: 'revoked' }).waitFor({ timeout: 10000 });
    const r = await fetch(base + '/api/v1/driver/me', { headers: { Authorization: 'Bearer ' + process.env.PT_DTOKEN } });
    return r.status === 401 || r.status;
  });
  await p.click('#lang');
  /* The lists are drawn again after the language changes: wait for them, do not sample. */
  await step('the admin part in Chinese', async () =>
    p.waitForFunction(() => document.querySelector('#admin-title')?.textContent === '用户和 API 密钥' &&
      document.querySelector('#users')?.textContent.includes('（您）'), null, { timeout: 10000 })
      .then(() => true, async () => `title "${await p.textContent('#admin-title')}", users "${(await p.textContent('#users')).slice(0, 80)}"`));
  await p.screenshot({ path: join(outDir, 'dashboard-admin-zh.png'), fullPage: true });
  await p.click('#lang');
  await ctx.close();
}

/* ---- a zh browser opens in Chinese; signed out, Chinese too ---- */
{
  const zh = await browser.newContext({ locale: 'zh-CN', viewport });
  const p = await zh.newPage();
  await p.goto(base + '/station', { waitUntil: 'load', timeout: 20000 });
  await step('a zh-CN browser gets the Chinese sign-in form', async () =>
    (await visible(p, '#login', { hasText: '登录站点' })) || await p.textContent('body'));
  await p.screenshot({ path: join(outDir, 'dashboard-zh-signed-out.png') });
  await zh.close();
}

ok(errors.length === 0, 'no script errors', errors.join('\n'));
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
