#!/usr/bin/env python3
"""Per-device state across a Kafka failover: ikewatchd members of one group with
kafka.checkpoint_topic, the test cluster's three brokers on 127.0.0.1 (tests/kafka/).

Every device runs the same story, keyed by its name on the input topic:
  first half   a peer with no tunnel-group (IKW-P1-031 raised), an initiator that sends MM1,
               receives MM2, sends MM3 and so waits at MM_WAIT_MSG4, the first peer again;
  second half  40 s later (device time) a third peer with no tunnel-group, and the first again.
The MM_WAIT_MSG4 diagnosis (IKW-P1-030, 30 s in state) needs the first half's state: the second
half alone names neither the waiting peer nor its state. The alerts expected are those of
`ikewatch replay` over all the lines; across the daemons' alert logs each must be raised exactly
once, none twice.

`failover`: two members; once the first half is processed and checkpointed, the member owning
devices is SIGKILLed; the survivor takes its partitions over, restores their devices and
raises each device's MM_WAIT_MSG4 diagnosis, raising nothing of the first half again.

`brokers`: one member; the brokers go down after the first half is checkpointed and come back;
the next lines are read and checkpoints go on; then a second
member joins, the first stops (SIGTERM: its revocation writes a last checkpoint), and the
second reads the last lines of every device on the restored state.

`rebalance`: two members; half of the second half is produced, a third member joins and the
partitions are shared out again, then the rest; every device's alerts are still raised exactly
once.
"""

import collections
import json
import os
import subprocess
import sys
import time

from forward_common import asa_line, no_tunnel_group
from kafka_common import MockCluster, kcat_produce_lines
from lib import Daemon, check, read_alerts, run, tool, wait_until

STATE_TOPIC = "ikewatch-state"
DEVICES = [f"fw-c{i:02d}" for i in range(12)]


def peers(i):
    return f"198.51.100.{i + 1}", f"203.0.113.{i + 1}", f"192.0.2.{i + 1}"


def ike(host, peer, direction, payloads, stamp):
    return asa_line(host, "7-713236", f"IP = {peer}, IKE_DECODE {direction} Message (msgid=0) "
                    f"with payloads : {payloads} total length : 172", stamp, pri=167)


def first_half(i, dev):
    a, b, _ = peers(i)
    return [
        no_tunnel_group(dev, a, stamp="Dec 19 15:49:50"),
        asa_line(dev, "5-713041", f"IP = {b}, IKE Initiator: New Phase 1, Intf outside, IKE "
                 f"Peer {b}  local Proxy Address 10.1.0.0, remote Proxy Address 10.2.0.0,  "
                 "Crypto map (VPN)", "Dec 19 15:49:51"),
        ike(dev, b, "SENDING", "HDR + SA (1) + VENDOR (13) + NONE (0)", "Dec 19 15:49:51"),
        ike(dev, b, "RECEIVED", "HDR + SA (1) + VENDOR (13) + NONE (0)", "Dec 19 15:49:51"),
        ike(dev, b, "SENDING", "HDR + KE (4) + NONCE (10) + VENDOR (13) + NONE (0)",
            "Dec 19 15:49:52"),
        no_tunnel_group(dev, a, stamp="Dec 19 15:49:55"),
    ]


def second_half(i, dev):
    a, _, c = peers(i)
    return [no_tunnel_group(dev, c, stamp="Dec 19 15:50:32"),
            no_tunnel_group(dev, a, stamp="Dec 19 15:50:33")]


def records(half, devices=DEVICES):
    return [(dev, line) for i, dev in enumerate(devices) for line in half(i, dev)]


def expected_raises(t):
    """alert.id → times raised, by `ikewatch replay` over every device's lines in order."""
    path = os.path.join(t.tmp, "all.log")
    with open(path, "wb") as f:
        for i, dev in enumerate(DEVICES):
            for line in first_half(i, dev) + second_half(i, dev):
                f.write(line + b"\n")
    r = subprocess.run([t.ikewatch, "replay", "--no-drain", "--format", "json", path],
                       capture_output=True, timeout=60, text=True)
    check(r.returncode in (0, 1), f"ikewatch replay: {r.stderr}")
    out = collections.Counter(a["alert"]["id"] for a in map(json.loads, r.stdout.splitlines())
                              if a["event"]["action"] == "raised")
    check(all(f"IKW-P1-030/{dev}/{peers(i)[1]}" in out for i, dev in enumerate(DEVICES)),
          "the replay raises every device's MM_WAIT_MSG4 diagnosis")
    return out


def raises(*daemons):
    return collections.Counter(a["alert"]["id"] for d in daemons for a in d.alerts()
                               if a["event"]["action"] == "raised")


def check_exactly_once(t, expected, daemons):
    got = raises(*daemons)
    twice = sorted(i for i, n in got.items() if n > 1)
    check(not twice, f"raised more than once across the alert logs: {twice}")
    missing = sorted(set(expected) - set(got))
    check(not missing, f"never raised: {missing}")
    extra = sorted(set(got) - set(expected))
    check(not extra, f"raised but not by the replay: {extra}")
    t.step(f"{len(got)} alerts, each raised exactly once across {len(daemons)} alert logs")


