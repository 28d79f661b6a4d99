#!/usr/bin/env python3
"""SIGHUP, SIGUSR1 and SIGTERM on a running ikewatchd.

  reload   SIGHUP with a broken local rule file is refused (old rules kept, alerts still flow);
           after the file is fixed SIGHUP applies it.
  rotate   alerts.json moved away and SIGUSR1 sent while alerts are being written: later alerts
           go to a new alerts.json and the two files together hold every alert once.
  sigterm  N messages sent over UDP and TCP, SIGTERM at once (while they are all still in the
           daemon's sockets): exit 0, `stats (exit): received=N`, every alert in the log.

Usage: reload_and_rotate.py [reload|rotate|sigterm]... (default: all three)
"""

import fcntl
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import termios

from lib import (check, expected_code, logger_send, raised, read_alerts, run, scenario_lines,
                 syslog_line, tcp_send, udp_send, wait_until)

# An override of a shipped rule: visible in every alert it raises.
RULE = """\
overrides:
  - id: IKW-P1-031
    severity: {severity}
"""
BROKEN = """\
overrides:
  - id: IKW-P1-031
    severity: catastrophic
"""


def validate(t, path):
    """Exit status of `ikewatch validate` on a rule file (the CLI's view of it)."""
    return subprocess.run([t.ikewatch, "validate", path], capture_output=True).returncode


def reload(t):
    rules = os.path.join(t.tmp, "rules.d")
    os.makedirs(rules)
    local = os.path.join(rules, "local.yaml")
    with open(local, "w") as f:
        f.write(RULE.format(severity="critical"))
    check(validate(t, local) == 0, "ikewatch validate refuses the valid local rule")
    d = t.daemon(name="reload", rules=rules)
    s05 = scenario_lines("S05")

    def severity_for(device):
        logger_send(d.udp_port, device, s05, "udp")
        return d.wait_alert(device, "tunnel-group-or-psk-missing")["rule"]["severity"]

    check(severity_for("hup-before") == "critical", "the local override is not applied at start")

    t.step("broken rule file, SIGHUP")
    with open(local, "w") as f:
        f.write(BROKEN)
    check(validate(t, local) == 1, "ikewatch validate accepts the broken rule file")
    d.signal(signal.SIGHUP)
    d.wait_metric('reloads_total{result="failed"}', 1)
    check(d.alive(), "the daemon died on a broken rule file")
    check(d.metric('reloads_total{result="ok"}') == 0, "a broken reload counted as ok")
    log = d.stderr()
    check(re.search(re.escape(local) + r":3:\d+: bad-severity", log),
          "the broken rule's file:line and code are not logged")
    check("reload refused" in log, "no 'reload refused' in the log")
    # Still running the previous set: the override holds, and other rules still raise.
    check(severity_for("hup-broken") == "critical", "the previous rule set was not kept")
    logger_send(d.tcp_port, "hup-broken-s06", scenario_lines("S06"), "tcp-octet")
    d.wait_alert("hup-broken-s06", "crypto-map-not-applied")

    t.step("fixed rule file, SIGHUP")
    with open(local, "w") as f:
        f.write(RULE.format(severity="medium"))
    d.signal(signal.SIGHUP)
    d.wait_metric('reloads_total{result="ok"}', 1)
    check(d.metric('reloads_total{result="failed"}') == 1, "reloads_total{failed} changed")
    check(severity_for("hup-fixed") == "medium", "the fixed rule file was not applied")


