// recall-receiver.mjs: a buyer's or platform's endpoint for packtrace recall notices
// (station/sync/RECALL-NOTICES.md), Node 18+, no packages.  It checks each notice's Ed25519
// signature (PT-Station, PT-Date, PT-Signature) against the station's public key, refuses a
// bad one with 401 and a stale date with 401, stores each notice once by its Idempotency-Key
// (one JSON line each in --out) and answers 200.  Every other request (the station's event
// webhooks, when the same URL is also a sync connector) is answered 200 and not stored.
//
//   node recall-receiver.mjs --public-key HEX --out notices.jsonl [--port N]
import { createHash, createPublicKey, verify } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const keyHex = args['public-key'];
if (!keyHex || !/^[0-9a-f]{64}$/.test(keyHex) || !args.out) {
  console.error('usage: recall-receiver.mjs --public-key HEX --out FILE [--port N]');
  process.exit(2);
}
// An Ed25519 public key as SPKI DER: the fixed prefix, then the 32 bytes.
const publicKey = createPublicKey({
  key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(keyHex, 'hex')]),
  format: 'der', type: 'spki' });
const stationId = createHash('sha256').update(Buffer.from(keyHex, 'hex')).digest('hex').slice(0, 16);
const seen = new Set();
const MAX_SKEW_MS = 300 * 1000;

// The signed digest: SHA-256 of "packtrace-hub-1\nMETHOD\nTARGET\nDATE\n" + hex(SHA-256(body)).
function signedDigest(method, target, date, body) {
  const bodyHex = createHash('sha256').update(body).digest('hex');
  return createHash('sha256').update(`packtrace-hub-1\n${method}\n${target}\n${date}\n${bodyHex}`).digest();
}

function check(req, body) {
  const station = req.headers['pt-station'], date = req.headers['pt-date'], sig = req.headers['pt-signature'];
  if (!station || !date || !sig) return 'unsigned';
  if (station !== stationId) return 'another station';
  if (Math.abs(Date.parse(date) - Date.now()) > MAX_SKEW_MS || Number.isNaN(Date.parse(date))) return 'stale date';
  const ok = verify(null, signedDigest(req.method, req.url, date, body), publicKey, Buffer.from(sig, 'base64'));
  return ok ? null : 'bad signature';
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (!req.headers['x-packtrace-notice']) { res.writeHead(200).end('{}'); return; }
    const why = check(req, body);
    if (why) { res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: why })); return; }
    const key = req.headers['idempotency-key'];
    if (!seen.has(key)) {
      seen.add(key);
      const notice = JSON.parse(body.toString('utf8'));
      appendFileSync(args.out, JSON.stringify({ key, verified: true, kind: req.headers['x-packtrace-notice'], notice }) + '\n');
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  });
});
server.listen(Number(args.port || 0), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
