#!/usr/bin/env python3
"""A flood of spoofed syslog against ikewatchd with a small limits.max_peers, or with the default
limits (IKEWATCH_FLOOD_LIMITS=default: the table and the evidence store sized by limits.memory).

1,000,000 UDP datagrams (IKEWATCH_FLOOD_LINES to change it), each naming a distinct spoofed IKE
peer, under 40,000 spoofed device names and the names of the legitimate devices, sent from 64
source addresses in 127.0.0.0/8 (all inside senders.allow, as spoofed UDP would be). Before the
flood, three legitimate peers are set up and left silent or nearly so during it:

  A  fw-legit-a -> 203.0.113.5   initiator stuck at MM_WAIT_MSG4 (mid-negotiation, silent)
  B1 fw-legit-b -> 198.51.100.7  phase 1 up, quick mode started (silent)
  B2 fw-legit-b -> 198.51.100.9  phase 1 and phase 2 up (one line every tenth of the flood)

Checks: the table never holds more than max_peers (/metrics during the flood, /metrics and /peers
after); every peer pushed out is counted (evicted + tracked = created); the resident memory stays
bounded and stops growing once the table is full; with the default limits, the peak resident
memory stays within limits.memory (256 MiB); the three legitimate peers are still in /peers with
their state, and when their devices' clocks move on, A's and B1's time-in-state diagnoses are
raised (they are raised only if the records survived the flood) with the lines that started their
negotiations as evidence (the flood's lines do not overwrite theirs).

The sender paces itself on the receive queue of the daemon's socket (/proc/net/udp), so the kernel
drops (almost) nothing; what it drops anyway is read from the same file and accounted for.
"""

import json
import os
import re
import socket
import time
import urllib.error

from lib import check, raised, run, udp_socket_stats, wait_until

DEFAULT_LIMITS = os.environ.get("IKEWATCH_FLOOD_LIMITS", "small") == "default"
FLOOD = int(os.environ.get("IKEWATCH_FLOOD_LINES", "1000000"))
SPOOFED_DEVICES = 40_000
SOURCES = 64
EVICTED = 'peers_removed_total{reason="max_peers"}'
CONFIG = """\
listen:
  udp_receive_buffer: 4MiB
senders:
  allow: ["127.0.0.0/8"]
""" + ("" if DEFAULT_LIMITS else "limits:\n  max_peers: 10000\n")
# Resident memory: the table is bounded, so what the flood adds is bounded too. Generous, as
# allocators keep freed memory; the second bound says that memory stops growing once the table is
# full (it would grow with every line if anything kept per-line state).
MAX_GROWTH_MB = int(os.environ.get("IKEWATCH_E2E_FLOOD_GROWTH_MB", "200"))
MAX_LATE_GROWTH_MB = int(os.environ.get("IKEWATCH_E2E_FLOOD_LATE_GROWTH_MB", "32"))
# With the default limits: the peak resident memory, from the start, within limits.memory.
MAX_PEAK_MB = int(os.environ.get("IKEWATCH_E2E_FLOOD_PEAK_MB", "256"))

T0 = time.time() - 3600  # the devices' clocks: an hour ago, so nothing is in the future


def stamp(offset=0):
    return time.strftime("%b %d %Y %H:%M:%S", time.gmtime(T0 + offset))


def asa(device, offset, severity, msg_id, text):
    pri = 160 + severity  # local4
    return f"<{pri}>{stamp(offset)} {device} : %ASA-{severity}-{msg_id}: {text}"


def sending(peer, payloads, verb="SENDING"):
    return (f"IP = {peer}, IKE_DECODE {verb} Message (msgid=0) with payloads : HDR + {payloads} "
            f"+ NONE (0) total length : 256")


A = ("fw-legit-a", "203.0.113.5")
B1 = ("fw-legit-b", "198.51.100.7")
B2 = ("fw-legit-b", "198.51.100.9")

