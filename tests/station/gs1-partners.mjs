// gs1-partners.mjs: the checks of test-gs1-partners.sh that need GS1's own JavaScript
// tools.  One command per run, its findings as JSON on stdout:
//   node gs1-partners.mjs dl URL...   digital-link.js (GS1's Digital Link toolkit): for each
//                                     URL {url, valid, gtin, lot, error}; the key qualifier
//                                     values are given as the URL carries them and decoded.
// NPM_DIR names the folder the packages were installed into (tests/npm-tools.sh).
import { createRequire } from 'module';
import path from 'path';

const require = createRequire(path.join(process.env.NPM_DIR, 'node_modules', 'x.js'));

function digitalLinks(urls) {
  const { DigitalLink } = require('digital-link.js');
  return urls.map((url) => {
    try {
      const dl = DigitalLink(url);
      const kq = dl.getKeyQualifiers();
      return {
        url,
        valid: dl.isValid(),
        gtin: dl.getIdentifier()['01'] ?? null,
        lot: kq['10'] !== undefined ? decodeURIComponent(kq['10']) : null,
      };
    } catch (e) {
      return { url, valid: false, error: String(e.message) };
    }
  });
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'dl') {
  console.log(JSON.stringify(digitalLinks(args)));
} else {
  console.error(`gs1-partners.mjs: unknown command ${cmd}`);
  process.exit(2);
}
