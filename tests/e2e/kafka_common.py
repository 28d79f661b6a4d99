"""Kafka for the end-to-end tests (python3 standard library only).

- `MockCluster`: the kafka_mock_cluster program (tests/kafka/), librdkafka's mock cluster of three
  brokers on 127.0.0.1, started with the topics a test names and stopped with the test. Its
  brokers can be taken down and brought up again (SIGUSR1, SIGUSR2).
- `kcat_produce`, `kcat_consume`: Debian's kcat against it, the client an operator would use.
"""

import json
import os
import signal
import subprocess

from lib import Failure, check, die_with_parent, tool, wait_until


def mock_cluster_path():
    path = os.environ.get("KAFKA_MOCK_CLUSTER")
    check(path and os.access(path, os.X_OK),
          "KAFKA_MOCK_CLUSTER does not name the kafka_mock_cluster program")
    return path


class MockCluster:
    """A running mock cluster; `bootstrap` is its `127.0.0.1:PORT,...` list."""

    def __init__(self, t, topics, brokers=3, down=False):
        self.t = t
        self.dir = os.path.join(t.tmp, "kafka")
        os.makedirs(self.dir, exist_ok=True)
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        args = [mock_cluster_path(), "--brokers", str(brokers)]
        if down:
            args.append("--down")
        args += [f"{name}:{partitions}" for name, partitions in topics.items()]
        with open(self.stderr_path, "w") as err:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=err, preexec_fn=die_with_parent, text=True)
        t.processes.append(self.proc)
        self.bootstrap = self.proc.stdout.readline().strip()
        check(self.bootstrap, f"kafka_mock_cluster printed no bootstrap servers:\n{self.log()}")
        self.ports = [int(b.rsplit(":", 1)[1]) for b in self.bootstrap.split(",")]

    def log(self):
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def down(self):
        n = self.log().count("brokers down")
        self.proc.send_signal(signal.SIGUSR1)
        wait_until("the brokers to go down", lambda: self.log().count("brokers down") > n, 10)

    def up(self):
        n = self.log().count("brokers up")
        self.proc.send_signal(signal.SIGUSR2)
        wait_until("the brokers to come up", lambda: self.log().count("brokers up") > n, 10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                raise Failure("kafka_mock_cluster did not exit within 20s of SIGTERM")
        check(self.proc.returncode == 0, f"kafka_mock_cluster exited with {self.proc.returncode}")


def kcat_produce(cluster, topic, records, partition=None):
    """Produces `records`, a list of (key or None, value bytes), each as one record (its bytes
    as they are, newlines and NULs included), and waits for the acks."""
    kcat = tool("kcat")
    for i, (key, value) in enumerate(records):
        path = os.path.join(cluster.dir, f"record-{i}")
        with open(path, "wb") as f:
            f.write(value)
        args = [kcat, "-P", "-b", cluster.bootstrap, "-t", topic, "-X", "acks=all"]
        if partition is not None:
            args += ["-p", str(partition)]
        if key is not None:
            args += ["-k", key]
        # A file named on the command line is produced as one record.
        r = subprocess.run(args + [path], capture_output=True, timeout=30)
        check(r.returncode == 0, f"kcat -P failed: {r.stderr.decode(errors='replace')}")


def kcat_consume(cluster, topic, timeout=30):
    """Every record of `topic` from the beginning: [{'key':…, 'payload':…, 'partition':…}]."""
    kcat = tool("kcat")
    r = subprocess.run([kcat, "-C", "-b", cluster.bootstrap, "-t", topic, "-e", "-J", "-q"],
                       capture_output=True, timeout=timeout, text=True)
    check(r.returncode == 0, f"kcat -C failed: {r.stderr}")
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def kcat_produce_lines(cluster, topic, records):
    """Produces `records`, a list of (key, line bytes without LF), one record per line, with one
    kcat (keys and lines must hold no tab), and waits for the acks."""
    kcat = tool("kcat")
    data = b"".join(key.encode() + b"\t" + line + b"\n" for key, line in records)
    r = subprocess.run([kcat, "-P", "-b", cluster.bootstrap, "-t", topic, "-K", "\t",
                        "-X", "acks=all"], input=data, capture_output=True, timeout=60)
    check(r.returncode == 0, f"kcat -P failed: {r.stderr.decode(errors='replace')}")
