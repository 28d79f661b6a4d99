#!/usr/bin/env python3
"""ikewatchd -> an HTTP collector (python http.server on 127.0.0.1): a Splunk-HEC-style
forwarder with a token, a plain one without, and one with a wrong token.

Checks: every POST carries Content-Type application/json and the Host with its port; the token
forwarder sends `Authorization: Splunk TOKEN` and a body of one HEC event per line,
`{"sourcetype":"ikewatch:alert","event":ALERT}`, ALERT byte-identical to the alert log line
(hostile text included); the plain one sends the alert log lines as they are. Then the
collector answers 503 for a while: the forwarders count failures, keep the alerts, and after
recovery deliver every alert (alert.id + event.action). The wrong token (403) delivers nothing.
`--forward http://… --forward-format cef` still posts JSON.
"""

import http.server
import json
import os
import threading

from forward_common import (ForwardingDaemon, forwarding_daemon, no_tunnel_group, peer_address,
                            send_tcp, send_udp, wait_files)
from lib import check, run

TOKEN = "e2e-0f1e2d3c-token"
HEC = "/services/collector/event"
HOSTILE = [b'quote"back\\slash\nnewline\x1b[31mred\xff\xfe|pipe=eq]', "Zürich \u2028 €".encode()]


class Collector(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.requests = []  # (path, headers, body, status)
        self.failing = None  # a status to answer with instead of 2xx
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server_address[1]

    def seen(self, path, status=None):
        with self.lock:
            return [r for r in self.requests if r[0] == path and (status is None or
                                                                   r[3] == status)]

    def lines(self, path):
        """Body lines of the accepted requests to `path`."""
        return [l for r in self.seen(path, 200) for l in r[2].split(b"\n") if l]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        srv = self.server
        status = srv.failing or 200
        if self.path == HEC and self.headers.get("Authorization") != f"Splunk {TOKEN}":
            status = 403
        with srv.lock:
            srv.requests.append((self.path, dict(self.headers), body, status))
        reply = b'{"text":"Success","code":0}' if status == 200 else b'{"text":"No"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


def identities(lines, hec):
    out = set()
    for l in lines:
        a = json.loads(l)
        if hec:
            check(set(a) == {"sourcetype", "event"} and a["sourcetype"] == "ikewatch:alert",
                  f"not a HEC event: {l[:200]!r}")
            a = a["event"]
        out.add((a["alert"]["id"], a["event"]["action"]))
    return out


def main(t):
    c = Collector()
    base = f"http://127.0.0.1:{c.port}"
    d = forwarding_daemon(t, [
        {"name": "hec", "url": base + HEC, "token": TOKEN},
        {"name": "plain", "url": base + "/plain"},
        {"name": "wrong-token", "url": base + HEC, "token": "not-the-token"}])

    t.step("batch 1: hostile tunnel-group names")
    send_udp(d.udp_port, [no_tunnel_group("fw-http", peer_address(i, (10, 88)), g)
                          for i, g in enumerate(HOSTILE)])
    wait_files("batch 1 posted", lambda: len(c.lines(HEC)) >= 3 and len(c.lines("/plain")) >= 3)
    log = d.alert_lines()
    check(len(log) == 3, f"{len(log)} alerts, expected 3 (2 peers and ike-debug-not-logged)")
    check(sorted(c.lines("/plain")) == sorted(raw for raw, _ in log),
          "plain: the posted lines are not the alert log lines")
    check(sorted(c.lines(HEC)) ==
          sorted(b'{"sourcetype":"ikewatch:alert","event":' + raw + b"}" for raw, _ in log),
          "hec: the posted events do not wrap the alert log lines")
    for path, headers, body, status in c.seen(HEC, 200) + c.seen("/plain", 200):
        check(headers.get("Content-Type") == "application/json", f"{path}: content type")
        check(headers.get("Host") == f"127.0.0.1:{c.port}", f"{path}: Host {headers.get('Host')}")
        check(body.endswith(b"\n"), f"{path}: body does not end with a newline")
        check(path == HEC or "Authorization" not in headers, "plain: an Authorization header")
    check(any("\x1b[31m" in a["evidence"][0]["line"] for _, a in log), "hostile text lost")

    t.step("collector answers 503; batch 2")
    c.failing = 503
    send_tcp(d.tcp_port, [no_tunnel_group("fw-http", peer_address(i, (10, 89))) for i in
                          range(40)])
    wait_files("503s seen by both forwarders",
               lambda: len(c.seen(HEC, 503)) >= 3 and len(c.seen("/plain", 503)) >= 3)
    for name in ("hec", "plain"):
        # The collector has sent its answers; the daemon counts each once it has read it.
        d.wait_metric(f'forward_failures_total{{forwarder="{name}"}}', 3)
        check(d.forward_metric(name, family="forward_pending") == 40, f"{name}: not pending")
    c.failing = None
    t.step("collector recovered")
    want = {(a["alert"]["id"], a["event"]["action"]) for _, a in d.alert_lines()}
    check(len(want) == 43, f"{len(want)} alerts")
    wait_files("every alert posted after the recovery",
               lambda: identities(c.lines(HEC), True) == want and
               identities(c.lines("/plain"), False) == want, 30)
    for name in ("hec", "plain"):
        d.wait_metric(f'forward_alerts_total{{forwarder="{name}",outcome="delivered"}}', 43)
        check(d.forward_metric(name, "lost") == 0, f"{name}: lost")
        wait_files(f"{name}: nothing pending",
                   lambda: d.forward_metric(name, family="forward_pending") == 0)
    t.step(f"hec: {len(c.seen(HEC, 200))} accepted requests, {len(c.seen(HEC, 503))} answered "
           f"503; every alert delivered")

    check(d.forward_metric("wrong-token", "delivered") == 0, "wrong token: delivered")
    check(d.forward_metric("wrong-token", family="forward_failures_total") > 0,
          "wrong token: no failure counted")
    check(d.forward_metric("wrong-token", family="forward_pending") == 43, "wrong token: pending")
    check("HTTP 403" in d.stderr(), "wrong token: no HTTP 403 in the log")

    t.step("--forward http://… --forward-format cef posts JSON")
    f = ForwardingDaemon(t, name="ikewatchd-flags", extra_args=[
        "--forward", base + "/flags", "--forward-format", "cef",
        "--state-dir", os.path.join(t.tmp, "state")])
    t.daemons.append(f)
    f.start()
    send_udp(f.udp_port, [no_tunnel_group("fw-flags", "10.90.0.1")])
    wait_files("the flags daemon's alerts", lambda: len(c.lines("/flags")) >= 2)
    check(sorted(c.lines("/flags")) == sorted(raw for raw, _ in f.alert_lines()),
          "--forward http: the posted lines are not the alert JSON")


run(main)
