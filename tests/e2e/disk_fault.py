#!/usr/bin/env python3
"""The alert log on a file system that fails: ikewatchd writes it on a small tmpfs this test
mounts (root only; skipped, exit 77, where mounting is not permitted).

1. Read-only: the tmpfs is remounted read-only before the daemon starts (a file open for writing
   would make the remount fail), so the log cannot even be opened. Alerts raised meanwhile wait
   in the queue, every attempt is counted as a failure, the daemon stays healthy; remounted
   read-write, the queue is written.
2. Full: a filler file takes every free page, then more alerts are raised than the last page of
   the log can take, so a write fails half-way through a line (ENOSPC). The rest waits; when the
   filler is removed the queue is written, the half-written line completed.
3. Full, with more alerts than the queue holds (alerts.queue): the oldest are dropped and counted,
   the queue never grows past its bound, the rest is written when space comes back.

Throughout: no line of the log is lost without being counted or written twice, every line is a
whole JSON object, and written + dropped = emitted.
"""

import errno
import os
import subprocess

from lib import SKIP, Daemon, check, read_alerts, run, udp_send, wait_until

QUEUE = 40
CONFIG = f"""\
alerts:
  queue: {QUEUE}
"""
FS_SIZE = "256k"
PAD = "p" * 700  # makes each alert ~2.5 KB: a few of them overflow the last page of the log


def mount(*args):
    return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)


def tunnel_group_lines(device, first, count):
    """One line per peer; each raises tunnel-group-or-psk-missing for its peer."""
    out = []
    for i in range(first, first + count):
        peer = f"198.18.{i // 250}.{i % 250 + 1}"
        out.append(f"<163>Jun 01 2026 10:00:00 {device} : %ASA-3-713902: Group = {peer}, IP = "
                   f"{peer}, Can't find a valid tunnel group, aborting...! {PAD}".encode())
    return out


def fill(path):
    """Writes `path` until the file system is full; returns the bytes written."""
    n = 0
    with open(path, "wb", buffering=0) as f:
        chunk = b"\0" * 4096
        while True:
            try:
                n += f.write(chunk)
            except OSError as e:
                check(e.errno == errno.ENOSPC, f"filling the tmpfs: {e}")
                break
        # Whatever single bytes still fit (the last partial page).
        while True:
            try:
                n += f.write(b"\0")
            except OSError:
                break
    return n


