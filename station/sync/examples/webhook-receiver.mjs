#!/usr/bin/env node
// webhook-receiver.mjs: an example receiver of packtrace webhooks (station/sync/WEBHOOKS.md),
// Node's standard library only (Node 18 or later).
//
// It accepts a delivery only when
//   1. X-Packtrace-Signature is an HMAC-SHA256 of "<t>.<body>" under the shared secret, and t
//      is within the tolerance of this machine's clock (replays of old deliveries are refused);
//   2. the signed record in "event" is the station's: its SHA-256 over the canonical form
//      (RFC 8785) is "hash", and "signature" is the station key's Ed25519 signature of it;
// and stores each Idempotency-Key once (a retried delivery is acknowledged, not stored twice).
//
//   node webhook-receiver.mjs --secret S --public-key HEX --out deliveries.jsonl [--port 0] [--tolerance 300]
import { createHmac, createHash, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const MAX_BODY = 4 * 1024 * 1024;
const { values: opt } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    secret: { type: 'string' },
    'public-key': { type: 'string' },
    out: { type: 'string' },
    tolerance: { type: 'string', default: '300' },
  },
});
if (!opt.secret || !opt['public-key'] || !opt.out) {
  console.error('usage: webhook-receiver.mjs --secret S --public-key HEX --out FILE [--port N] [--tolerance S]');
  process.exit(2);
}
// An Ed25519 public key as SubjectPublicKeyInfo: a fixed 12-byte prefix and the raw 32 bytes.
const stationKey = createPublicKey({
  key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(opt['public-key'], 'hex')]),
  format: 'der',
  type: 'spki',
});
const tolerance = Number(opt.tolerance);

// RFC 8785 (JCS) is defined by ECMAScript's own JSON.stringify: sort the keys, recursively.
function canonical(v) {
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v !== null && typeof v === 'object')
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
  return JSON.stringify(v);
}

const seen = new Set(
  existsSync(opt.out)
    ? readFileSync(opt.out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).key)
    : [],
);

function answer(res, status, fields) {
  const body = JSON.stringify(fields);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function receive(req, body, res) {
  // 1. Who sent it, and when.
  const parts = Object.fromEntries(
    String(req.headers['x-packtrace-signature'] || '').split(',').map((p) => p.split('=', 2)).filter((p) => p.length === 2),
  );
  const t = Number.parseInt(parts.t, 10);
  if (!Number.isSafeInteger(t) || String(t) !== parts.t) return answer(res, 401, { error: 'no signature timestamp' });
  const want = createHmac('sha256', opt.secret).update(`${t}.`).update(body).digest();
  const got = Buffer.from(parts.v1 || '', 'hex');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return answer(res, 401, { error: 'bad signature' });
  if (Math.abs(Date.now() / 1000 - t) > tolerance)
    return answer(res, 401, { error: 'signature timestamp outside the tolerance' });
  let payload;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    return answer(res, 400, { error: 'body is not JSON' });
  }
  const key = req.headers['idempotency-key'];
  if (!key || payload === null || typeof payload !== 'object') return answer(res, 400, { error: 'no Idempotency-Key' });
  if (seen.has(key)) return answer(res, 200, { ok: true, duplicate: true });
  // 2. What it says: the record the station signed.
  let verified = null;
  if (payload.kind === 'event') {
    try {
      const digest = createHash('sha256').update(canonical(payload.event), 'utf8').digest();
      if (digest.toString('hex') !== payload.hash) throw new Error("hash is not the record's");
      if (!verify(null, digest, stationKey, Buffer.from(String(payload.signature), 'hex')))
        throw new Error('signature does not verify');
      verified = true;
    } catch (err) {
      return answer(res, 422, { error: `the record is not the station's: ${err.message}` });
    }
  }
  seen.add(key);
  appendFileSync(opt.out, JSON.stringify({ key, verified, payload }) + '\n');
  return answer(res, 200, { ok: true });
}

const server = createServer((req, res) => {
  if (req.method !== 'POST') return answer(res, 405, { error: 'POST only' });
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > MAX_BODY) {
      answer(res, 413, { error: 'body too large' });
      req.destroy();
    } else chunks.push(c);
  });
  req.on('end', () => {
    if (size <= MAX_BODY) receive(req, Buffer.concat(chunks), res);
  });
});
server.listen(Number(opt.port), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
