#!/usr/bin/env python3
"""skewed-hub.py PORT_FILE SKEW_S [protocol1]: a loopback HTTP server that answers every
request 503 (the hub "down", so a station's hub connector backs off and asks again) with a
Date header SKEW_S seconds off the machine's clock, as a hub with a wrong clock would.  With
"protocol1" it answers POST /hub/v1/rotations 404, as a hub of protocol 1 does (it has no such
endpoint).  Writes the port it listens on to PORT_FILE; counts the requests it answered in
PORT_FILE.count and appends each one's path to PORT_FILE.paths."""
import email.utils
import http.server
import sys
import time

port_file, skew = sys.argv[1], float(sys.argv[2])
protocol1 = len(sys.argv) > 3 and sys.argv[3] == "protocol1"
answered = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self):
        global answered
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = b'{"error":"down for the test"}'
        status = 503
        if protocol1 and self.path == "/hub/v1/rotations":
            body, status = b'{"error":"no such hub endpoint or method"}', 404
        self.send_response_only(status)
        self.send_header("Date", email.utils.formatdate(time.time() + skew, usegmt=True))
        self.send_header("Retry-After", "1")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        answered += 1
        with open(port_file + ".count", "w") as f:
            f.write(str(answered))
        with open(port_file + ".paths", "a") as f:
            f.write(self.path + "\n")

    do_GET = do_POST = do_PUT = answer

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
