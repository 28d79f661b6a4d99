#!/usr/bin/env python3
"""Transport abuse that hostile_input.py does not cover:

- message sizes at the max_message_size boundary (max - 1, max, max + 1) over UDP and TCP: only
  the longer one is cut and counted;
- a flood of rapid TCP connect/close cycles (clean closes, resets, closes in the middle of a
  frame): every connection is accounted for (accepted + rejected_limit), none stays open, no file
  descriptor leaks, and TCP still works afterwards;
- slow senders: a message sent one byte at a time (octet counting and newline framing) arrives
  whole; a sender that trickles one never-ending frame (slowloris) is closed;
- senders.allow with CIDR blocks: addresses just inside and just outside a /24 in 127.0.0.0/8,
  over UDP and TCP;
- senders.rate_limit: a sender over its rate is cut to its burst plus its rate, counted, and
  another sender is not affected.
"""

import os
import socket
import struct
import time

from lib import (check, closed_by_peer, raised, run, scenario_lines, syslog_line, udp_send_paced,
                 wait_until)

MAX_MESSAGE = 2048
MAX_CONNECTIONS = 20
IDLE = 2  # seconds
RATE, BURST = 200, 400
CONFIG = f"""\
listen:
  max_message_size: {MAX_MESSAGE}
  tcp_max_connections: {MAX_CONNECTIONS}
  tcp_idle_timeout: {IDLE}s
senders:
  allow: ["127.0.0.1/32", "127.0.9.0/24"]
  rate_limit: {RATE}
  rate_burst: {BURST}
"""
RECEIVED_UDP = 'messages_received_total{transport="udp"}'
TRUNC_UDP = 'messages_truncated_total{transport="udp"}'
TRUNC_TCP = 'messages_truncated_total{transport="tcp"}'
ACCEPTED = 'tcp_connections_total{outcome="accepted"}'
REJECTED_LIMIT = 'tcp_connections_total{outcome="rejected_limit"}'
REJECTED_SENDER = 'tcp_connections_total{outcome="rejected_sender"}'
RESET = 'tcp_connections_total{outcome="reset_at_accept"}'
NOT_ALLOWED = 'messages_dropped_total{reason="sender_not_allowed"}'
RATE_LIMITED = 'messages_dropped_total{reason="rate_limited"}'


def sized(n, tag="size"):
    """A syslog message of exactly n bytes."""
    m = syslog_line(tag, "%ASA-6-999999: padding ").encode()
    return m + b"x" * (n - len(m))


def connect(d, source="127.0.0.1"):
    s = socket.socket()
    s.settimeout(10)
    s.bind((source, 0))
    s.connect(("127.0.0.1", d.tcp_port))
    return s


def open_fds(d):
    return len(os.listdir(f"/proc/{d.proc.pid}/fd"))


def udp_from(source, port, messages):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        for m in messages:
            s.sendto(m, ("127.0.0.1", port))


