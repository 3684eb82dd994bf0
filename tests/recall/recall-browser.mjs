// recall-browser.mjs: the buyer portal's recall notices in Debian's Chromium driven by
// playwright-core: buyer A signs in, sees N1's recall (lot, reason, quantity shipped) and N2's
// hold, acknowledges the recall in English and the hold in Chinese; the station's database
// then holds each acknowledgement as given; buyer B sees no notice; the operator's dashboard
// shows both with their progress; an admin opens N1's impact list from its row (its load,
// destination and the buyer account told), in Chinese too, and walks back from buyer A's GLN.
// Prints TAP.
// argv: BASE_URL OUT_DIR PASSWORD STATION_DB
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, outDir, pw, db] = process.argv.slice(2);

let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} ${name}`);
  if (!cond && detail !== undefined) console.log('# ' + String(detail).replace(/\n/g, '\n# '));
}
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, q], { encoding: 'utf8' }).trim();

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
async function signIn(name, locale) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(base + '/buyer', { waitUntil: 'load', timeout: 20000 });
  await page.fill('#name', name);
  await page.fill('#password', pw);
  await page.click('#signin-go');
  await page.locator('#who:not([hidden])').waitFor({ timeout: 15000 });
  return { page, problems };
}
const notice = (page, lot) => page.locator('#notices li.notice', { hasText: 'N' + lot }).first();

try {
  const { page, problems } = await signIn('buyer-a', 'en-US');
  await page.locator('#notices li.notice').first().waitFor({ timeout: 15000 });
  const recall = notice(page, '1'), hold = notice(page, '2');
  const rtext = await recall.textContent();
  ok(/Recall/.test(rtext) && /Listeria found/.test(rtext) && /100 KGM/.test(rtext),
    'buyer A sees N1\'s recall with its reason and the quantity shipped to them', rtext);
  ok(/Hold/.test(await hold.textContent()) && /residue check/.test(await hold.textContent()),
    'and N2\'s hold', await hold.textContent());
  await recall.locator('input[name=on_hand]').fill('12.5');
  await recall.locator('input[name=action]').fill('pulled from shelves, returning');
  await recall.locator('button[type=submit]').click();
  await notice(page, '1').locator('.n-acked').waitFor({ timeout: 10000 });
  ok(/12.5 on hand; pulled from shelves, returning/.test(await notice(page, '1').textContent()),
    'the acknowledged recall shows who, when, the quantity and the action', await notice(page, '1').textContent());
  const row = sql("SELECT n.state, n.ack_by, n.ack_on_hand, n.ack_action FROM recall_notices n JOIN recalls r ON r.id = n.recall_id JOIN batches b ON b.id = r.batch_id WHERE b.lot = 'N1' AND n.recipient = 'buyer'");
  ok(row === 'acknowledged|buyer-a|12.5|pulled from shelves, returning', 'the station holds exactly that acknowledgement', row);
  await page.screenshot({ path: join(outDir, 'recall-buyer-en.png'), fullPage: true });

  await page.click('#lang');
  await page.locator('#notices h2', { hasText: '召回通知' }).waitFor({ timeout: 5000 });
  const htext = await notice(page, '2').textContent();
  ok(/暂扣/.test(htext) && /确认收到/.test(htext), 'in Chinese: the notices\' title, the hold and its button', htext);
  await notice(page, '2').locator('input[name=on_hand]').fill('0');
  await notice(page, '2').locator('input[name=action]').fill('已全部售出');
  await notice(page, '2').locator('button[type=submit]').click();
  await notice(page, '2').locator('.n-acked').waitFor({ timeout: 10000 });
  const row2 = sql("SELECT n.state, n.ack_on_hand, n.ack_action FROM recall_notices n JOIN recalls r ON r.id = n.recall_id JOIN batches b ON b.id = r.batch_id WHERE b.lot = 'N2' AND n.recipient = 'buyer'");
  ok(row2 === 'acknowledged|0.0|已全部售出' || row2 === 'acknowledged|0|已全部售出', 'the hold acknowledged in Chinese, stored as typed', row2);
  await page.screenshot({ path: join(outDir, 'recall-buyer-zh.png'), fullPage: true });
  ok(problems.length === 0, 'no script errors', problems.join('\n'));

  const b = await signIn('buyer-b', 'en-US');
  await b.page.waitForTimeout(1500);
  ok(await b.page.locator('#notices').isHidden() && (await b.page.locator('#notices li').count()) === 0,
    'buyer B, of another GLN, sees no notice');

  /* The operator's dashboard: the recall's progress, then the drill's. */
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const op = await context.newPage();
  await op.goto(base + '/station', { waitUntil: 'load', timeout: 20000 });
  await op.fill('#name', 'op');
  await op.fill('#password', pw);
  await op.click('#login button[type=submit]');
  const n1 = op.locator('#recalls table.recalls tr', { hasText: 'N1' });
  await n1.waitFor({ timeout: 15000 });
  const t1 = await n1.textContent();
  ok(/recall/.test(t1) && /Listeria found/.test(t1) && /1 of 1 acknowledged/.test(t1) && /100 KGM of 100 KGM accounted for/.test(t1) && /12\.5 KGM/.test(t1),
    'the dashboard: N1\'s recall, 1 of 1 buyers acknowledged, 100 KGM accounted for, 12.5 on hand', t1);
  const t2 = await op.locator('#recalls table.recalls tr', { hasText: 'N2' }).textContent();
  ok(/hold/.test(t2) && /1 of 1 acknowledged/.test(t2), 'and N2\'s hold', t2);
  await op.locator('#recalls').screenshot({ path: join(outDir, 'recall-dashboard-en.png') });
  ok(await op.locator('#impact').isHidden() && (await n1.locator('button', { hasText: 'Impact list' }).count()) === 0,
    'an operator gets no impact list (the API is an admin\'s)');

  /* An admin: N1's impact list from its row, in both languages, then backward from a GLN. */
  const actx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const adm = await actx.newPage();
  const admProblems = [];
  adm.on('pageerror', (e) => admProblems.push(e.message));
  await adm.goto(base + '/station', { waitUntil: 'load', timeout: 20000 });
  await adm.fill('#name', 'adm');
  await adm.fill('#password', pw);
  await adm.click('#login button[type=submit]');
  const a1 = adm.locator('#recalls table.recalls tr', { hasText: 'N1' });
  await a1.locator('button', { hasText: 'Impact list' }).click({ timeout: 15000 });
  await adm.locator('#impact-summary').waitFor({ timeout: 10000 });
  const sum = await adm.locator('#impact-summary').textContent();
  ok(/^1 lots, 1 loads, 1 destinations · shipped 100 KGM · still in the shed none/.test(sum),
    'the admin opens N1\'s impact list from its row: 1 lot, 1 load, 1 destination, 100 KGM shipped', sum);
  const loads = await adm.locator('table.impact-loads').textContent();
  const dests = await adm.locator('table.impact-dests').textContent();
  ok(/#1/.test(loads) && /A-111/.test(loads) && /S-1/.test(loads) && /Buyer A/.test(loads) && /N1 \(100 KGM\)/.test(loads),
    '  its load: number, plate, seal, destination and what it carried of N1', loads);
  ok(/Buyer A/.test(dests) && /4012345000016/.test(dests) && /buyer-a/.test(dests),
    '  its destination with the buyer account that is told', dests);
  await adm.locator('#impact').screenshot({ path: join(outDir, 'recall-impact-en.png') });
  await adm.click('#lang');
  await adm.locator('#impact-title', { hasText: '影响范围' }).waitFor({ timeout: 5000 });
  await adm.locator('#recalls table.recalls tr', { hasText: 'N1' }).locator('button', { hasText: '影响范围' }).click();
  await adm.locator('#impact-summary', { hasText: '个批次' }).waitFor({ timeout: 10000 });
  const zh = await adm.locator('#impact-summary').textContent();
  ok(/^1 个批次，1 车，1 个收货方 · 已发货 100 KGM/.test(zh), '  in Chinese', zh);
  await adm.selectOption('#impact-form select[name=by]', 'gln');
  await adm.fill('#impact-form input[name=value]', '4012345000016');
  await adm.click('#impact-form button[type=submit]');
  await adm.locator('table.impact-lots tr', { hasText: 'N2' }).waitFor({ timeout: 10000 });
  const back = await adm.locator('table.impact-lots').textContent();
  ok(/N1/.test(back) && /N2/.test(back), 'backward from buyer A\'s GLN: both lots it got', back);
  await adm.locator('#impact').screenshot({ path: join(outDir, 'recall-impact-zh.png') });
  ok(admProblems.length === 0, 'no script errors on the admin\'s dashboard', admProblems.join('\n'));
} catch (e) {
  ok(false, 'the recall notices on the portal', e.stack || e.message);
}
await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