def member(t, cluster, name, interval="1s"):
    config = (f"kafka:\n  brokers: \"{cluster.bootstrap}\"\n  topics: [syslog]\n"
              f"  group: ikewatch\n  checkpoint_topic: {STATE_TOPIC}\n"
              f"  checkpoint_interval: {interval}\n"
              f"  properties: {{session.timeout.ms: 6000, heartbeat.interval.ms: 500}}\n")
    d = Daemon(t, name=name, config=config, udp=False, tcp=False)
    t.daemons.append(d)
    d.start()
    check("reading kafka topics syslog" in d.stderr(), f"{name}: the Kafka input did not start")
    return d


def devices_of(d, rule="IKW-P1-031"):
    return {a["observer"]["hostname"] for a in d.alerts()
            if a["event"]["action"] == "raised" and a["rule"]["id"] == rule}


def wait_first_half(members):
    wait_until("every device's first diagnosis",
               lambda: set().union(*(devices_of(d) for d in members)) == set(DEVICES), 40)


def wait_checkpointed(d):
    """A checkpoint started after everything processed so far was acknowledged."""
    n = d.metric("kafka_checkpoints_total")
    d.wait_metric("kafka_checkpoints_total", n + 2, 30)


def wait_owned(members, total=6, each=True):
    def settled():
        owned = [d.metric("kafka_partitions_owned") for d in members]
        return sum(owned) == total and (not each or min(owned) > 0) and owned
    return wait_until("the partitions to be shared out", settled, 60)


def wait_diagnoses(members):
    wait_until("every device's MM_WAIT_MSG4 diagnosis",
               lambda: set().union(*(devices_of(d, "IKW-P1-030") for d in members)) ==
               set(DEVICES), 60)


def failover_mode(t):
    expected = expected_raises(t)
    cluster = MockCluster(t, {"syslog": 6, STATE_TOPIC: 6})
    a = member(t, cluster, "ikewatchd-a")
    b = member(t, cluster, "ikewatchd-b")
    t.step(f"partitions owned: {wait_owned([a, b])}")
    kcat_produce_lines(cluster, "syslog", records(first_half))
    wait_first_half([a, b])
    victim, survivor = (a, b) if len(devices_of(a)) >= len(devices_of(b)) else (b, a)
    moved = devices_of(victim)
    check(moved, "the member to kill owns devices")
    wait_checkpointed(victim)
    before = raises(a, b)
    t.step(f"SIGKILL {victim.name} ({len(moved)} devices halfway through their negotiation)")
    victim.proc.kill()
    victim.proc.wait(10)
    wait_owned([survivor], each=False)
    survivor.wait_metric("kafka_checkpoint_restored_total", len(moved), 30)
    t.step(f"{survivor.name} owns the six partitions, restored "
           f"{survivor.metric('kafka_checkpoint_restored_total')} devices")
    kcat_produce_lines(cluster, "syslog", records(second_half))
    wait_diagnoses([a, b])
    check_exactly_once(t, expected, [a, b])
    again = sorted(i for i in before if raises(survivor)[i] > 0 and raises(victim)[i] > 0)
    check(not again, f"raised before the kill and again after it: {again}")
    for dev in moved:
        check(dev in devices_of(survivor, "IKW-P1-030"),
              f"{dev}: the survivor raised the MM_WAIT_MSG4 diagnosis")
    check(survivor.metric("kafka_checkpoint_refused_total") == 0, "no snapshot refused")


def brokers_mode(t):
    expected = expected_raises(t)
    cluster = MockCluster(t, {"syslog": 6, STATE_TOPIC: 6})
    a = member(t, cluster, "ikewatchd-a")
    wait_owned([a])
    kcat_produce_lines(cluster, "syslog", records(first_half))
    wait_first_half([a])
    wait_checkpointed(a)
    second = records(second_half)
    t.step("brokers down")
    cluster.down()
    time.sleep(4)
    check(a.alive(), "the daemon runs on while the brokers are away")
    cluster.up()
    t.step("brokers up again; the second half's first lines")
    kcat_produce_lines(cluster, "syslog", second[0::2])
    wait_diagnoses([a])
    wait_checkpointed(a)
    b = member(t, cluster, "ikewatchd-b")
    wait_owned([a, b])
    t.step("a second member joined; the first stops (SIGTERM)")
    check(a.stop() == 0, "exit status after SIGTERM")
    wait_owned([b], each=False)
    check(b.metric("kafka_checkpoint_restored_total") >= len(DEVICES),
          f"restored: {b.metric('kafka_checkpoint_restored_total')}")
    kcat_produce_lines(cluster, "syslog", second[1::2])
    b.wait_metric("kafka_records_total", len(DEVICES), 30)
    check_exactly_once(t, expected, [a, b])


def rebalance_mode(t):
    expected = expected_raises(t)
    cluster = MockCluster(t, {"syslog": 6, STATE_TOPIC: 6})
    a = member(t, cluster, "ikewatchd-a")
    b = member(t, cluster, "ikewatchd-b")
    wait_owned([a, b])
    kcat_produce_lines(cluster, "syslog", records(first_half))
    wait_first_half([a, b])
    second = records(second_half)
    kcat_produce_lines(cluster, "syslog", second[:len(second) // 2])
    c = member(t, cluster, "ikewatchd-c")
    t.step(f"a third member joined between the lines: {wait_owned([a, b, c])}")
    kcat_produce_lines(cluster, "syslog", second[len(second) // 2:])
    wait_diagnoses([a, b, c])
    check_exactly_once(t, expected, [a, b, c])


def main(t):
    tool("kcat")
    {"failover": failover_mode, "brokers": brokers_mode,
     "rebalance": rebalance_mode}[sys.argv[1]](t)


if __name__ == "__main__":
    run(main)
