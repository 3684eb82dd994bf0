#!/usr/bin/env python3
"""hub-standin.py: a stand-in for the co-op hub's station-facing API (station/hub/PROTOCOL.md),
written from the protocol alone, for the station connector's tests.  It checks what a hub must:
each request's Ed25519 signature by the station key (PT-Station, PT-Date, PT-Signature over
SHA-256 of "packtrace-hub-1\\n" METHOD "\\n" PATH?QUERY "\\n" DATE "\\n" hex(SHA-256(body))),
each event's hash and signature, its station chain link, its seq order, and each piece of
evidence against the hash its event signed.  State lives in a JSON file written atomically, so
the stand-in can be killed and started again like a hub whose database survives.

Every copy of an event received is counted (`received`), so a test can tell "sent once" from
"sent twice".

usage: hub-standin.py STATE_FILE PORT_FILE [--code CODE] [--register HEXKEY]
                      [--quarantine-seq N] [--fail-evidence N] [--evidence-dir DIR]
"""
import argparse
import base64
import calendar
import hashlib
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

LOCK = threading.Lock()
WIRE_MEMBERS = {"seq", "event_id", "step", "lot", "gtin", "event_time", "record_time", "body",
                "hash", "prev_batch_hash", "prev_station_hash", "signature", "hash_id"}
ARGS = None
STATE = None


def save():
    tmp = ARGS.state + ".tmp"
    with open(tmp, "w") as f:
        json.dump(STATE, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, ARGS.state)


def station_id(pub_hex):
    return hashlib.sha256(bytes.fromhex(pub_hex)).hexdigest()[:16]


def evidence_of(record):
    ev = json.loads(record)
    out = []
    if isinstance(ev.get("pt:clipSha256"), str):
        out.append(ev["pt:clipSha256"])
    for key in ("pt:photos", "pt:evidence"):
        for item in ev.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("sha256"), str):
                out.append(item["sha256"])
    return out


