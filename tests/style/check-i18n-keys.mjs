// check-i18n-keys.mjs: the buyer pages read every word from the one translation table
// (web-ui/i18n.json): every key their scripts and HTML name exists there in English and
// Chinese, every family of keys they build from a code (prefix + code) has members, and no
// buyer script carries a table of its own (ptUi.strings) or a buyer-i18n.js.  A key that a
// script uses and the table lacks would show as the key itself, so this fails on it.
// argv: SOURCE_ROOT.  Prints TAP.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
const web = join(root, 'web-ui');
const SCRIPTS = ['buyer.js', 'buyer-charts.js', 'buyer-notices.js', 'buyer-loads.js', 'hub-loads.js'];
const PAGES = ['buyer.html', 'hub-loads.html'];
/* Keys built at run time from a state: 'bu.' + status of a held or recalled batch. */
const BUILT = ['bu.held', 'bu.recalled'];

let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} ${name}`);
  if (!cond && detail) console.log('# ' + String(detail).replace(/\n/g, '\n# '));
}

const table = JSON.parse(readFileSync(join(web, 'i18n.json'), 'utf8'));
const bad = Object.keys(table).filter((k) => {
  const v = table[k];
  return !Array.isArray(v) || v.length !== 2 || v.some((s) => typeof s !== 'string' || !s.trim());
});
ok(bad.length === 0, 'every entry of i18n.json has its English and its Chinese', bad.join(' '));

const used = new Map(), prefixes = new Map();
function use(key, where) { if (!used.has(key)) used.set(key, where); }
for (const f of SCRIPTS.concat(PAGES)) {
  const s = readFileSync(join(web, f), 'utf8');
  if (f.endsWith('.js')) ok(!/\bui\.strings\s*\(|ptUi\.strings\s*\(/.test(s), `${f} has no table of its own`);
  /* t('key'...), data-t="key", data-t-placeholder / -label, ui.facts' ['key', value] rows. */
  for (const m of s.matchAll(/\bt\(\s*'([^']+)'/g)) if (!/[:.]$/.test(m[1])) use(m[1], f);
  for (const m of s.matchAll(/data-t(?:-placeholder|-label)?="([^"]+)"/g)) use(m[1], f);
  /* Any quoted bu. key (keys picked by a condition, passed around), and the prefixes of the
   * families built from a code ('bu.n.state:' + s, ui.word(['bu.step:', 'step:'], ...)). */
  for (const m of s.matchAll(/'((?:bu\.|step:|disp:|status:|cls:|class:)[^' ]*)'/g)) {
    if (/[:.]$/.test(m[1])) prefixes.set(m[1], f);
    else use(m[1], f);
  }
}
for (const k of BUILT) use(k, 'built from a batch state');
const missing = [...used].filter(([k]) => !Object.hasOwn(table, k)).map(([k, f]) => `${k} (${f})`);
ok(used.size > 150, `the buyer pages name their words by key (${used.size} keys)`);
ok(missing.length === 0, 'every key the buyer pages use is in i18n.json', missing.join('\n'));
const empty = [...prefixes].filter(([p]) => !Object.keys(table).some((k) => k.startsWith(p) && k !== p));
ok(empty.length === 0, `every family of keys built from a code has words (${[...prefixes.keys()].join(' ')})`,
  empty.map(([p, f]) => `${p} (${f})`).join('\n'));
/* The words of the codes the station writes, for the buyer's timeline and its charts. */
const codes = ['step:commissioning', 'step:inspecting', 'step:holding', 'step:loading', 'step:departing',
  'step:accepting', 'step:sampling', 'disp:conformant', 'disp:non_conformant', 'disp:damaged',
  'status:held', 'status:recalled', 'bu.status:active', 'cls:Extra', 'cls:I', 'cls:II', 'cls:out',
  'bu.defect:bruise', 'bu.role:buyer'];
const noCode = codes.filter((k) => !Object.hasOwn(table, k));
ok(noCode.length === 0, 'the codes a buyer meets have words', noCode.join(' '));
ok(!existsSync(join(web, 'buyer-i18n.js')), 'no second table (buyer-i18n.js) is left');
const pageSrc = PAGES.map((f) => readFileSync(join(web, f), 'utf8')).join('\n');
ok(!pageSrc.includes('buyer-i18n.js'), 'no page loads a second table');

console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
