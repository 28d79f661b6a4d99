#!/usr/bin/env python3
"""Abuse a running ikewatchd, then check it still works: oversized datagrams and lines, a sender
outside senders.allow, random bytes over TCP and UDP, a frame that never ends, a frame that
announces 999999999 bytes, more idle connections than tcp_max_connections. Afterwards a normal
scenario still raises its diagnosis, /healthz answers and the resident memory stays bounded."""

import os
import random
import socket

from lib import (check, closed_by_peer, logger_send, raised, run, scenario_lines, syslog_line,
                 tcp_send, udp_send, wait_until)

MAX_MESSAGE = 1024
MAX_CONNECTIONS = 20
CONFIG = f"""\
listen:
  max_message_size: {MAX_MESSAGE}
  tcp_max_connections: {MAX_CONNECTIONS}
  tcp_idle_timeout: 2s
senders:
  allow: ["127.0.0.1/32"]
"""
MAX_RSS_MB = int(os.environ.get("IKEWATCH_E2E_MAX_RSS_MB", "200"))


def connect(d):
    return socket.create_connection(("127.0.0.1", d.tcp_port), timeout=10)


def main(t):
    d = t.daemon(config=CONFIG)
    rng = random.Random(20261127)
    s05, s06 = scenario_lines("S05"), scenario_lines("S06")[0]

    t.step("oversized messages")
    big = [syslog_line("big-udp", s06 + " " + "x" * n).encode() for n in (2000, 4000, 60000)]
    udp_send(d.udp_port, big)
    d.wait_metric('messages_truncated_total{transport="udp"}', len(big))
    # A long line, then a long octet-counted frame, then a normal frame on the same connection:
    # the framing must pick up again after each cut.
    with connect(d) as c:
        c.sendall(syslog_line("big-tcp", "y" * 5000).encode() + b"\n")
        frame = syslog_line("big-tcp", "z" * 3000).encode()
        c.sendall(b"%d %s" % (len(frame), frame))
        after = syslog_line("big-tcp-after", s06).encode()
        c.sendall(b"%d %s" % (len(after), after))
        c.shutdown(socket.SHUT_WR)
        d.wait_alert("big-tcp-after", "crypto-map-not-applied")
    d.wait_metric('messages_truncated_total{transport="tcp"}', 2)
    check(d.metric('messages_truncated_total{transport="udp"}') == len(big), "udp truncated")
    check(d.metric('messages_truncated_total{transport="tcp"}') == 2, "tcp truncated")
    check(d.healthz() == "ok", "/healthz after oversized messages")

    t.step("sender outside senders.allow (127.0.0.2)")
    intruder = [syslog_line("intruder", line) for line in s05]
    udp_send(d.udp_port, intruder, source="127.0.0.2")
    d.wait_metric('messages_dropped_total{reason="sender_not_allowed"}', len(intruder))
    with socket.socket() as c:
        c.bind(("127.0.0.2", 0))
        c.connect(("127.0.0.1", d.tcp_port))
        c.sendall(b"".join(m.encode() + b"\n" for m in intruder))
        d.wait_metric('tcp_connections_total{outcome="rejected_sender"}', 1)
    check(d.metric('messages_dropped_total{reason="sender_not_allowed"}') == len(intruder) + 1,
          "dropped sender_not_allowed: each datagram and the refused connection count once")

    t.step("random bytes over TCP and UDP")
    accepted = d.metric('tcp_connections_total{outcome="accepted"}')
    for _ in range(5):
        tcp_send(d.tcp_port, [rng.randbytes(256 * 1024)], framing="raw")
    udp_send(d.udp_port, [b"", b"\n", b"\0" * 100, b"<13>", b"<99999999999>Nov 27 1"]
             + [rng.randbytes(rng.randrange(1, 1500)) for _ in range(200)])
    d.wait_metric('tcp_connections_total{outcome="accepted"}', accepted + 5)
    wait_until("the garbage connections to close",
               lambda: d.metric("tcp_connections_open") == 0)
    check(d.healthz() == "ok", "/healthz after random bytes")

    t.step("frames that never end")
    idle_closed = d.metric('tcp_connections_total{outcome="closed_idle"}')
    incomplete = d.metric("tcp_incomplete_frames_total")
    truncated = d.metric('messages_truncated_total{transport="tcp"}')
    partial, huge = connect(d), connect(d)
    partial.sendall(b"500 <13>Nov 27 23:29:25 host fw01: only the start of the message")
    huge.sendall(b"999999999 " + b"h" * (2 * MAX_MESSAGE))
    with connect(d) as short:
        short.sendall(b"999999999 little")
    # Both held connections are closed by tcp_idle_timeout (2 s), each in the middle of a frame.
    wait_until("idle connections closed", lambda: closed_by_peer(partial) and closed_by_peer(huge),
               timeout=15)
    d.wait_metric('tcp_connections_total{outcome="closed_idle"}', idle_closed + 2)
    d.wait_metric("tcp_incomplete_frames_total", incomplete + 3)
    # The 999999999 frame is cut at max_message_size once, its remaining bytes skipped.
    check(d.metric('messages_truncated_total{transport="tcp"}') == truncated + 1,
          "999999999-byte frame: expected one truncated message")
    partial.close()
    huge.close()

    t.step(f"100 idle connections against tcp_max_connections={MAX_CONNECTIONS}")
    wait_until("no connection open", lambda: d.metric("tcp_connections_open") == 0)
    accepted_key = 'tcp_connections_total{outcome="accepted"}'
    rejected_key = 'tcp_connections_total{outcome="rejected_limit"}'
    before = d.metrics()

    def delta(key):
        return d.metric(key) - before[key]

    idle = [connect(d) for _ in range(100)]
    try:
        wait_until("every connection accepted or rejected",
                   lambda: delta(accepted_key) + delta(rejected_key) >= 100)
        check(delta(accepted_key) == MAX_CONNECTIONS, f"accepted {delta(accepted_key)} of 100")
        check(delta(rejected_key) == 100 - MAX_CONNECTIONS,
              f"rejected_limit {delta(rejected_key)} of 100")
        check(d.metric("tcp_connections_open") <= MAX_CONNECTIONS,
              "more connections open than allowed")
        wait_until("the idle connections to time out",
                   lambda: d.metric("tcp_connections_open") == 0)
    finally:
        for s in idle:
            s.close()

    t.step("a normal scenario after the abuse")
    logger_send(d.udp_port, "after-abuse", s05, "udp")
    d.wait_alert("after-abuse", "tunnel-group-or-psk-missing")
    logger_send(d.tcp_port, "after-abuse-tcp", [s06], "tcp-octet")
    d.wait_alert("after-abuse-tcp", "crypto-map-not-applied")
    # Quotes, backslash, escape sequences, control bytes and invalid UTF-8 in a line that raises
    # an alert: the alert log must stay one valid UTF-8 JSON object per line.
    line = syslog_line("escape-dev", s05[0].replace("31.204.98.143, IP", "GROUP, IP", 1))
    udp_send(d.udp_port, [line.encode().replace(b"GROUP", b'\xff\xfeev"il\\\x1b[31m\x01')])
    a = d.wait_alert("escape-dev", "tunnel-group-or-psk-missing")
    check('ev"il\\' in a["evidence"][0]["line"], f"evidence {a['evidence'][0]['line']!r}")
    check(d.healthz() == "ok", "/healthz after the abuse")
    check(not raised(d.alerts(), device="intruder"), "an alert came from a refused sender")
    check(not [p for p in d.peers() if p[0] == "intruder"], "a refused sender reached /peers")

    rss_mb = d.rss_kb() / 1024
    t.step(f"VmRSS {rss_mb:.1f} MB (limit {MAX_RSS_MB} MB)")
    check(rss_mb < MAX_RSS_MB, f"VmRSS {rss_mb:.1f} MB after the abuse, limit {MAX_RSS_MB} MB")


run(main)