LEGIT = [
    # A: initiator, sent MM1, got MM2, sent MM3 (KE+NONCE), resends it: waits at MM_WAIT_MSG4.
    asa(A[0], 0, 5, 713041, f"IP = {A[1]}, IKE Initiator: New Phase 1, Intf outside, IKE Peer "
        f"{A[1]}  local Proxy Address 10.1.0.0, remote Proxy Address 10.2.0.0,  Crypto map (VPN)"),
    asa(A[0], 0, 7, 713236, sending(A[1], "SA (1) + VENDOR (13)")),
    asa(A[0], 0, 7, 713236, sending(A[1], "SA (1)", "RECEIVED")),
    asa(A[0], 1, 7, 713236, sending(A[1], "KE (4) + NONCE (10)")),
    asa(A[0], 11, 7, 713236, sending(A[1], "KE (4) + NONCE (10)", "RESENDING")),
    # B1: phase 1 up, quick mode started and never completes.
    asa(B1[0], 0, 5, 713119, f"Group = {B1[1]}, IP = {B1[1]}, PHASE 1 COMPLETED"),
    asa(B1[0], 0, 7, 714002, f"Group = {B1[1]}, IP = {B1[1]}, IKE Initiator starting QM: "
        f"msg id = 6abd3691"),
    # B2: a healthy tunnel.
    asa(B2[0], 0, 5, 713119, f"Group = {B2[1]}, IP = {B2[1]}, PHASE 1 COMPLETED"),
    asa(B2[0], 0, 5, 713120, f"Group = {B2[1]}, IP = {B2[1]}, PHASE 2 COMPLETED "
        f"(msgid=8d5f4a2b)"),
    asa(B2[0], 0, 6, 602303, f"IPSEC: An outbound LAN-to-LAN SA (SPI= 0x5A4B3C2D) between "
        f"192.0.2.1 and {B2[1]} (user= {B2[1]}) has been created."),
]
B2_KEEPALIVE = asa(B2[0], 0, 6, 602303, f"IPSEC: An inbound LAN-to-LAN SA (SPI= 0x1A2B3C4D) "
                   f"between 192.0.2.1 and {B2[1]} (user= {B2[1]}) has been created.")


FLOOD_HEAD = f"<167>{stamp()} "
FLOOD_TAIL = (", IKE_DECODE RECEIVED Message (msgid=0) with payloads : HDR + SA (1) + NONE (0) "
              "total length : 88")


def flood_line(i, legit_devices=(A[0], B1[0])):
    # The cheapest line that creates a peer: a responder receiving main-mode message 1. One in
    # ten names a legitimate device (its host name is no secret), the others a spoofed one.
    device = legit_devices[i % 2] if i % 10 == 0 else f"spoof-{i % SPOOFED_DEVICES}"
    return (f"{FLOOD_HEAD}{device} : %ASA-7-713236: IP = 10.{i >> 16 & 255}.{i >> 8 & 255}."
            f"{i & 255}{FLOOD_TAIL}").encode()


def send_paced(t, d, count, rcvbuf, on_progress):
    """Sends `count` flood lines from SOURCES addresses, never letting the daemon's receive queue
    pass about 60 % of its size. Returns (seconds, kernel drops during the flood)."""
    socks = []
    for n in range(SOURCES):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((f"127.1.{n // 250}.{n % 250 + 1}", 0))
        socks.append(s)
    target = ("127.0.0.1", d.udp_port)
    _, drops_before = udp_socket_stats(d.udp_port)
    # A datagram of ~180 bytes takes 1,280 bytes of receive buffer (its skb's truesize, which
    # rx_queue counts); stay well under the buffer's size.
    high_water = rcvbuf * 6 // 10
    started = time.monotonic()
    sent = 0
    next_report = count // 10
    try:
        while sent < count:
            queued, _ = udp_socket_stats(d.udp_port)
            room = (high_water - queued) // 1280
            if room < 8:
                time.sleep(0.0001)
                continue
            end = min(count, sent + min(room, 512))
            for i in range(sent, end):
                socks[i % SOURCES].sendto(flood_line(i), target)
            sent = end
            if sent >= next_report:
                on_progress(sent)
                next_report += count // 10
            check(time.monotonic() - started < 240, f"flood too slow: {sent} lines in 240 s")
    finally:
        for s in socks:
            s.close()
    _, drops_after = udp_socket_stats(d.udp_port)
    return time.monotonic() - started, drops_after - drops_before


