#!/usr/bin/env python3
"""Raw syslog from Kafka: ikewatchd as a consumer group member of the test cluster (three
brokers on 127.0.0.1, tests/kafka/).

`rsyslog`: a real rsyslogd receives ASA lines over UDP and publishes them with omkafka, the raw
line as the record and the host name as its key (dynaKey); ikewatchd consumes the topic and
raises each device's diagnosis; every record is counted, the six partitions are owned and the lag
drops to zero.

`poison`: records produced with kcat into one partition: binary junk and a record longer than
listen.max_message_size are counted and skipped, the lines after them still arrive; the record
key names the device, also when the header names another host; without a key the header's host
does, and without either the topic; the offsets are committed, so a restarted daemon of the same
group reads only what is new.

`group`: two ikewatchd in one group share six partitions; each device's lines are processed by
exactly one of them.
"""

import os
import subprocess
import sys

from forward_common import asa_line, no_tunnel_group
from kafka_common import MockCluster, kcat_produce
from lib import Daemon, Failure, check, die_with_parent, free_port, raised, run, tool, \
    port_bound_by, wait_until

CODE = "tunnel-group-or-psk-missing"

RSYSLOG_CONF = """\
global(workDirectory="{work}")
module(load="imudp")
module(load="omkafka")
input(type="imudp" address="127.0.0.1" port="{port}" ruleset="to-kafka")
template(name="raw-line" type="string" string="%rawmsg%")
template(name="device-key" type="string" string="%hostname%")
ruleset(name="to-kafka") {{
    action(type="omkafka" broker=[{brokers}] topic="syslog"
           template="raw-line" dynaKey="on" key="device-key"
           confParam=["acks=all"])
}}
"""


def kafka_daemon(t, cluster, name, group="ikewatch", extra="", properties=""):
    # A member that left is noticed within the session timeout (45 s by default).
    config = (f"kafka:\n  brokers: \"{cluster.bootstrap}\"\n  topics: [syslog]\n"
              f"  group: {group}\n"
              f"  properties: {{session.timeout.ms: 6000, heartbeat.interval.ms: 500{properties}}}\n"
              f"{extra}")
    d = Daemon(t, name=name, config=config, udp=False, tcp=False)
    t.daemons.append(d)
    d.start()
    check("reading kafka topics syslog" in d.stderr(), "the Kafka input did not start")
    return d


