#!/usr/bin/env python3
"""Scenario excerpts sent with util-linux logger over UDP, TCP octet counting and TCP newline
framing, one device tag per scenario: each device gets its diagnosis, the healthy one nothing
above info, /peers lists every peer and /metrics counts exactly the messages sent."""

import json

from lib import (above_info, check, expected_code, expected_peers, logger_send, raised, run,
                 scenario_lines, summary, wait_until)

# scenario, device tag, how logger sends it
PLAN = [
    ("S05", "fw-s05", "udp"),
    ("S08", "fw-s08", "udp"),
    ("S20", "fw-s20", "udp"),
    ("S06", "fw-s06", "tcp-octet"),
    ("S07", "fw-s07", "tcp-octet"),
    ("S12", "fw-s12", "tcp-octet"),
    ("S00", "fw-s00", "tcp-line"),
]


def main(t):
    d = t.daemon()
    sent = {"udp": 0, "tcp": 0}
    for scenario, tag, mode in PLAN:
        lines = scenario_lines(scenario)
        t.step(f"{scenario}: {len(lines)} lines as {tag} over {mode}")
        logger_send(d.udp_port if mode == "udp" else d.tcp_port, tag, lines, mode)
        sent["udp" if mode == "udp" else "tcp"] += len(lines)

    # Every message counted once, on the transport it came by.
    for transport, n in sent.items():
        key = f'messages_received_total{{transport="{transport}"}}'
        got = d.wait_metric(key, n)
        check(got == n, f"{key} = {got}, sent {n}")
    m = d.metrics()
    check(m["records_total"] == sent["udp"] + sent["tcp"],
          f"records_total = {m['records_total']}, sent {sent}")
    check(m['messages_dropped_total{reason="sender_not_allowed"}'] == 0, "messages dropped")
    check(m['messages_truncated_total{transport="udp"}'] == 0
          and m['messages_truncated_total{transport="tcp"}'] == 0, "messages truncated")

    # Each failing scenario raises its diagnosis for its device and peer.
    for scenario, tag, _ in PLAN:
        code = expected_code(scenario)
        pairs = expected_peers(scenario, tag)
        check(pairs, f"{scenario}: no peer in the golden state table")
        if code == "none":
            continue
        for device, peer in pairs:
            a = d.wait_alert(device, code)
            check(a["ike"]["peer"] == peer, f"{scenario}: {code} for peer {a['ike']['peer']}, "
                  f"expected {peer}")
            t.step(f"{scenario}: {summary(a)}")

    # /peers lists every (device, peer) the scenarios name.
    want = set().union(*(expected_peers(s, tag) for s, tag, _ in PLAN))
    peers = wait_until("every peer in /peers", lambda: want <= set(d.peers()) and d.peers())
    check(peers[("fw-s00", "22.22.22.22")]["status"] == "up",
          f"healthy S00 peer not up: {peers[('fw-s00', '22.22.22.22')]['status']}")

    # The healthy device raised nothing above info, and nobody raised what was not expected.
    alerts = d.alerts()
    healthy = [a for a in alerts if a["observer"]["hostname"] == "fw-s00"]
    check(not above_info(healthy), f"healthy S00 raised: {[summary(a) for a in healthy]}")
    expected = {(dev, expected_code(s)) for s, tag, _ in PLAN if expected_code(s) != "none"
                for dev, _ in expected_peers(s, tag)}
    unexpected = [summary(a) for a in above_info(raised(alerts))
                  if (a["observer"]["hostname"], a["diagnosis"]["code"]) not in expected]
    check(not unexpected, f"unexpected alerts: {unexpected}")
    # /alerts lists the same diagnoses as active.
    active = {(a["observer"]["hostname"], a["diagnosis"]["code"])
              for a in json.loads(d.get("/alerts"))}
    check(expected <= active, f"not active in /alerts: {expected - active}")
    check(d.metric('alerts_total{action="raised"}') == len(raised(alerts)),
          "alerts_total{action=raised} differs from the raised alerts in the log")
    check(d.metric("timers_dropped_total") == 0, "rule timers dropped")
    check(d.healthz() == "ok", "/healthz")


run(main)
