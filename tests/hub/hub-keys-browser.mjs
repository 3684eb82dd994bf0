// hub-keys-browser.mjs: one consumer page the co-op hub serves, in Debian's Chromium
// (playwright-core), for a lot whose events were signed on both sides of a key rotation: the
// page follows the bundle's key chain and says "Verified".  Prints the verdict; exits 0 when
// verified.  argv: BASE_URL PATH
import { createRequire } from 'node:module';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, path] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
const page = await browser.newPage({ locale: 'en-US' });
await page.goto(base + path, { waitUntil: 'load', timeout: 20000 });
await page.waitForSelector('#verify.ok, #verify.bad', { timeout: 20000 });
const cls = await page.getAttribute('#verify', 'class');
const text = await page.textContent('#verify');
console.log(`${cls}: ${text}`);
await browser.close();
process.exit(cls.includes('ok') && text.includes('Verified') ? 0 : 1);