def main(t):
    d = t.daemon(config=CONFIG)
    s06 = scenario_lines("S06")[0]

    t.step(f"sizes at the boundary: {MAX_MESSAGE - 1}, {MAX_MESSAGE}, {MAX_MESSAGE + 1} bytes")
    udp_from("127.0.0.1", d.udp_port, [sized(n) for n in (MAX_MESSAGE - 1, MAX_MESSAGE,
                                                           MAX_MESSAGE + 1)])
    d.wait_metric(RECEIVED_UDP, 3)
    check(d.metric(TRUNC_UDP) == 1, f"udp: {d.metric(TRUNC_UDP)} truncated of 3, expected 1")
    with connect(d) as c:
        for n in (MAX_MESSAGE - 1, MAX_MESSAGE, MAX_MESSAGE + 1):
            m = sized(n)
            c.sendall(b"%d %s" % (len(m), m))
        after = syslog_line("after-boundary", s06).encode()
        c.sendall(b"%d %s" % (len(after), after))
        c.shutdown(socket.SHUT_WR)
        d.wait_alert("after-boundary", "crypto-map-not-applied")
    check(d.metric(TRUNC_TCP) == 1, f"tcp: {d.metric(TRUNC_TCP)} truncated of 3, expected 1")

    t.step("1,200 rapid connect/close cycles")
    wait_until("no connection open", lambda: d.metric("tcp_connections_open") == 0)
    fds = open_fds(d)
    before = d.metrics()
    attempts = 0
    for i in range(1200):
        s = connect(d)
        attempts += 1
        if i % 3 == 1:
            s.sendall(b"300 <13>Nov 27 23:29:25 host fw01: half a fr")  # then gone mid-frame
        if i % 3 == 2:
            # Reset instead of a clean close (SO_LINGER with a zero timeout).
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    def counted(m):
        return sum(m[k] - before[k] for k in (ACCEPTED, REJECTED_LIMIT, REJECTED_SENDER, RESET))

    wait_until("every connection accepted or rejected", lambda: counted(d.metrics()) >= attempts,
               30)
    wait_until("every connection closed", lambda: d.metric("tcp_connections_open") == 0, 30)
    m = d.metrics()
    accepted = m[ACCEPTED] - before[ACCEPTED]
    rejected = m[REJECTED_LIMIT] - before[REJECTED_LIMIT]
    refused = m[REJECTED_SENDER] - before[REJECTED_SENDER]
    reset = m[RESET] - before[RESET]
    t.step(f"   {accepted} accepted, {rejected} rejected at the limit, {reset} reset before "
           f"they were served, {refused} counted as refused senders, "
           f"{m['tcp_incomplete_frames_total'] - before['tcp_incomplete_frames_total']} "
           f"closed mid-frame")
    check(counted(m) == attempts,
          f"{accepted} + {rejected} + {reset} + {refused} != {attempts} connections")
    check(m[NOT_ALLOWED] - before[NOT_ALLOWED] == refused, "sender_not_allowed != refused")
    check(refused == 0, f"{refused} connections from an allowed sender counted as refused")
    wait_until(f"the daemon's descriptors back to {fds}", lambda: open_fds(d) <= fds, 10)
    check(d.healthz() == "ok", "/healthz after the connection flood")
    with connect(d) as c:
        m1 = syslog_line("after-flood", s06).encode()
        c.sendall(b"%d %s" % (len(m1), m1))
        c.shutdown(socket.SHUT_WR)
        d.wait_alert("after-flood", "crypto-map-not-applied")

    t.step("slow senders: one byte at a time")
    octet = syslog_line("slow-octet", s06).encode()
    line = syslog_line("slow-line", s06).encode() + b"\n"
    with connect(d) as c:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for b in (b"%d %s" % (len(octet), octet)) + line:
            c.sendall(bytes([b]))
            time.sleep(0.002)
        d.wait_alert("slow-octet", "crypto-map-not-applied")
        d.wait_alert("slow-line", "crypto-map-not-applied")
        check(not closed_by_peer(c), "the slow but steady sender was disconnected")
    n = len(raised(d.alerts(), "slow-octet")) + len(raised(d.alerts(), "slow-line"))
    check(n == 2, f"{n} alerts from the two slow messages, expected 2")

    t.step(f"slowloris: one byte every {IDLE / 2:.0f} s of a frame that never ends")
    with connect(d) as c:
        c.sendall(b"9999 <13>Nov 27 23:29:25 host fw01: ")
        deadline = time.monotonic() + 3 * IDLE + 1
        closed = False
        while time.monotonic() < deadline and not closed:
            time.sleep(IDLE / 2)
            try:
                c.sendall(b"x")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
            closed = closed or closed_by_peer(c)
    t.step(f"   {'closed' if closed else 'still open'} after {3 * IDLE + 1} s "
           f"(tcp_idle_timeout {IDLE} s)")
    check(closed, "a connection trickling one frame outlived 3 x tcp_idle_timeout")

    t.step("senders.allow: a /24 inside 127.0.0.0/8, its edges")
    before = d.metrics()
    inside, outside = ["127.0.9.0", "127.0.9.255", "127.0.9.77"], ["127.0.8.255", "127.0.10.0",
                                                                  "127.0.0.2"]
    for i, source in enumerate(inside + outside):
        udp_from(source, d.udp_port, [syslog_line(f"cidr-{i}", s06).encode()])
    wait_until("the six datagrams", lambda: d.metric(RECEIVED_UDP) - before[RECEIVED_UDP] == 6)
    for i, source in enumerate(inside):
        d.wait_alert(f"cidr-{i}", "crypto-map-not-applied")
    wait_until("the outsiders dropped", lambda: d.metric(NOT_ALLOWED) - before[NOT_ALLOWED] == 3)
    check(not any(raised(d.alerts(), f"cidr-{i}") for i in range(3, 6)),
          "a sender outside senders.allow raised an alert")
    with connect(d, "127.0.9.200") as c:
        m1 = syslog_line("cidr-tcp", s06).encode()
        c.sendall(b"%d %s" % (len(m1), m1))
        c.shutdown(socket.SHUT_WR)
        d.wait_alert("cidr-tcp", "crypto-map-not-applied")
    c = connect(d, "127.0.10.1")
    d.wait_metric(REJECTED_SENDER, before[REJECTED_SENDER] + 1)
    wait_until("the refused connection closed by the daemon", lambda: closed_by_peer(c), 10)
    c.close()

    t.step(f"senders.rate_limit: 2,000 datagrams at once from one sender ({RATE}/s, "
           f"burst {BURST})")
    before = d.metrics()
    started = time.monotonic()
    # Paced on the daemon's receive queue, so the kernel drops none (the pacing only lengthens
    # `elapsed`, which the bound below accounts for).
    drops = udp_send_paced(d.udp_port, [sized(200, "rate") for _ in range(2000)], "127.0.9.50")
    check(drops == 0, f"the kernel dropped {drops} datagrams")
    udp_from("127.0.9.51", d.udp_port, [syslog_line("rate-other", s06).encode()])
    wait_until("2,001 datagrams read", lambda: d.metric(RECEIVED_UDP) - before[RECEIVED_UDP]
               == 2001)
    elapsed = time.monotonic() - started
    m = d.metrics()
    admitted = m["records_total"] - before["records_total"] - 1
    limited = m[RATE_LIMITED] - before[RATE_LIMITED]
    t.step(f"   {admitted} admitted, {limited} rate-limited in {elapsed:.2f} s")
    check(admitted + limited == 2000, f"{admitted} + {limited} != 2000")
    check(BURST <= admitted <= BURST + RATE * elapsed + 1,
          f"{admitted} admitted: burst {BURST} + {RATE}/s over {elapsed:.2f} s allows "
          f"{BURST + RATE * elapsed:.0f}")
    d.wait_alert("rate-other", "crypto-map-not-applied")

    check(d.healthz() == "ok", "/healthz at the end")


if __name__ == "__main__":
    run(main)