def view(st):
    held = st["events"]
    last = 0
    while str(last + 1) in held:
        last += 1
    top = max([int(s) for s in held] or [0])
    gaps = []
    s = last + 1
    while s <= top:
        if str(s) not in held:
            start = s
            while s <= top and str(s) not in held:
                s += 1
            gaps.append([start, s - 1])
        s += 1
    return {
        "station": st["id"],
        "name": st.get("name"),
        "contiguous_seq": last,
        "last_seq": top,
        "head": st.get("head"),
        "gaps": gaps,
        "quarantined": len(st["quarantine"]),
        "alerts": 0,
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("hub-standin: " + (fmt % args) + "\n")

    def answer(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def authenticate(self, body, enrolling_key=None):
        """Returns the station's state, or None after answering."""
        sid = self.headers.get("PT-Station", "")
        date = self.headers.get("PT-Date", "")
        sig = self.headers.get("PT-Signature", "")
        pub = enrolling_key or (STATE["stations"].get(sid) or {}).get("key")
        if not pub:
            self.answer(404, {"error": "unknown station " + sid})
            return None
        if station_id(pub) != sid:
            self.answer(401, {"error": "PT-Station is not the key's station id"})
            return None
        m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z", date)
        if not m or abs(calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))
                        - time.time()) > 300:
            self.answer(401, {"error": "PT-Date missing or too far from now: " + date})
            return None
        text = "packtrace-hub-1\n%s\n%s\n%s\n%s" % (
            self.command, self.path, date, hashlib.sha256(body).hexdigest())
        try:
            VerifyKey(bytes.fromhex(pub)).verify(
                hashlib.sha256(text.encode()).digest(), base64.b64decode(sig))
        except (BadSignatureError, ValueError):
            self.answer(401, {"error": "bad request signature"})
            return None
        if enrolling_key:
            return {}
        return STATE["stations"][sid]

    def do_GET(self):
        with LOCK:
            if self.path != "/hub/v1/station":
                return self.answer(404, {"error": "no route"})
            st = self.authenticate(b"")
            if st is not None:
                self.answer(200, view(st))

    def do_POST(self):
        body = self.body()
        with LOCK:
            if self.path == "/hub/v1/enrol":
                return self.enrol(body)
            st = self.authenticate(body)
            if st is None:
                return
            if self.path == "/hub/v1/events":
                return self.events(st, json.loads(body))
            if self.path == "/hub/v1/head":
                return self.head(st, json.loads(body))
            self.answer(404, {"error": "no route"})

    def do_PUT(self):
        body = self.body()
        with LOCK:
            m = re.fullmatch(r"/hub/v1/evidence/([0-9a-f]{64})", self.path)
            if not m:
                return self.answer(404, {"error": "no route"})
            st = self.authenticate(body)
            if st is None:
                return
            if ARGS.fail_evidence > 0:
                ARGS.fail_evidence -= 1
                return self.answer(503, {"error": "evidence store unavailable"})
            if hashlib.sha256(body).hexdigest() != m.group(1):
                return self.answer(409, {"error": "bytes do not match their SHA-256"})
            STATE["evidence"][m.group(1)] = len(body)
            if ARGS.evidence_dir:
                with open(os.path.join(ARGS.evidence_dir, m.group(1)), "wb") as f:
                    f.write(body)
            puts = st.setdefault("evidence_puts", {})
            puts[m.group(1)] = puts.get(m.group(1), 0) + 1
            save()
            self.answer(201, {"stored": m.group(1)})

    def enrol(self, body):
        req = json.loads(body)
        if req.get("code") not in STATE["codes"]:
            return self.answer(401, {"error": "unknown, used or expired enrolment code"})
        if self.authenticate(body, enrolling_key=req.get("public_key")) is None:
            return
        STATE["codes"].remove(req["code"])
        sid = station_id(req["public_key"])
        STATE["stations"][sid] = new_station(sid, req["public_key"], req.get("name"))
        save()
        self.answer(200, {"station": sid, "name": req.get("name"), "enrolled": True})

    def events(self, st, req):
        results, wanted = [], []
        key = VerifyKey(bytes.fromhex(st["key"]))
        for ev in req["events"]:
            unknown = set(ev) - WIRE_MEMBERS
            if unknown:
                return self.answer(400, {"error": "unknown member " + sorted(unknown)[0]})
        for ev in req["events"]:
            seq = ev["seq"]
            st["received"][str(seq)] = st["received"].get(str(seq), 0) + 1
            record = ev["body"].encode()
            held = st["events"].get(str(seq))
            if held:
                results.append({"seq": seq, "status": "duplicate"
                                if held["hash"] == ev["hash"] else "quarantined",
                                "reason": None if held["hash"] == ev["hash"] else "replayed seq"})
                continue
            reason = None
            prev = st["events"].get(str(seq - 1))
            if hashlib.sha256(record).hexdigest() != ev["hash"]:
                reason = "content does not match its hash"
            elif not self.sig_ok(key, ev):
                reason = "signature does not verify"
            elif seq > 1 and not prev and str(seq - 1) not in st["quarantine"]:
                reason = "out of order: seq %d before %d" % (seq, seq - 1)
            elif prev and ev.get("prev_station_hash") != prev["hash"]:
                reason = "station chain broken"
            elif seq == ARGS.quarantine_seq:
                reason = "quarantined by the test"
            if reason:
                st["quarantine"][str(seq)] = reason
                results.append({"seq": seq, "status": "quarantined", "reason": reason})
                continue
            evidence = evidence_of(ev["body"])
            st["events"][str(seq)] = {"hash": ev["hash"], "event_id": ev["event_id"],
                                      "demo": ev.get("demo"), "lot": ev["lot"],
                                      "evidence": evidence}
            wanted += [h for h in evidence if h not in STATE["evidence"]]
            results.append({"seq": seq, "status": "accepted"})
        save()
        self.answer(200, {"results": results, "evidence_wanted": sorted(set(wanted))})

    @staticmethod
    def sig_ok(key, ev):
        try:
            key.verify(bytes.fromhex(ev["hash"]), bytes.fromhex(ev["signature"]))
            return True
        except (BadSignatureError, ValueError):
            return False

    def head(self, st, req):
        held = st["events"].get(str(req["seq"]))
        old = st.get("head")
        if not held or held["hash"] != req["hash"]:
            return self.answer(200, {"accepted": False,
                                     "alert": "head names an event the hub does not hold"})
        if old and req["seq"] < old["seq"]:
            return self.answer(200, {"accepted": False, "alert": "head rewinds"})
        st["head"] = {"seq": req["seq"], "hash": req["hash"]}
        st["heads_taken"] = st.get("heads_taken", 0) + 1
        save()
        self.answer(200, {"accepted": True})


def new_station(sid, pub, name):
    return {"id": sid, "key": pub, "name": name, "events": {}, "received": {},
            "quarantine": {}, "head": None}


def main():
    global ARGS, STATE
    p = argparse.ArgumentParser()
    p.add_argument("state")
    p.add_argument("port_file")
    p.add_argument("--code", action="append", default=[])
    p.add_argument("--register", action="append", default=[])
    p.add_argument("--quarantine-seq", type=int, default=0)
    p.add_argument("--fail-evidence", type=int, default=0)
    p.add_argument("--evidence-dir")
    ARGS = p.parse_args()
    if os.path.exists(ARGS.state):
        with open(ARGS.state) as f:
            STATE = json.load(f)
    else:
        STATE = {"codes": [], "stations": {}, "evidence": {}}
    STATE["codes"] = sorted(set(STATE["codes"]) | set(ARGS.code))
    for pub in ARGS.register:
        STATE["stations"].setdefault(station_id(pub), new_station(station_id(pub), pub, None))
    save()
    port = 0
    if os.path.exists(ARGS.port_file):
        with open(ARGS.port_file) as f:
            port = int(f.read().strip() or 0)
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    with open(ARGS.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(ARGS.port_file + ".tmp", ARGS.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
