#!/usr/bin/env python3
"""At-least-once forwarding through outages, against a real rsyslogd.

`collector`: alerts stream in (a new failing peer every 25 ms over TCP) while the collector is
stopped (SIGTERM), started again on the same ports, then killed (SIGKILL) and started again.
Forwarders over UDP, TCP, TLS and TLS with a client certificate keep what was not confirmed
(spool in memory: no state_dir) and send it again; every alert of the alert log must reach the
collector (alert.id + event.action; duplicates allowed), each record byte-identical to the
rendering of its alert.

`daemon`: the collector is down while ikewatchd is stopped with SIGTERM and later killed with
SIGKILL; the alerts wait in the spool under state_dir, each new ikewatchd reloads them at start
(forward_pending), and once the collector is back every alert of every run is delivered.
"""

import os
import socket
import sys
import threading
import time

from forward_common import (Collector, daemon_version, forwarding_daemon, identity, make_certs,
                            no_tunnel_group, peer_address, render, tcp_octet_frames, send_tcp,
                            wait_files)
from lib import check, run


class Producer(threading.Thread):
    """Sends one line raising a new alert every `interval` over one TCP connection."""

    def __init__(self, port, host, first=0, interval=0.025):
        super().__init__(daemon=True)
        self.port, self.host, self.n, self.interval = port, host, first, interval
        self.halt = threading.Event()
        self.error = None

    def run(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
                while not self.halt.is_set():
                    s.sendall(tcp_octet_frames([no_tunnel_group(self.host,
                                                                peer_address(self.n))]))
                    self.n += 1
                    time.sleep(self.interval)
                s.shutdown(socket.SHUT_WR)
        except OSError as e:
            self.error = e

    def stop(self):
        self.halt.set()
        self.join(10)
        check(self.error is None, f"producer: {self.error}")
        return self.n


IDENTITIES = {}  # (format, record) -> (alert.id, event.action): records are parsed once


def delivered(collector, names, want):
    """{forwarder: identities of `want` not yet received} (empty sets when all arrived)."""
    out = {}
    for name in names:
        fmt = name.rsplit("-", 1)[1]
        got = set()
        for r in collector.records(name):
            if (fmt, r) not in IDENTITIES:
                IDENTITIES[fmt, r] = identity(r, fmt)
            got.add(IDENTITIES[fmt, r])
        out[name] = want - got
    return out


def wait_all_delivered(t, d, collector, names, timeout):
    hostname, version = socket.gethostname(), daemon_version(t)

    def done():
        want = {(a["alert"]["id"], a["event"]["action"]) for _, a in d.alert_lines()}
        return not any(delivered(collector, names, want).values()) and want

    try:
        want = wait_files("every alert at the collector", done, timeout)
    except Exception:
        want = {(a["alert"]["id"], a["event"]["action"]) for _, a in d.alert_lines()}
        for name, missing in delivered(collector, names, want).items():
            print(f"{name}: {len(missing)} of {len(want)} alerts missing, e.g. "
                  f"{sorted(missing)[:3]}")
        raise
    # Every record is exactly the rendering of an alert of the log (no torn or mixed frames).
    renderings = {}
    for name in names:
        fmt = name.rsplit("-", 1)[1]
        expected = {render(a, fmt, hostname, version) for _, a in d.alert_lines()}
        records = collector.records(name)
        odd = [r for r in records if r not in expected]
        check(not odd, f"{name}: {len(odd)} records match no alert, e.g. {odd[:1]!r}")
        ids = {IDENTITIES[fmt, r] for r in records}
        renderings[name] = (len(records), len(records) - len(ids))
    return want, renderings


def collector_outage(t):
    certs = make_certs(t)
    inputs = {"udp-leef": "udp", "tcp-rfc5424": "tcp", "tls-cef": "tls",
              "tlsc-json": "tls-client"}
    collector = Collector(t, inputs, certs).start()
    tls = {"ca_file": certs["ca.pem"]}
    forwarders = [
        {"name": "udp-leef", "url": collector.url("udp-leef"), "format": "leef"},
        {"name": "tcp-rfc5424", "url": collector.url("tcp-rfc5424"), "format": "rfc5424"},
        {"name": "tls-cef", "url": collector.url("tls-cef"), "format": "cef", **tls},
        {"name": "tlsc-json", "url": collector.url("tlsc-json", "localhost"), "format": "json",
         "cert_file": certs["client.pem"], "key_file": certs["client.key"], **tls}]
    d = forwarding_daemon(t, forwarders)  # no state_dir: the spool is in memory
    names = list(inputs)

    producer = Producer(d.tcp_port, "fw-outage")
    producer.start()
    for crash in (False, True):
        time.sleep(1.0)
        before = producer.n
        collector.stop(crash)
        t.step(f"collector {'killed (SIGKILL)' if crash else 'stopped (SIGTERM)'} mid-stream "
               f"after alert {before}")
        time.sleep(2.0)
        t.step(f"collector started again ({producer.n - before} alerts raised meanwhile)")
        collector.start()
    time.sleep(1.0)
    total = producer.stop()
    t.step(f"{total} peers sent")
    d.wait_metric('alerts_total{action="raised"}', total)

    want, counts = wait_all_delivered(t, d, collector, names, 45)
    for name in names:
        records, duplicates = counts[name]
        t.step(f"{name}: all {len(want)} alerts delivered ({records} records, {duplicates} "
               f"duplicates), failures {d.forward_metric(name, family='forward_failures_total')}")
        check(d.forward_metric(name, "lost") == 0, f"{name}: lost alerts")
    for name in ("tcp-rfc5424", "tls-cef", "tlsc-json"):
        check(d.forward_metric(name, family="forward_failures_total") > 0,
              f"{name}: the outage went unnoticed")


def daemon_restarts(t):
    certs = make_certs(t)
    inputs = {"tcp-json": "tcp", "tls-rfc5424": "tls"}
    collector = Collector(t, inputs, certs).start()
    state = os.path.join(t.tmp, "state")
    forwarders = [
        {"name": "tcp-json", "url": collector.url("tcp-json"), "format": "json"},
        {"name": "tls-rfc5424", "url": collector.url("tls-rfc5424"), "format": "rfc5424",
         "ca_file": certs["ca.pem"]}]
    names = list(inputs)

    def run_daemon():
        return forwarding_daemon(t, forwarders, state_dir=state)

    def batch(d, first, n=10):
        peers = {peer_address(i) for i in range(first, first + n)}
        send_tcp(d.tcp_port, [no_tunnel_group("fw-restart", p) for p in sorted(peers)])
        wait_files("the batch's alerts in the alert log",
                   lambda: peers <= {a["ike"]["peer"] for _, a in d.alert_lines()})

    def pending(d, name):
        return d.forward_metric(name, family="forward_pending")

    def wait_pending(d, n):
        for name in names:
            wait_files(f"{name}: {n} alerts pending", lambda: pending(d, name) == n, 20)

    a = run_daemon()
    batch(a, 0)
    wait_all_delivered(t, a, collector, names, 20)
    wait_pending(a, 0)  # confirmed (a healthy connection 1 s after the write), not only received
    t.step("batch 1 delivered; collector stopped")
    collector.stop()
    batch(a, 10)
    # LG-001 (device-level, once per daemon run) went in batch 1; batch 2 adds 10 alerts.
    wait_pending(a, 10)
    check(a.stop() == 0, "first ikewatchd: exit status after SIGTERM")
    check("kept in the spool" in a.stderr(), "SIGTERM: no word of the spooled alerts")
    for name in names:
        spool = os.path.join(state, "spool", name.replace("-", "_"))
        check(any(f.endswith(".spool") for f in os.listdir(spool)), f"no spool segment in {spool}")
    t.step("SIGTERM with 10 alerts undelivered: kept in the spool")

    b = run_daemon()
    wait_pending(b, 10)
    t.step("second ikewatchd reloaded the 10 from the spool at start")
    batch(b, 20)
    wait_pending(b, 21)  # + its own LG-001
    b.kill()
    t.step("SIGKILL with 21 alerts undelivered")

    c = run_daemon()
    wait_pending(c, 21)
    t.step("third ikewatchd reloaded the 21 after the crash; collector started again")
    collector.start()
    want, counts = wait_all_delivered(t, c, collector, names, 45)
    for name in names:
        t.step(f"{name}: all {len(want)} alerts of the three runs delivered "
               f"({counts[name][0]} records, {counts[name][1]} duplicates)")
        c.wait_metric(f'forward_alerts_total{{forwarder="{name}",outcome="delivered"}}', 21)
        check(c.forward_metric(name, "lost") == 0, f"{name}: lost alerts")
        wait_files(f"{name}: nothing pending", lambda: pending(c, name) == 0, 10)


def main(t):
    mode = sys.argv[1] if len(sys.argv) > 1 else "collector"
    {"collector": collector_outage, "daemon": daemon_restarts}[mode](t)


run(main)
