#!/usr/bin/env python3
"""Kafka input against UDP input, per core: the same ASA lines (connection and ACL lines with
IKE negotiations that fail, 1,000 devices) go to one ikewatchd through a topic of the test
cluster (tests/kafka/kafka_mock_cluster, loaded beforehand with kcat, keyed by device) and to
another over UDP on 127.0.0.1 (paced so that nothing is lost). For each input it prints lines
per second of wall time while the daemon works and lines per CPU-second of the daemon
(user + system time from /proc), the figure to compare per core.

Usage: python3 bench/kafka_ingest.py [LINES] [BUILD]   (default 150000, build/release)

The test cluster keeps about 5 MB per partition (librdkafka's mock brokers drop the oldest
records beyond that): more than about 150,000 of these lines over six partitions would be cut
before the daemon reads them, so larger counts are refused.
"""

import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 150_000
if N > 150_000:
    raise SystemExit("at most 150000 lines: the test cluster keeps about 5 MB per partition")
BUILD = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "build", "release")
IKEWATCHD = os.path.join(BUILD, "daemon", "ikewatchd")
CLUSTER = os.path.join(BUILD, "tests", "kafka", "kafka_mock_cluster")
TICK = os.sysconf("SC_CLK_TCK")


def lines(n):
    rnd = random.Random(7)
    out = []
    for i in range(n):
        dev = f"fw{rnd.randrange(1000):04d}"
        peer = f"198.51.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
        if i % 10 == 0:
            text = (f"%ASA-3-713902: Group = g, IP = {peer}, Can't find a valid tunnel group, "
                    "aborting...!")
        else:
            text = (f"%ASA-6-302013: Built inbound TCP connection {i} for outside:{peer}/"
                    f"{rnd.randrange(1024, 65535)} ({peer}/443) to inside:10.1.{i % 250}.9/443 "
                    f"(10.1.{i % 250}.9/443)")
        out.append((dev, f"<166>Dec 19 15:49:51 {dev} : {text}"))
    return out


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def metric(port, name):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(f"ikewatch_{name} ") or line.startswith(f"ikewatch_{name}{{"):
                return int(line.rsplit(" ", 1)[1])
    return 0


def daemon(work, name, args):
    d = os.path.join(work, name)
    os.makedirs(d)
    err = open(os.path.join(d, "stderr.log"), "w")
    root = ["--allow-root"] if os.geteuid() == 0 else []
    p = subprocess.Popen([IKEWATCHD, "--status", "127.0.0.1:0", "--alert-log",
                          os.path.join(d, "alerts.json"), *root, *args],
                         stdout=subprocess.DEVNULL, stderr=err)
    log = os.path.join(d, "stderr.log")
    for _ in range(300):
        text = open(log).read()
        if "status endpoint on" in text:
            port = int(text.split("status endpoint on http://127.0.0.1:")[1].split("/")[0])
            udp = int(text.split("listening on udp ")[1].split()[0]) if "on udp" in text else 0
            return p, port, udp
        time.sleep(0.1)
    raise SystemExit(f"{name} did not start:\n{open(log).read()}")


def main():
    data = lines(N)
    with tempfile.TemporaryDirectory(prefix="ikewatch-kafka-bench-") as work:
        cluster = subprocess.Popen([CLUSTER, "syslog:6"], stdout=subprocess.PIPE, text=True)
        bootstrap = cluster.stdout.readline().strip()
        try:
            records = os.path.join(work, "records")
            with open(records, "w") as f:
                f.writelines(f"{dev}\t{line}\n" for dev, line in data)
            subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "syslog", "-K", "\t",
                            "-X", "linger.ms=50", "-l", records], check=True)
            # Kafka: the topic is full before the daemon starts; its CPU counts from its start.
            p, port, _ = daemon(work, "kafka", ["--kafka-brokers", bootstrap, "--kafka-topic",
                                               "syslog", "--kafka-group", "bench"])
            # From the first record on: joining the group (a few seconds) is not ingest.
            while metric(port, "kafka_records_total") == 0:
                time.sleep(0.01)
            cpu_start = cpu_seconds(p.pid)
            t0 = time.monotonic()
            while metric(port, "kafka_records_total") < N:
                time.sleep(0.05)
            wall, cpu = time.monotonic() - t0, cpu_seconds(p.pid) - cpu_start
            p.terminate()
            p.wait(30)
            results = {"kafka": (wall, cpu)}

            # UDP: paced bursts so that the socket buffer never overflows.
            p, port, udp = daemon(work, "udp", ["--udp", "127.0.0.1:0"])
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
            encoded = [line.encode() for _, line in data]
            cpu_start = cpu_seconds(p.pid)
            t0 = time.monotonic()
            for i in range(0, N, 500):
                for b in encoded[i:i + 500]:
                    s.sendto(b, ("127.0.0.1", udp))
                # At most 20,000 lines in flight; a loss (which would stall this) ends the wait.
                wait_until = time.monotonic() + 5
                while (metric(port, 'messages_received_total{transport="udp"}') < i - 20_000
                       and time.monotonic() < wait_until):
                    time.sleep(0.001)
            deadline = time.monotonic() + 30
            while (got := metric(port, 'messages_received_total{transport="udp"}')) < N and \
                    time.monotonic() < deadline:
                time.sleep(0.05)
            wall, cpu = time.monotonic() - t0, cpu_seconds(p.pid) - cpu_start
            p.terminate()
            p.wait(30)
            results["udp"] = (wall, cpu, got)
        finally:
            cluster.terminate()
            cluster.wait(30)
    print(f"{N} lines, {IKEWATCHD}")
    print("| input | lines/s (wall) | lines per CPU-second of ikewatchd | lost |")
    print("|---|---|---|---|")
    w, c = results["kafka"]
    print(f"| kafka (6 partitions, 1 daemon) | {N / w:,.0f} | {N / c:,.0f} | 0 |")
    w, c, got = results["udp"]
    print(f"| udp (paced) | {got / w:,.0f} | {got / c:,.0f} | {N - got} |")
    print(json.dumps({"lines": N, "kafka": results["kafka"], "udp": results["udp"]}))


if __name__ == "__main__":
    main()
