#!/usr/bin/env python3
"""webhook-receiver.py: an example receiver of packtrace webhooks (station/sync/WEBHOOKS.md).

It accepts a delivery only when
  1. X-Packtrace-Signature is an HMAC-SHA256 of "<t>.<body>" under the shared secret, and t is
     within the tolerance of this machine's clock (replays of old deliveries are refused);
  2. the signed record in "event" is the station's: its SHA-256 over the canonical form (RFC 8785)
     is "hash", and "signature" is the station key's Ed25519 signature of that hash;
and stores each Idempotency-Key once (a retried delivery is acknowledged, not stored twice).

Standard library only, apart from Ed25519 (Debian: python3-nacl).

  webhook-receiver.py --secret S --public-key HEX --out deliveries.jsonl [--port 0] [--tolerance 300]
"""
import argparse
import hashlib
import hmac
import json
import math
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import nacl.exceptions
import nacl.signing

MAX_BODY = 4 * 1024 * 1024


def js_number(x):
    """A number as ECMAScript's Number.prototype.toString writes it (RFC 8785, section 3.2.2.3)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ValueError("not a number")
    if isinstance(x, int):
        x = float(x) if abs(x) >= 2**53 else x
        if isinstance(x, int):
            return str(x)
    if math.isnan(x) or math.isinf(x):
        raise ValueError("NaN and infinities have no JSON form")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    mantissa, _, exp = repr(abs(x)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0").rstrip("0") or "0"
    # value = 0.DIGITS x 10^n
    if whole.strip("0"):
        n = len(whole.lstrip("0")) + int(exp or 0)
    else:
        n = int(exp or 0) - (len(frac) - len(frac.lstrip("0")))
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e > 0 else "-") + str(abs(e))


def canonical(value):
    """RFC 8785 (JCS): sorted keys (UTF-16 order), no whitespace, minimal escapes."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical(value[k]) for k in keys) + "}"
    raise ValueError("not JSON")


class Receiver(BaseHTTPRequestHandler):
    def answer(self, status, **fields):
        body = json.dumps(fields).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("receiver: " + fmt % args + "\n")

    def do_POST(self):
        cfg = self.server.cfg
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self.answer(411, error="Content-Length required")
        if length < 0 or length > MAX_BODY:
            return self.answer(413, error="body too large")
        body = self.rfile.read(length)
        # 1. Who sent it, and when: the HMAC over "<t>.<body>" with the shared secret.
        parts = dict(p.split("=", 1) for p in self.headers.get("X-Packtrace-Signature", "").split(",") if "=" in p)
        try:
            t = int(parts.get("t", ""))
        except ValueError:
            return self.answer(401, error="no signature timestamp")
        want = hmac.new(cfg.secret, str(t).encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, parts.get("v1", "")):
            return self.answer(401, error="bad signature")
        if abs(time.time() - t) > cfg.tolerance:
            return self.answer(401, error="signature timestamp outside the tolerance")
        try:
            payload = json.loads(body)
        except ValueError:
            return self.answer(400, error="body is not JSON")
        key = self.headers.get("Idempotency-Key", "")
        if not key or not isinstance(payload, dict):
            return self.answer(400, error="no Idempotency-Key")
        with self.server.lock:
            if key in self.server.seen:
                return self.answer(200, ok=True, duplicate=True)
        # 2. What it says: the record the station signed.
        verified = None
        if payload.get("kind") == "event":
            try:
                record = canonical(payload["event"]).encode()
                digest = hashlib.sha256(record).digest()
                if digest.hex() != payload["hash"]:
                    raise ValueError("hash is not the record's")
                cfg.verify_key.verify(digest, bytes.fromhex(payload["signature"]))
                verified = True
            except (KeyError, TypeError, ValueError, nacl.exceptions.BadSignatureError) as err:
                return self.answer(422, error=f"the record is not the station's: {err}")
        with self.server.lock:
            if key in self.server.seen:
                return self.answer(200, ok=True, duplicate=True)
            self.server.seen.add(key)
            with open(cfg.out, "a", encoding="utf-8") as out:
                out.write(json.dumps({"key": key, "verified": verified, "payload": payload}) + "\n")
        return self.answer(200, ok=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--public-key", required=True, help="the station's Ed25519 key (packtrace key show)")
    ap.add_argument("--out", required=True, help="deliveries, one JSON line each")
    ap.add_argument("--tolerance", type=int, default=300, help="seconds of clock difference allowed")
    cfg = ap.parse_args()
    cfg.secret = cfg.secret.encode()
    cfg.verify_key = nacl.signing.VerifyKey(bytes.fromhex(cfg.public_key))
    server = ThreadingHTTPServer(("127.0.0.1", cfg.port), Receiver)
    server.cfg = cfg
    server.lock = __import__("threading").Lock()
    server.seen = set()
    try:
        with open(cfg.out, encoding="utf-8") as old:
            server.seen = {json.loads(line)["key"] for line in old if line.strip()}
    except FileNotFoundError:
        pass
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
