#!/usr/bin/env python3
"""Firewall -> rsyslog -> ikewatchd: a real rsyslogd receives the scenario lines over UDP (sent
with logger) and forwards every message twice, with omfwd over TCP with octet counting to one
ikewatchd and over UDP to a second one. Both must raise each scenario's diagnosis."""

import os

from lib import (above_info, check, expected_code, expected_peers, logger_send, run,
                 scenario_lines, start_udp_relay, summary, tool)

SCENARIOS = [("S05", "relay-s05"), ("S06", "relay-s06"), ("S07", "relay-s07"),
             ("S08", "relay-s08"), ("S12", "relay-s12"), ("S20", "relay-s20"),
             ("S00", "relay-s00")]

RSYSLOG_CONF = """\
global(workDirectory="{work}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="{port}" ruleset="relay")
ruleset(name="relay") {{
    action(type="omfwd" target="127.0.0.1" port="{tcp}" protocol="tcp"
           TCP_Framing="octet-counted" template="RSYSLOG_TraditionalForwardFormat"
           action.resumeRetryCount="-1")
    action(type="omfwd" target="127.0.0.1" port="{udp}" protocol="udp"
           template="RSYSLOG_TraditionalForwardFormat")
}}
"""


def start_rsyslog(t, rsyslogd, tcp_port, udp_port):
    work = os.path.join(t.tmp, "rsyslog")
    os.makedirs(work)
    return start_udp_relay(t, rsyslogd, work, RSYSLOG_CONF, tcp=tcp_port, udp=udp_port)


def main(t):
    rsyslogd = tool("rsyslogd")
    tool("logger")
    via_tcp = t.daemon(name="ikewatchd-tcp", udp=False)
    via_udp = t.daemon(name="ikewatchd-udp", tcp=False)
    rsyslog, port = start_rsyslog(t, rsyslogd, via_tcp.tcp_port, via_udp.udp_port)
    t.step(f"rsyslogd {rsyslog.pid} on udp {port} -> ikewatchd tcp {via_tcp.tcp_port}, "
           f"ikewatchd udp {via_udp.udp_port}")

    total = 0
    for scenario, tag in SCENARIOS:
        lines = scenario_lines(scenario)
        logger_send(port, tag, lines, "udp")
        total += len(lines)
    t.step(f"sent {total} lines to rsyslogd")

    # rsyslog delivers every message to both daemons, each over its own transport.
    for d, transport in ((via_tcp, "tcp"), (via_udp, "udp")):
        key = f'messages_received_total{{transport="{transport}"}}'
        got = d.wait_metric(key, total, 30)
        check(got == total, f"{d.name}: {key} = {got}, sent {total}")

    for d in (via_tcp, via_udp):
        for scenario, tag in SCENARIOS:
            code = expected_code(scenario)
            for device, peer in expected_peers(scenario, tag):
                if code != "none":
                    a = d.wait_alert(device, code)
                    check(a["ike"]["peer"] == peer, f"{d.name} {scenario}: peer {a['ike']['peer']}")
                    t.step(f"{d.name} {scenario}: {summary(a)}")
        healthy = [a for a in d.alerts() if a["observer"]["hostname"] == "relay-s00"]
        check(not above_info(healthy), f"{d.name}: healthy S00 raised "
              f"{[summary(a) for a in healthy]}")
        check(("relay-s00", "22.22.22.22") in d.peers(), f"{d.name}: S00 peer missing in /peers")

    rsyslog.terminate()
    check(rsyslog.wait(20) == 0, f"rsyslogd exited with {rsyslog.returncode}")


run(main)
