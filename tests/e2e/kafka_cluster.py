#!/usr/bin/env python3
"""The test cluster itself (tests/kafka/kafka_mock_cluster): three brokers on 127.0.0.1 with the
topics asked for, reachable by kcat; records produced are read back with their keys; brokers
taken down refuse clients and serve them again once brought up; SIGTERM ends it with status 0."""

import subprocess

from kafka_common import MockCluster, kcat_consume, kcat_produce
from lib import check, run, tool


def main(t):
    kcat = tool("kcat")
    cluster = MockCluster(t, {"syslog": 6, "alerts": 1})
    check(len(cluster.ports) == 3 and all(b.startswith("127.0.0.1:") for b in
                                          cluster.bootstrap.split(",")),
          f"bootstrap servers: {cluster.bootstrap}")
    meta = subprocess.run([kcat, "-L", "-b", cluster.bootstrap], capture_output=True, text=True,
                          timeout=30).stdout
    check(' 3 brokers:' in meta and 'topic "syslog" with 6 partitions' in meta and
          'topic "alerts" with 1 partitions' in meta, f"metadata:\n{meta}")

    t.step("records go in and come out with their keys")
    kcat_produce(cluster, "syslog", [("fw1", b"line one"), ("fw2", b"line\ntwo")])
    got = sorted((r["key"], r["payload"]) for r in kcat_consume(cluster, "syslog"))
    check(got == [("fw1", "line one"), ("fw2", "line\ntwo")], f"consumed: {got}")

    t.step("brokers down refuse clients; up again, they serve them")
    cluster.down()
    r = subprocess.run([kcat, "-L", "-b", cluster.bootstrap, "-m", "3"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode != 0, f"metadata from a cluster that is down:\n{r.stdout}")
    cluster.up()
    kcat_produce(cluster, "alerts", [("k", b"after the outage")])
    check([r["payload"] for r in kcat_consume(cluster, "alerts")] == ["after the outage"],
          "the record produced after the outage")
    cluster.stop()


if __name__ == "__main__":
    run(main)
