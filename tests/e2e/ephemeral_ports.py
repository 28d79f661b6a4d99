#!/usr/bin/env python3
"""ikewatchd started with ADDR:0 for --udp, --tcp and --status binds ports the kernel picks and
logs them ("listening on udp N", "listening on tcp N", "status endpoint on http://ADDR:N/"); the
other tests rely on ports found free beforehand, which this one does not need."""

from lib import check, logger_send, run, scenario_lines


def main(t):
    # Known daemon bug, kept failing on purpose: endpoint parsing refuses port 0, so the daemon
    # exits with status 2 ("--udp '127.0.0.1:0' is not ADDR:PORT") instead of binding.
    d = t.daemon(ephemeral=True)
    check(0 not in (d.udp_port, d.tcp_port, d.status_port), "a logged port is 0")
    t.step(f"udp {d.udp_port}, tcp {d.tcp_port}, status {d.status_port}")
    logger_send(d.udp_port, "eph-udp", scenario_lines("S05"), "udp")
    d.wait_alert("eph-udp", "tunnel-group-or-psk-missing")
    logger_send(d.tcp_port, "eph-tcp", scenario_lines("S06"), "tcp-octet")
    d.wait_alert("eph-tcp", "crypto-map-not-applied")
    check(d.stop() == 0, f"exit status {d.proc.returncode}")


run(main)
