// signed-browser.mjs: the consumer page in Debian's Chromium (playwright-core) shows the facts
// its signed events state, and never the verified mark when what it shows differs from them:
// an untouched batch is verified; a batch whose row was edited shows the signed values with a
// warning; a page whose embedded facts were altered on the way (as a cache or proxy could) is
// caught by the in-browser comparison with the verified bundle; a recall undone in the row
// still shows the recall banner.  Prints TAP.
// argv: BASE_URL OK_PATH EDITED_PATH RECALLED_PATH
import { createRequire } from 'node:module';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, okPath, editedPath, recalledPath] = process.argv.slice(2);

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
    await page.route((url) => url.pathname.startsWith('/01/'), async (route) => {
      const response = await route.fetch();
      route.fulfill({ response, body: alter(await response.text()) });
    });
  }
  await page.goto(base + path, { waitUntil: 'load', timeout: 20000 });
  await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 });
  return { context, page, cls: await page.getAttribute('#verify', 'class'),
    text: await page.textContent('#verify'), body: await page.textContent('body') };
}

let v = await open(okPath);
ok(v.cls.includes('ok') && v.text.includes('Verified'), 'an untouched batch is verified', v.text);
await v.context.close();

v = await open(editedPath);
ok(v.body.includes('Oranges') && !v.body.includes('Gold kiwi'), 'an edited row: the signed product is shown', v.body);
ok(!v.body.includes('Other farm'), 'an edited row: the edited grower is not shown', v.body);
ok(v.cls.includes('bad') && !v.text.includes('Verified'), 'an edited row: a warning, not the verified mark', v.text);
ok(v.text.includes('product') && v.text.includes('grower'), 'the warning names the fields', v.text);
await v.context.close();

// The page's embedded facts altered in transit; the bundle it checks is the station's.
v = await open(okPath, (html) => html.replace('"product":"Oranges"', '"product":"Gold kiwi"')
  .replace('"grower":"Li farm"', '"grower":"Other farm"'));
ok(v.body.includes('Gold kiwi'), 'the altered page shows the altered product', v.body);
ok(v.cls.includes('bad') && !v.text.includes('Verified'), 'the browser finds the shown facts differ from the signed ones', v.text);
ok(v.text.includes('product') && v.text.includes('grower'), 'and names them', v.text);
await v.context.close();

v = await open(recalledPath);
ok(await v.page.isVisible('#banner.recalled'), 'a recall undone in the row still shows the recall banner', v.body);
await v.context.close();

await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
