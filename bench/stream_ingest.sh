#!/usr/bin/env bash
# Stream ingest: lines per second ikewatchd takes in (full pipeline, shipped rule pack, alerts to
# a file) over one TCP connection and over one TLS connection (RFC 5425, TLS 1.3, a CA made by
# the script, client certificate required), octet counting. The lines: ASA connection lines
# (302013/302014) with IKE negotiations among them (713041, 713236, 713119, 713120; a tenth of
# the lines), for 10,000 peers, laid out in one buffer and written as fast as the connection
# takes them. The time runs from the first byte sent to the daemon counting the last message
# (its /metrics). Prints each run and the median per transport.
#
# Usage: bash bench/stream_ingest.sh [lines] [runs]
#        (after: cmake --preset release && cmake --build --preset release; IKEWATCHD=… to choose)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
runs=${2:-5}
export IKEWATCHD=${IKEWATCHD:-build/release/daemon/ikewatchd}
[ -x "$IKEWATCHD" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }

exec python3 -B - "$lines" "$runs" <<'PYTHON'
import os
import re
import socket
import ssl
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.getcwd(), "tests", "e2e"))
import lib  # noqa: E402
from forward_common import CLIENT_EXT, SERVER_EXT, Pki  # noqa: E402

count, runs = int(sys.argv[1]), int(sys.argv[2])


def workload(n):
    out = []
    for i in range(n):
        peer = f"10.{i % 10000 // 250}.{i % 250}.1"
        stamp = f"Dec 19 15:{i // 60000 % 60:02d}:{i // 1000 % 60:02d}"
        if i % 10 == 0:
            ike = ("6-713041: IP = {p}, IKE Initiator: New Phase 1, Intf inside, IKE Peer {p}",
                   "7-713236: IP = {p}, IKE_DECODE SENDING Message (msgid=0) with payloads : "
                   "HDR + SA (1) + VENDOR (13) + NONE (0) total length : 256",
                   "5-713119: Group = {p}, IP = {p}, PHASE 1 COMPLETED",
                   "5-713120: Group = {p}, IP = {p}, PHASE 2 COMPLETED (msgid=a1b2c3d4)")
            text = ike[i // 10 % 4].format(p=peer)
        elif i % 2:
            text = (f"6-302013: Built outbound TCP connection {i} for outside:{peer}/443 "
                    f"({peer}/443) to inside:192.168.{i % 200}.{i % 250 + 1}/{40000 + i % 20000} "
                    f"(198.51.100.7/{40000 + i % 20000})")
        else:
            text = (f"6-302014: Teardown TCP connection {i - 1} for outside:{peer}/443 to "
                    f"inside:192.168.{i % 200}.{i % 250 + 1}/{40000 + i % 20000} duration 0:00:01 "
                    f"bytes 4312 TCP FINs")
        m = f"<166>{stamp} fw{i % 20:02d} : %ASA-{text}".encode()
        out.append(b"%d %s" % (len(m), m))
    return b"".join(out)


t = lib.Test("stream-ingest")
try:
    pki = Pki(t)
    pki.ca("ca", "/CN=bench CA")
    pki.issue("ca", "server", "/CN=bench server", SERVER_EXT)
    pki.issue("ca", "client", "/CN=fw", CLIENT_EXT)
    config = (f'listen:\n  tls: ["127.0.0.1:0"]\n'
              f'tls:\n  cert: "{pki.path("server.pem")}"\n  key: "{pki.path("server.key")}"\n'
              f'  ca: "{pki.path("ca.pem")}"\n  require_client_cert: true\n')
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.path("ca.pem"))
    ctx.load_cert_chain(pki.path("client.pem"), pki.path("client.key"))
    data = workload(count)
    print(f"{count} lines, {len(data) / count:.0f} bytes each on average (framing included)")
    results = {"tcp": [], "tls": []}
    for run in range(runs):
        for transport in ("tcp", "tls"):
            d = lib.Daemon(t, name=f"ikewatchd-{transport}-{run}", config=config, udp=False)
            t.daemons.append(d)
            d.start()
            port = d.tcp_port if transport == "tcp" else int(
                re.search(r"listening on tls (\d+)", d.stderr()).group(1))
            raw = socket.create_connection(("127.0.0.1", port))
            s = ctx.wrap_socket(raw, server_hostname="localhost") if transport == "tls" else raw
            key = f'messages_received_total{{transport="{transport}"}}'
            start = time.monotonic()
            s.sendall(data)
            lib.wait_until(f"{count} lines in", lambda: d.metric(key) >= count, 600, 0.01)
            seconds = time.monotonic() - start
            s.close()
            d.stop()
            results[transport].append(count / seconds)
            print(f"run {run + 1} {transport}: {count / seconds:,.0f} lines/s ({seconds:.2f} s)",
                  flush=True)
    print("\n| transport | lines/s, median of %d (min–max) |\n|---|---|" % runs)
    for transport, rates in results.items():
        print(f"| {transport} | {statistics.median(rates):,.0f} ({min(rates):,.0f}–"
              f"{max(rates):,.0f}) |")
finally:
    t.cleanup()
PYTHON