def rotate(t):
    d = t.daemon(name="rotate")
    s06 = scenario_lines("S06")[0]
    old = d.alert_log + ".1"
    batches = [[f"rot-{b}-{i}" for i in range(150)] for b in range(3)]

    def send(devices):
        tcp_send(d.tcp_port, [syslog_line(dev, s06) for dev in devices])

    # The file is moved once the first alerts are in it; SIGUSR1 goes just before the second
    # batch, so the reopen races with alerts being written. The last batch is sent once the
    # reopen is counted.
    send(batches[0])
    d.wait_metric('alerts_total{action="raised"}', 1)
    os.rename(d.alert_log, old)
    d.signal(signal.SIGUSR1)
    send(batches[1])
    d.wait_metric("alert_log_reopens_total", 1)
    send(batches[2])
    want = sum(len(b) for b in batches)
    d.wait_metric('alerts_total{action="raised"}', want)
    check(d.metric("alert_log_queue") == 0, "alerts still queued")

    in_old, in_new = read_alerts(old), read_alerts(d.alert_log)
    t.step(f"{len(in_old)} alerts in alerts.json.1, {len(in_new)} in the new alerts.json")
    ids = [a["alert"]["id"] for a in raised(in_old + in_new)]
    check(len(ids) == want, f"{len(ids)} raised alerts in both files, expected {want}")
    check(len(set(ids)) == want, "an alert was written twice")
    got = {a["observer"]["hostname"] for a in in_old + in_new}
    missing = [dev for b in batches for dev in b if dev not in got]
    check(not missing, f"alerts lost in the rotation: {missing[:10]}")
    new_devices = {a["observer"]["hostname"] for a in in_new}
    check(set(batches[2]) <= new_devices, "alerts after the reopen are not in the new file")
    check(in_old, "nothing was written to the moved file")


def unacknowledged(sock):
    """Bytes sent on a TCP socket that the receiving kernel has not acknowledged yet."""
    return struct.unpack("i", fcntl.ioctl(sock, termios.TIOCOUTQ, b"\0" * 4))[0]


def sigterm(t):
    d = t.daemon(name="sigterm")
    cycle = ["S05", "S06", "S07", "S08"]
    plan = {transport: [(f"term-{transport}-{i}", cycle[i % 4]) for i in range(n)]
            for transport, n in (("udp", 200), ("tcp", 100))}

    def messages(transport):
        return [syslog_line(dev, line) for dev, s in plan[transport] for line in scenario_lines(s)]

    udp, tcp = messages("udp"), messages("tcp")
    # The daemon is stopped (SIGSTOP) while the messages are sent, so they are all still in its
    # sockets when SIGTERM comes: the datagrams in the UDP receive queue, the stream in the
    # receive queue of a TCP connection accepted beforehand (acknowledged by the kernel, as far
    # as the sender knows delivered).
    with socket.create_connection(("127.0.0.1", d.tcp_port), timeout=10) as c:
        d.wait_metric('tcp_connections_total{outcome="accepted"}', 1)
        d.signal(signal.SIGSTOP)
        try:
            udp_send(d.udp_port, udp)
            c.sendall(b"".join(b"%d %s" % (len(m.encode()), m.encode()) for m in tcp))
            wait_until("the daemon's kernel to acknowledge the TCP stream",
                       lambda: unacknowledged(c) == 0, 10)
            d.signal(signal.SIGTERM)
        finally:
            d.signal(signal.SIGCONT)
        rc = d.proc.wait(60)
    check(rc == 0, f"exit status {rc} after SIGTERM")
    stats = [l for l in d.stderr().splitlines() if "stats (exit):" in l]
    check(len(stats) == 1, f"{len(stats)} exit stats lines")
    t.step(stats[0].split("info ", 1)[-1][:80])
    got = {k: int(v) for k, v in re.findall(r" (received|udp|tcp)=(\d+)", stats[0])}
    check(got["udp"] == len(udp), f"exit stats udp={got['udp']}, sent {len(udp)}")
    # Known daemon bug, this check fails on purpose until it is fixed: when the event loop has
    # already read a chunk of the TCP stream (up to the session's 16 KiB buffer) but not yet run
    # its handler as SIGTERM is handled, the session's stop() reads the rest into the same buffer
    # and the pending handler then returns early (stopped_), so that chunk is lost.
    check(got["tcp"] == len(tcp), f"exit stats tcp={got['tcp']}, sent {len(tcp)}")
    check(got["received"] == len(udp) + len(tcp),
          f"exit stats received={got['received']}, sent {len(udp) + len(tcp)}")
    found = {(a["observer"]["hostname"], a["diagnosis"]["code"]) for a in raised(d.alerts())}
    for transport in plan:
        lost = [dev for dev, s in plan[transport] if (dev, expected_code(s)) not in found]
        check(not lost, f"{len(lost)} {transport} devices without their alert: {lost[:5]}")


PARTS = {"reload": reload, "rotate": rotate, "sigterm": sigterm}


def main(t):
    for name in sys.argv[1:] or PARTS:
        t.step(f"part {name}")
        PARTS[name](t)


run(main)
