#!/usr/bin/env python3
"""Alerts to Kafka: a forwarder `kafka://BROKERS/alerts` against the test cluster (three brokers
on 127.0.0.1), read back with kcat.

`deliver`: a failing negotiation (no tunnel group) reaches ikewatchd over UDP; the alert lands in
the topic as one record keyed by its alert.id, the record byte for byte the JSON the other
forwarders send; the forwarder's metrics count it delivered.

`outage`: the brokers are down when ikewatchd starts; the alert waits in the spool (state_dir),
the failures are counted, and once the brokers are up it is delivered, once.
"""

import socket
import sys

from forward_common import daemon_version, forwarding_daemon, no_tunnel_group, render, send_udp
from kafka_common import MockCluster, kcat_consume
from lib import check, run, wait_until

CODE = "tunnel-group-or-psk-missing"


def records_for(cluster, alert_id):
    return [r for r in kcat_consume(cluster, "alerts") if r["key"] == alert_id]


def main(t):
    mode = sys.argv[1]
    cluster = MockCluster(t, {"alerts": 3}, down=(mode == "outage"))
    d = forwarding_daemon(t, [{"name": "kafka", "url": f"kafka://{cluster.bootstrap}/alerts",
                               "timeout": "2s", "properties": {"acks": "all"}}],
                          state_dir=f"{t.tmp}/state")
    t.step("a failing negotiation raises an alert")
    send_udp(d.udp_port, [no_tunnel_group("fw-kafka", "198.51.100.7")])
    alert = d.wait_alert("fw-kafka", CODE)
    alert_id = alert["alert"]["id"]

    if mode == "outage":
        t.step("brokers down: the alert waits in the spool")
        d.wait_metric('forward_failures_total{forwarder="kafka"}', 1, 30)
        pending = d.forward_metric("kafka", family="forward_pending")
        check(pending == len(d.alerts()), f"{pending} alerts pending, {len(d.alerts())} raised")
        check(d.forward_metric("kafka", "delivered") == 0, "nothing delivered while down")
        cluster.up()

    t.step("the alert is delivered, keyed by its alert.id")
    d.wait_metric('forward_alerts_total{forwarder="kafka",outcome="delivered"}', 1, 40)
    got = wait_until("the alert in the topic", lambda: records_for(cluster, alert_id), 20)
    check(len(got) == 1, f"{len(got)} records for {alert_id}")
    payload = got[0]["payload"]
    want = render(alert, "json", socket.gethostname(), daemon_version(t)).decode()
    check(payload == want, f"record differs from the alert JSON:\n{payload}\n{want}")
    check(got[0]["key"] == alert_id and '"code":"' + CODE + '"' in payload, "key and code")
    wait_until("every alert delivered",
               lambda: d.forward_metric("kafka", family="forward_pending") == 0, 20)
    keys = sorted(r["key"] for r in kcat_consume(cluster, "alerts"))
    check(keys == sorted(a["alert"]["id"] for a in d.alerts()),
          f"records in the topic: {keys}, alerts: {[a['alert']['id'] for a in d.alerts()]}")
    d.stop()
    cluster.stop()


if __name__ == "__main__":
    run(main)