def start_rsyslog(t, cluster):
    rsyslogd = tool("rsyslogd")
    work = os.path.join(t.tmp, "rsyslog")
    os.makedirs(work)
    port = free_port("udp")
    conf = os.path.join(work, "rsyslog.conf")
    brokers = ", ".join(f'"{b}"' for b in cluster.bootstrap.split(","))
    with open(conf, "w") as f:
        f.write(RSYSLOG_CONF.format(work=work, port=port, brokers=brokers))
    log_path = os.path.join(work, "rsyslogd.log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([rsyslogd, "-n", "-f", conf, "-i", os.path.join(work, "pid")],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                preexec_fn=die_with_parent)
    t.processes.append(proc)

    def ready():
        if proc.poll() is not None:
            with open(log_path) as f:
                raise Failure(f"rsyslogd exited with {proc.returncode}:\n{f.read()}")
        return port_bound_by(proc.pid, port, "udp")

    wait_until(f"rsyslogd to listen on udp {port}", ready, 20)
    return proc, port


def alerted_devices(d):
    return {a["observer"]["hostname"] for a in raised(d.alerts(), code=CODE)}


def rsyslog_mode(t):
    cluster = MockCluster(t, {"syslog": 6})
    d = kafka_daemon(t, cluster, "ikewatchd")
    rsyslog, port = start_rsyslog(t, cluster)
    devices = [f"fw-east-{i}" for i in range(8)]
    lines = [no_tunnel_group(dev, f"198.51.100.{i + 1}") for i, dev in enumerate(devices)]
    t.step(f"{len(lines)} ASA lines -> rsyslogd udp {port} -> omkafka -> ikewatchd")
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for line in lines:
            s.sendto(line, ("127.0.0.1", port))
    for i, dev in enumerate(devices):
        a = d.wait_alert(dev, CODE, 30)
        check(a["ike"]["peer"] == f"198.51.100.{i + 1}", f"{dev}: peer {a['ike']['peer']}")
    check(d.metric("kafka_records_total") == len(lines),
          f"kafka_records_total = {d.metric('kafka_records_total')}, sent {len(lines)}")
    check(d.metric("kafka_partitions_owned") == 6, "the only member owns the six partitions")
    check(d.metric("kafka_rebalances_total") >= 1, "the assignment is counted")
    wait_until("the lag to drop to 0", lambda: d.metric("kafka_lag") == 0, 20)
    rsyslog.terminate()
    check(rsyslog.wait(20) == 0, f"rsyslogd exited with {rsyslog.returncode}")


def poison_mode(t):
    cluster = MockCluster(t, {"syslog": 1})
    extra = "listen:\n  max_message_size: 2KiB\n"
    d = kafka_daemon(t, cluster, "ikewatchd", extra=extra)
    junk = bytes(range(0, 64)) * 4
    long_line = asa_line("fw-p", "3-713902", "Group = g, IP = 203.0.113.99, " + "x" * 4000)
    bare = b"%ASA-3-713902: Group = g, IP = 203.0.113.50, Can't find a valid tunnel group, " \
           b"aborting...!"
    kcat_produce(cluster, "syslog", [
        ("fw-p", no_tunnel_group("fw-p", "203.0.113.1")),
        ("fw-p", junk),
        ("fw-p", long_line),
        ("fw-p", no_tunnel_group("fw-p", "203.0.113.2")),
        ("fw-keyed", bare),
        ("fw-by-key", no_tunnel_group("fw-in-header", "203.0.113.60")),
        (None, no_tunnel_group("fw-unkeyed", "203.0.113.70")),
        (None, bare.replace(b"203.0.113.50", b"203.0.113.80")),
    ])
    t.step("eight records: a line, junk, an oversized line, a line, a line without a host, a "
           "keyed line naming another host, a line without a key, one without a key or host")
    wait_until("both lines of fw-p", lambda: {a["ike"]["peer"] for a in raised(
        d.alerts(), "fw-p", CODE)} == {"203.0.113.1", "203.0.113.2"}, 30)
    a = d.wait_alert("fw-keyed", CODE)
    check(a["ike"]["peer"] == "203.0.113.50", "the keyed line's peer")
    a = d.wait_alert("fw-by-key", CODE)
    check(a["ike"]["peer"] == "203.0.113.60", "the key, not the header, names the device")
    a = d.wait_alert("fw-unkeyed", CODE)
    check(a["ike"]["peer"] == "203.0.113.70", "without a key the header names the device")
    a = d.wait_alert("syslog", CODE)
    check(a["ike"]["peer"] == "203.0.113.80", "without a key or a host the topic does")
    check(not raised(d.alerts(), "fw-in-header"), "the header's host named a keyed device")
    check(d.metric('kafka_poison_total{reason="binary"}') == 1, "one binary record")
    check(d.metric('kafka_poison_total{reason="oversized"}') == 1, "one oversized record")
    check(d.metric("kafka_records_total") == 8, "eight records consumed")
    check(d.stop() == 0, "exit status after SIGTERM")

    t.step("restarted in the same group: only what is new is read")
    d2 = kafka_daemon(t, cluster, "ikewatchd-again", extra=extra)
    kcat_produce(cluster, "syslog", [("fw-new", no_tunnel_group("fw-new", "203.0.113.3"))])
    d2.wait_alert("fw-new", CODE, 40)
    check(d2.metric("kafka_records_total") == 1,
          f"records read again: {d2.metric('kafka_records_total')}")
    check(alerted_devices(d2) == {"fw-new"}, f"alerts after restart: {alerted_devices(d2)}")


def group_mode(t, strategy=None):
    cluster = MockCluster(t, {"syslog": 6})
    properties = f", partition.assignment.strategy: {strategy}" if strategy else ""
    a = kafka_daemon(t, cluster, "ikewatchd-a", group="shared", properties=properties)
    b = kafka_daemon(t, cluster, "ikewatchd-b", group="shared", properties=properties)

    def settled():
        pa, pb = a.metric("kafka_partitions_owned"), b.metric("kafka_partitions_owned")
        return pa + pb == 6 and pa > 0 and pb > 0 and (pa, pb)

    owned = wait_until("the six partitions to be shared out", settled, 60)
    t.step(f"partitions owned: {owned}")
    devices = [f"fw-g{i}" for i in range(24)]
    kcat_produce(cluster, "syslog", [(dev, no_tunnel_group(dev, f"192.0.2.{i + 1}"))
                                     for i, dev in enumerate(devices)])
    wait_until("every device's alert",
               lambda: alerted_devices(a) | alerted_devices(b) == set(devices), 30)
    da, db = alerted_devices(a), alerted_devices(b)
    check(not da & db, f"devices processed by both: {sorted(da & db)}")
    check(da and db, f"one daemon processed every device: a={len(da)}, b={len(db)}")
    ra, rb = a.metric("kafka_records_total"), b.metric("kafka_records_total")
    check(ra + rb == len(devices), f"records consumed: {ra} + {rb}, produced {len(devices)}")
    t.step(f"a: {len(da)} devices, b: {len(db)} devices")

    # Leaving the group revokes a member's partitions in its rebalance callback, while the
    # consumer closes; the one left is given them all.
    check(b.stop() == 0, "b's exit status after SIGTERM")
    wait_until("a to own the six partitions", lambda: a.metric("kafka_partitions_owned") == 6, 60)
    check(a.stop() == 0, "a's exit status after SIGTERM")
    t.step("b left, a took its partitions, both exited cleanly")


def main(t):
    tool("kcat")
    modes = {"rsyslog": rsyslog_mode, "poison": poison_mode, "group": group_mode,
             "group-cooperative": lambda t: group_mode(t, "cooperative-sticky")}
    modes[sys.argv[1]](t)


if __name__ == "__main__":
    run(main)
