#!/usr/bin/python3
"""test-journal.py: under systemd the station's log lines reach the journal with fields that
name their subject: PACKTRACE_CAMERA for a camera, PACKTRACE_BATCH and PACKTRACE_EVENT for a
batch's signed status change.

Where a journal runs (/run/systemd/journal/socket exists), the station runs under
`systemd-cat` and the fields are read back with `journalctl -o json`.  Where none runs (this
CI has no systemd), the test is the journal: it listens on journald's two sockets
(/run/systemd/journal/stdout for the stream a service's stderr is connected to, and
/run/systemd/journal/socket for the native datagrams GLib's journal writer sends once it sees
its stderr is that stream), parses journald's native protocol, and removes both at the end.
Either way the station's own code decides to use the journal: nothing is switched on for the
test.  Needs root to stand in for the journal (exit 77 otherwise)."""
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.path.join(os.environ["PACKTRACE_BUILD"], "station", "packtrace")
JOURNAL_DIR = "/run/systemd/journal"
NATIVE = JOURNAL_DIR + "/socket"
STREAM = JOURNAL_DIR + "/stdout"

n = 0
fails = 0


def check(name, ok, detail=""):
    global n, fails
    n += 1
    if ok:
        print(f"ok {n} - {name}")
    else:
        fails += 1
        print(f"not ok {n} - {name}")
        for line in str(detail).splitlines()[:20]:
            print(f"#  {line}")
    sys.stdout.flush()


def parse_native(data):
    """journald's native protocol: KEY=VALUE\\n, or KEY\\n + 64-bit LE length + bytes + \\n."""
    fields = {}
    i = 0
    while i < len(data):
        nl = data.index(b"\n", i)
        line = data[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            fields[k.decode()] = v.decode(errors="replace")
            i = nl + 1
        else:
            (size,) = struct.unpack_from("<Q", data, nl + 1)
            start = nl + 9
            fields[line.decode()] = data[start : start + size].decode(errors="replace")
            i = start + size + 1
    return fields


class FakeJournal:
    def __init__(self):
        os.makedirs(JOURNAL_DIR, exist_ok=True)
        self.made_dir = True
        self.native = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.native.bind(NATIVE)
        self.native.settimeout(0.2)
        self.stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.stream.bind(STREAM)
        self.stream.listen(8)
        self.entries = []
        self.stop = False
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        while not self.stop:
            try:
                data, anc, _, _ = self.native.recvmsg(1 << 20, socket.CMSG_SPACE(4))
            except socket.timeout:
                continue
            for level, kind, payload in anc:
                # A large entry comes as a sealed memfd instead of inline bytes.
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fd = struct.unpack("i", payload[:4])[0]
                    with os.fdopen(fd, "rb") as f:
                        data = f.read()
            self.entries.append(parse_native(data))

    def stderr_for_service(self):
        """A stream connected to the journal's stdout socket, as systemd hands a service."""
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(STREAM)
        server_side, _ = self.stream.accept()
        self.stream_conns = getattr(self, "stream_conns", []) + [server_side]
        return client

    def close(self):
        self.stop = True
        self.reader.join()
        self.native.close()
        self.stream.close()
        for c in getattr(self, "stream_conns", []):
            c.close()
        for p in (NATIVE, STREAM):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass
        try:
            os.rmdir(JOURNAL_DIR)
        except OSError:
            pass


def main():
    real = os.path.exists(NATIVE)
    if not real and (os.geteuid() != 0 or os.path.exists(JOURNAL_DIR)):
        print("1..0 # SKIP no journal runs here and the test cannot stand in for one (needs root)")
        return 77
    if real and not shutil.which("systemd-cat"):
        print("1..0 # SKIP a journal runs here but systemd-cat is missing")
        return 77
    tmp = tempfile.mkdtemp()
    data = os.path.join(tmp, "data")
    env = dict(os.environ, PACKTRACE_DATA=data)
    tag = f"ptjournal{os.getpid()}"
    journal = None if real else FakeJournal()
    procs = []

    def station(*args, wait=True):
        """Runs packtrace with its stderr connected to the journal."""
        if real:
            p = subprocess.Popen(["systemd-cat", "-t", tag, BIN, *args], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        else:
            err = journal.stderr_for_service()
            p = subprocess.Popen([BIN, *args], env=env, stdout=subprocess.PIPE, stderr=err)
            err.close()
        procs.append(p)
        if wait:
            p.wait(timeout=60)
        return p

    def entries():
        if not real:
            return list(journal.entries)
        out = subprocess.run(["journalctl", "-o", "json", "--no-pager", f"SYSLOG_IDENTIFIER={tag}"],
                             capture_output=True, text=True).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def wait_for(pred, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            found = [e for e in entries() if pred(e)]
            if found:
                return found[0]
            time.sleep(0.1)
        return None

    try:
        subprocess.run([BIN, "init"], env=env, check=True, capture_output=True)
        with open(os.path.join(data, "station.ini"), "a") as ini:
            ini.write("\n[camera dockcam]\nrole=picking\nsource=test:ball\n"
                      "width=320\nheight=240\nfps=5\n")
        subprocess.run([BIN, "batch", "new", "--product", "Oranges", "--gtin", "9506000134352",
                        "--lot", "J-7"], env=env, check=True, capture_output=True)
        station("batch", "hold", "--reason", "Customer complaint: mould", "J-7")
        event_id = subprocess.run(["sqlite3", os.path.join(data, "station.db"),
                                   "SELECT event_id FROM events WHERE step = 'holding'"],
                                  capture_output=True, text=True).stdout.strip()
        held = wait_for(lambda e: e.get("PACKTRACE_BATCH") == "J-7", 10)
        check("a hold reaches the journal with PACKTRACE_BATCH=J-7", held is not None,
              json.dumps(entries()[-5:], indent=1))
        check("  and PACKTRACE_EVENT, the signed holding event's eventID",
              held is not None and event_id.startswith("urn:uuid:") and
              held.get("PACKTRACE_EVENT") == event_id,
              f"journal: {held and held.get('PACKTRACE_EVENT')}, station.db: {event_id}")
        check("  and the line itself as MESSAGE, at PRIORITY 5 (notice, as g_message)",
              held is not None and "J-7: held: Customer complaint: mould" in held.get("MESSAGE", "")
              and held.get("PRIORITY") == "5", held)

        run = station("run", "--listen", "127.0.0.1:0", wait=False)
        started = wait_for(lambda e: e.get("PACKTRACE_CAMERA") == "dockcam" and
                           "started" in e.get("MESSAGE", ""), 60)
        check("a camera's start reaches the journal with PACKTRACE_CAMERA=dockcam",
              started is not None, json.dumps(entries()[-5:], indent=1))
        unnamed = [e for e in entries() if re.match(r"camera \S+", e.get("MESSAGE", ""))
                   and "PACKTRACE_CAMERA" not in e]
        check("  and no camera line reaches it without the field", not unnamed, unnamed[:3])
        run.terminate()
        run.wait(timeout=30)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if journal:
            journal.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