def send_legit(d, lines):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        for line in lines:
            s.sendto(line.encode(), ("127.0.0.1", d.udp_port))


KEPT = ("state", "status", "role", "phase2", "since")


def legit_state(d, keys):
    """The state of the legitimate peers: from /peers with the small table; with the default
    limits (200,000 peers, too many to list in one answer) from each peer's own page data."""
    if not DEFAULT_LIMITS:
        peers = d.peers()
        return {k: {f: peers[k][f] for f in KEPT} if k in peers else None for k in keys}
    out = {}
    for device, peer in keys:
        try:
            ike = json.loads(d.get(f"/api/peer/{device}/{peer}"))["peer"]["ike"]
        except urllib.error.HTTPError as e:
            check(e.code == 404, f"/api/peer/{device}/{peer}: {e}")
            out[(device, peer)] = None
            continue
        out[(device, peer)] = {"state": ike["state"], "status": ike["status"],
                               "role": ike["role"], "phase2": ike["phase2"],
                               "since": ike["state_since"]}
    return out


def main(t):
    sanitized = "ASAN_OPTIONS" in os.environ or "asan" in os.environ.get("IKEWATCHD", "")
    if sanitized:
        # AddressSanitizer holds freed memory in a quarantine (256 MB by default), which would
        # read as growth: keep it small here.
        os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16"
    d = t.daemon(config=CONFIG, tcp=False)
    rcvbuf = int(re.search(r"receive buffer (\d+) bytes", d.stderr()).group(1))
    max_peers = d.metric("peers_limit")
    t.step(f"daemon up, receive buffer {rcvbuf} bytes, max_peers {max_peers}"
           f"{' (from limits.memory)' if DEFAULT_LIMITS else ''}")

    t.step("legitimate peers: A mid-negotiation, B1 phase 1 up, B2 established")
    send_legit(d, LEGIT)
    received_key = 'messages_received_total{transport="udp"}'
    d.wait_metric(received_key, len(LEGIT))
    legit_pairs = {A, B1, B2}
    before = wait_until("the legitimate peers in the table",
                        lambda: all((s := legit_state(d, legit_pairs)).values()) and s)
    check(before[A]["state"] == "MM_WAIT_MSG4" and before[A]["status"] == "negotiating",
          f"A before the flood: {before[A]['state']} {before[A]['status']}")
    check(before[B1]["status"] == "up" and before[B1]["phase2"] == "negotiating",
          f"B1 before the flood: {before[B1]['status']} phase2 {before[B1]['phase2']}")
    check(before[B2]["status"] == "up" and before[B2]["phase2"] == "up",
          f"B2 before the flood: {before[B2]['status']} phase2 {before[B2]['phase2']}")
    m0 = d.metrics()
    created_before = m0["peers_tracked"] + m0['peers_removed_total{reason="max_peers"}']
    check(created_before == len(legit_pairs), f"{created_before} peers before the flood")
    rss_base = d.rss_kb()
    t.step(f"VmRSS before the flood: {rss_base / 1024:.1f} MB")

    samples = {}
    full = []  # the samples taken with the table full

    def on_progress(sent):
        # The legitimate established tunnel keeps talking a little; the table is never over.
        send_legit(d, [B2_KEEPALIVE])
        m = d.metrics()
        check(m["peers_tracked"] <= max_peers,
              f"peers_tracked = {m['peers_tracked']} during the flood, max_peers {max_peers}")
        samples[sent] = d.rss_kb()
        if m["peers_tracked"] == max_peers:
            full.append(sent)
        t.step(f"  {sent} sent, {m[received_key]} received, {m['peers_tracked']} peers, "
               f"{m[EVICTED]} evicted, "
               f"VmRSS {samples[sent] / 1024:.1f} MB")

    t.step(f"flood: {FLOOD} lines, {FLOOD} spoofed peers, {SPOOFED_DEVICES} spoofed devices, "
           f"{SOURCES} source addresses")
    keepalives = len(range(FLOOD // 10, FLOOD + 1, FLOOD // 10)) if FLOOD >= 10 else 0
    seconds, drops = send_paced(t, d, FLOOD, rcvbuf, on_progress)
    expected = len(LEGIT) + FLOOD + keepalives - drops
    wait_until("the daemon to read the whole flood", lambda: (
        udp_socket_stats(d.udp_port)[0] == 0 and d.metric(received_key) >= expected), 60)
    # Memory now, before /peers renders every peer (which the allocator may keep).
    rss_end = d.rss_kb()
    peak = d.peak_rss_kb()
    m = d.metrics()
    received = m[received_key]
    t.step(f"flood sent in {seconds:.1f} s ({FLOOD / seconds:,.0f} lines/s), "
           f"{drops} dropped by the kernel, {received} received")
    check(received == expected, f"received {received}, expected {expected} ({drops} drops)")
    check(drops <= FLOOD // 100, f"the kernel dropped {drops} datagrams despite the pacing")
    check(d.alive() and d.healthz() == "ok", "daemon not healthy after the flood")

    t.step("the legitimate peers kept their state")
    after = legit_state(d, legit_pairs)
    for key in sorted(legit_pairs):
        check(after[key] is not None, f"legitimate peer {key} was evicted by the flood")
        for field in KEPT:
            check(after[key][field] == before[key][field],
                  f"{key} {field}: {before[key][field]} before, {after[key][field]} after")

    t.step("the table: bounded, every eviction counted")
    tracked, evicted = m["peers_tracked"], m[EVICTED]
    flood_received = received - len(LEGIT) - keepalives
    created = len(legit_pairs) + flood_received
    check(tracked == min(max_peers, created),
          f"peers_tracked = {tracked}, expected {min(max_peers, created)} (max_peers {max_peers})")
    check(tracked + evicted == created,
          f"tracked {tracked} + evicted {evicted} != created {created}")
    if not DEFAULT_LIMITS:
        listed = len(d.peers())
        check(listed == tracked, f"/peers lists {listed} peers, peers_tracked {tracked}")

    t.step("their diagnoses are raised when their clocks move on")
    later = [asa(A[0], 600, 6, 999999, "unrelated message, the device's clock moves on"),
             asa(B1[0], 600, 6, 999999, "unrelated message, the device's clock moves on")]
    send_legit(d, later)
    a = d.wait_alert(A[0], "tunnel-group-or-psk-missing")
    check(a["ike"]["peer"] == A[1] and a["ike"]["state"] == "MM_WAIT_MSG4",
          f"A: {a['ike']['peer']} {a['ike']['state']}")
    b = d.wait_alert(B1[0], "phase2-failed")
    check(b["ike"]["peer"] == B1[1], f"B1: phase2-failed for {b['ike']['peer']}")
    for alert, start in ((a, "713041"), (b, "PHASE 1 COMPLETED")):
        lines = [e["line"] for e in alert["evidence"]]
        check(any(start in line for line in lines),
              f"{alert['ike']['peer']}: the line that started it ({start}) is not in the "
              f"evidence: {lines}")
    check(not [x for x in raised(d.alerts(), B2[0]) if x["ike"]["peer"] == B2[1]],
          "B2, a healthy tunnel, got an alert")

    growth = (rss_end - rss_base) / 1024
    first = full[0] if full else None
    late = (rss_end - samples[first]) / 1024 if first else 0
    t.step(f"VmRSS after the flood {rss_end / 1024:.1f} MB: +{growth:.1f} MB over it, "
           f"+{late:.1f} MB since the table was full (limit {MAX_LATE_GROWTH_MB}); "
           f"peak {peak / 1024:.1f} MB")
    if DEFAULT_LIMITS:
        # The table is 20 times larger: what bounds the flood is limits.memory.
        if not sanitized:
            check(peak / 1024 <= MAX_PEAK_MB,
                  f"peak VmRSS {peak / 1024:.1f} MB, above limits.memory ({MAX_PEAK_MB} MB)")
    else:
        check(growth < MAX_GROWTH_MB, f"VmRSS grew {growth:.1f} MB during the flood (limit "
              f"{MAX_GROWTH_MB})")
    check(late < MAX_LATE_GROWTH_MB,
          f"VmRSS grew {late:.1f} MB after the table was full: memory grows with the flood")


run(main)
