#!/usr/bin/env python3
"""Replay and live give the same alerts for the same lines.

Every scenario and example log goes, record by record, over UDP to two daemons, one running the
pipeline on the event loop and one on two worker threads, from its own source address (so its
header-less lines get a device of their own). `ikewatch replay` reads the same files. What the
lines raise by themselves (replay --no-drain) must appear live; what appears live must be among
what the replay raises once every timer has fired (live, the devices' clocks only move on with
the wall clock, so some timers have not fired yet)."""

import glob
import json
import os
import subprocess

from lib import SOURCE, check, run, udp_send, wait_until

FILES = sorted(glob.glob(os.path.join(SOURCE, "tests", "scenarios", "*.log")) +
               glob.glob(os.path.join(SOURCE, "examples", "*.log")))


def records(t, path):
    """The file's records (a line with its continuation lines), split as the replay splits them:
    `ikewatch parse` prints one object per record with the number of its first line."""
    r = subprocess.run([t.ikewatch, "parse", path], capture_output=True, timeout=60)
    check(r.returncode == 0, f"ikewatch parse {path}: {r.stderr.decode(errors='replace')}")
    starts = [json.loads(l)["line"] for l in r.stdout.decode().splitlines() if l.strip()]
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    out = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(lines)
        body = [l for l in lines[start - 1:end] if l.strip() and not l.startswith(b"#")]
        out.append(b"\n".join(body))
    return out


def key(alert, device_of):
    device = alert["observer"]["hostname"]
    return (device_of.get(device, device), alert["ike"].get("peer") or alert.get("key", ""),
            alert["rule"]["id"], alert["diagnosis"]["code"], alert["event"]["action"])


def replay(t, drain, device_of):
    args = [t.ikewatch, "replay", "--format", "json"] + ([] if drain else ["--no-drain"]) + FILES
    r = subprocess.run(args, capture_output=True, timeout=120)
    check(r.returncode == 0, f"ikewatch replay: {r.stderr.decode(errors='replace')}")
    return {key(json.loads(l), device_of) for l in r.stdout.decode().splitlines() if l.strip()}


def main(t):
    check(FILES, "no scenario files")
    one = t.daemon(name="one-worker", tcp=False)
    two = t.daemon(name="two-workers", tcp=False, config="workers: 2\n")
    check("2 pipeline workers" in two.stderr(), "the second daemon does not run two workers")

    # A source address per file: the replay names header-less devices after the file.
    device_of = {}
    total = 0
    for n, path in enumerate(FILES, start=2):
        source = f"127.0.0.{n}"
        device_of[os.path.basename(path)] = source
        recs = records(t, path)
        total += len(recs)
        for d in (one, two):
            udp_send(d.udp_port, recs, source=source)
    t.step(f"{len(FILES)} files, {total} records sent to both daemons")

    no_drain = replay(t, False, device_of)
    with_drain = replay(t, True, device_of)
    check(no_drain, "the replay raised nothing; the comparison would prove nothing")
    check(no_drain <= with_drain, "replay --no-drain raised what a full replay does not")

    for d in (one, two):
        got = d.wait_metric("records_total", total)
        check(got == total, f"{d.name}: records_total = {got}, sent {total}")

        def live():
            return {key(a, {}) for a in d.alerts()}

        wait_until(f"{d.name}: every alert of replay --no-drain",
                   lambda: no_drain <= live() or None, 20)
        extra = live() - with_drain
        check(not extra, f"{d.name}: alerts the replay never raises: {sorted(extra)[:5]}")
        t.step(f"{d.name}: {len(live())} alerts, {len(no_drain)} without timers, "
               f"{len(with_drain)} with every timer fired")


if __name__ == "__main__":
    run(main)