def main(t):
    if os.geteuid() != 0:
        print("SKIP: mounting a tmpfs needs root", flush=True)
        raise SystemExit(SKIP)
    mnt = os.path.join(t.tmp, "mnt")
    os.makedirs(mnt)
    r = mount("-t", "tmpfs", "-o", f"size={FS_SIZE},mode=0755", "tmpfs", mnt)
    if r.returncode != 0:
        print(f"SKIP: cannot mount a tmpfs here: {r.stderr.strip()}", flush=True)
        raise SystemExit(SKIP)
    d = None
    try:
        d = phases(t, mnt)
    finally:
        if d is not None and d.alive():
            d.proc.kill()
            d.proc.wait(10)
        r = mount("-o", "remount,rw", mnt)  # in case a check failed while it was read-only
        r = subprocess.run(["umount", mnt], capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            subprocess.run(["umount", "-l", mnt], capture_output=True, timeout=30)
            raise AssertionError(f"umount {mnt}: {r.stderr.strip()}")


def phases(t, mnt):
    log = os.path.join(mnt, "alerts.json")
    filler = os.path.join(mnt, "filler")
    emitted_key = ('alerts_total{action="raised"}', 'alerts_total{action="resolved"}')
    written_key = 'alert_log_lines_total{outcome="written"}'
    dropped_key = 'alert_log_lines_total{outcome="dropped_queue_full"}'
    failures_key = "alert_log_write_failures_total"

    t.step("1. read-only: the log cannot be opened")
    r = mount("-o", "remount,ro", mnt)
    check(r.returncode == 0, f"remount,ro: {r.stderr}")
    d = Daemon(t, config=CONFIG, tcp=False)
    d.alert_log = log
    t.daemons.append(d)
    d.start()
    check("alert log:" in d.stderr(), "the daemon did not report the unopenable alert log")
    udp_send(d.udp_port, tunnel_group_lines("ro-fw", 0, 10))
    # 10 diagnoses, plus one device-level note that only informational IKE messages arrive.
    wait_until("the alerts queued", lambda: d.metric("alert_log_queue") >= 10)
    failures = d.wait_metric(failures_key, 2)  # the retry every second keeps failing
    check(not os.path.exists(log), "an alert log appeared on a read-only file system")
    check(d.healthz() == "ok", "/healthz while the log is read-only")
    # One snapshot, seconds after the lines went out (the listener may read a burst in more than
    # one batch): every alert emitted is in the queue.
    snapshot = d.metrics()
    queued = snapshot["alert_log_queue"]
    check(queued == sum(snapshot[k] for k in emitted_key), "queued != emitted")
    t.step(f"   {queued} alerts queued, {failures} failed attempts; remounting read-write")
    r = mount("-o", "remount,rw", mnt)
    check(r.returncode == 0, f"remount,rw: {r.stderr}")
    wait_until("the queue written", lambda: d.metric("alert_log_queue") == 0)
    alerts = read_alerts(log)
    check(len(alerts) == queued, f"{len(alerts)} alerts in the log, {queued} were queued")

    t.step("2. full: a write fails in the middle of a line")
    size_before = os.path.getsize(log)
    free = fill(filler)
    before = d.metrics()
    udp_send(d.udp_port, tunnel_group_lines("full-fw", 100, 20))
    wait_until("20 more alerts emitted", lambda: sum(d.metric(k) for k in emitted_key)
               >= sum(before[k] for k in emitted_key) + 20)
    wait_until("a failed write", lambda: d.metric(failures_key) > before[failures_key])
    queued = d.metric("alert_log_queue")
    check(queued > 0, "nothing queued on a full file system")
    with open(log, "rb") as f:
        partial = not f.read().endswith(b"\n")
    t.step(f"   filler {free} bytes, log {size_before} -> {os.path.getsize(log)} bytes, "
           f"{queued} queued, {'a line half-written' if partial else 'whole lines only'}")
    check(d.healthz() == "ok" and d.alive(), "daemon unhealthy on a full file system")
    os.unlink(filler)
    wait_until("the queue written after space came back", lambda: d.metric("alert_log_queue") == 0)
    check_log(d, log, emitted_key, written_key, dropped_key)
    check(d.metric(dropped_key) == 0, "alerts dropped though the queue had room")

    t.step(f"3. full, with more alerts than the queue holds ({QUEUE})")
    fill(filler)
    before = d.metrics()
    udp_send(d.udp_port, tunnel_group_lines("overflow-fw", 200, 30))
    udp_send(d.udp_port, tunnel_group_lines("overflow-fw", 230, 30))
    wait_until("60 more alerts emitted", lambda: sum(d.metric(k) for k in emitted_key)
               >= sum(before[k] for k in emitted_key) + 60)
    m = d.metrics()
    check(m["alert_log_queue"] <= QUEUE, f"queue {m['alert_log_queue']} > {QUEUE}")
    check(m[dropped_key] > 0, "no alert dropped though more were raised than the queue holds")
    t.step(f"   queue {m['alert_log_queue']}, dropped {m[dropped_key]}")
    os.unlink(filler)
    wait_until("the queue written", lambda: d.metric("alert_log_queue") == 0)
    check_log(d, log, emitted_key, written_key, dropped_key)
    # The newest alerts are kept: the last one raised is in the log.
    last_peer = "198.18.1.10"  # peer 259
    check(any(a["ike"]["peer"] == last_peer for a in read_alerts(log)),
          "the newest alert was dropped instead of the oldest")

    t.step("the daemon stops cleanly")
    check(d.stop() == 0, "exit status after SIGTERM")
    return d


def check_log(d, log, emitted_key, written_key, dropped_key):
    """Every line whole and unique; written + dropped = emitted; the file holds `written`."""
    m = d.metrics()
    alerts = read_alerts(log)  # fails on a line that is not a whole JSON object
    keys = [(a["event"]["action"], a["alert"]["id"], a["alert"]["count"]) for a in alerts]
    check(len(set(keys)) == len(keys), "an alert was written twice")
    emitted = sum(m[k] for k in emitted_key)
    check(m[written_key] + m[dropped_key] == emitted,
          f"written {m[written_key]} + dropped {m[dropped_key]} != emitted {emitted}")
    check(len(alerts) == m[written_key], f"{len(alerts)} lines in the log, {m[written_key]} written")


if __name__ == "__main__":
    run(main)
