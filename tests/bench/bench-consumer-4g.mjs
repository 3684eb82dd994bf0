// bench-consumer-4g.mjs BASE_URL PATH: the consumer page's first view on emulated networks,
// Chromium's own DevTools presets (devtools-frontend, front_end/core/sdk/NetworkManager.ts):
//   Slow 4G (was "Fast 3G" until May 2024, crbug.com/342406608): 1.6 Mbps x 0.9 down,
//     750 kbps x 0.9 up, latency 150 ms x 3.75 = 562.5 ms
//   Slow 3G: 500 kbps x 0.8 down and up, latency 400 ms x 5 = 2000 ms
// and the page with WebCrypto's crypto.subtle removed (plain http on a shed LAN address,
// where the page imports its fallback library).  Each run is a fresh context (nothing
// cached).  Prints medians of 5 runs: bytes transferred by the first view (page, CSS,
// script, bundle; headers included), text visible (first contentful paint) and the verified
// mark (ms after navigation start).
import { createRequire } from 'node:module';

const require = createRequire(process.env.NPM_DIR + '/');
const { chromium } = require('playwright-core');
const [base, path] = process.argv.slice(2);
const RUNS = 5;
const SLOW_4G = { latency: 150 * 3.75, downloadThroughput: 1.6e6 / 8 * 0.9, uploadThroughput: 750e3 / 8 * 0.9 };
const SLOW_3G = { latency: 400 * 5, downloadThroughput: 500e3 / 8 * 0.8, uploadThroughput: 500e3 / 8 * 0.8 };
const conditions = [
  ['loopback, no throttling (baseline)', null, false],
  ['Slow 4G (DevTools preset)', SLOW_4G, false],
  ['Slow 4G, fallback crypto (no crypto.subtle)', SLOW_4G, true],
  ['Slow 3G (DevTools preset)', SLOW_3G, false],
];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});

async function once(net, noSubtle) {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  // The time the mark appears, taken in the page (init scripts are not subject to its CSP).
  await page.addInitScript((noSubtle) => {
    if (noSubtle) Object.defineProperty(window.crypto, 'subtle', { value: undefined });
    new MutationObserver((list, obs) => {
      const v = document.getElementById('verify');
      if (v && v.classList.contains('ok')) { window.__markAt = performance.now(); obs.disconnect(); }
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  }, noSubtle);
  if (net) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, connectionType: 'cellular4g', ...net });
  }
  await page.goto(base + path, { waitUntil: 'load', timeout: 60000 });
  await page.waitForSelector('#verify.ok', { timeout: 60000 });
  const r = await page.evaluate(() => ({
    fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
    mark: window.__markAt,
    bytes: performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
      .reduce((a, e) => a + e.transferSize, 0),
  }));
  await context.close();
  return r;
}
const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

console.log(`consumer page ${path}, medians of ${RUNS} fresh loads each (Chromium ${browser.version()})`);
console.log('condition'.padEnd(46) + 'first view'.padStart(12) + 'text visible'.padStart(14) + 'verified mark'.padStart(15));
for (const [name, net, noSubtle] of conditions) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(net, noSubtle));
  const kb = (median(runs.map((r) => r.bytes)) / 1024).toFixed(1) + ' KB';
  const ms = (k) => Math.round(median(runs.map((r) => r[k]))) + ' ms';
  console.log(name.padEnd(46) + kb.padStart(12) + ms('fcp').padStart(14) + ms('mark').padStart(15));
}
console.log('goals (Slow 4G): first view < 30 KB, text visible < 1000 ms, verified mark < 2000 ms');
await browser.close();
