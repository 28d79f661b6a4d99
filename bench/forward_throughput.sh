#!/usr/bin/env bash
# Forwarding throughput: alerts per second one forwarder delivers to a local collector, per
# transport — udp, tcp (RFC 6587 octet counting) and tls (RFC 5425, test CA) into a real rsyslogd,
# http (JSON lines, one POST per batch) into a python http.server. The alerts: N distinct peers
# whose tunnel group is missing, one line each, sent to ikewatchd over one TCP connection; each
# line raises one alert. The forwarder spools to disk (state_dir), as in production; format
# rfc5424 (http: JSON).
#
# Two modes. live: the collector is up while the alerts are raised; the rate counts from the
# first alert the daemon writes (its event.created) to the last one the collector receives
# (rsyslog's %timegenerated%, the HTTP server's clock). drain: the alerts are raised while the
# collector is down and wait in the spool; the rate counts from the first alert the collector
# receives to the last — the forwarder alone, without the rate the daemon raises alerts at.
# Prints the median over the runs of each mode, every run, how many alerts arrived in the worst
# run of each mode (udp loses datagrams when the collector cannot keep up) and how long the daemon
# took to write the alerts.
#
# Usage: bash bench/forward_throughput.sh [alerts] [runs] [transports]
#        (after: cmake --preset release && cmake --build --preset release; IKEWATCHD=… to choose)
set -euo pipefail
cd "$(dirname "$0")/.."
alerts=${1:-20000}
runs=${2:-3}
transports=${3:-udp,tcp,tls,http}
export IKEWATCHD=${IKEWATCHD:-build/release/daemon/ikewatchd}
[ -x "$IKEWATCHD" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
command -v rsyslogd >/dev/null || [ -x /usr/sbin/rsyslogd ] || { echo "rsyslogd is needed (bash scripts/install-deps.sh)" >&2; exit 1; }

exec python3 -B - "$alerts" "$runs" "$transports" <<'PYTHON'
import datetime
import http.server
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.getcwd(), "tests", "e2e"))
import lib  # noqa: E402
from forward_common import (Collector, forwarding_daemon, make_certs, no_tunnel_group,  # noqa
                            peer_address, send_tcp)

alerts, runs, transports = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].split(",")


class Sink(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SinkHandler)
        self.lock, self.times, self.refuse = threading.Lock(), [], False
        threading.Thread(target=self.serve_forever, daemon=True).start()


class SinkHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = 503 if self.server.refuse else 200
        if status == 200:
            with self.server.lock:
                self.server.times += [time.time()] * body.count(b"\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def created(alert):
    return datetime.datetime.fromisoformat(alert["event"]["created"].replace("Z", "+00:00"))


def one_run(transport, drain):
    t = lib.Test(f"bench-forward-{transport}")
    try:
        expected = alerts + 1  # and ike-debug-not-logged, once for the device
        if transport == "http":
            sink = Sink()
            sink.refuse = drain
            fw = {"name": "bench", "url": f"http://127.0.0.1:{sink.server_address[1]}/bench"}

            def received():
                with sink.lock:
                    return list(sink.times)

            def open_collector():
                sink.refuse = False
        else:
            certs = make_certs(t) if transport == "tls" else None
            col = Collector(t, {"bench": transport}, certs,
                            template="%timegenerated:::date-rfc3339%\\n")
            fw = {"name": "bench", "url": col.url("bench"), "format": "rfc5424"}
            if certs:
                fw["ca_file"] = certs["ca.pem"]
            if not drain:
                col.start()

            def received():
                return [datetime.datetime.fromisoformat(r.decode()).timestamp()
                        for r in col.records("bench")]

            def open_collector():
                col.start()
        d = forwarding_daemon(t, [fw], state_dir=os.path.join(t.tmp, "state"))
        lines = [no_tunnel_group("bench-fw", peer_address(i, (10, 200))) for i in range(alerts)]
        send_tcp(d.tcp_port, lines)
        if drain:
            lib.wait_until("every alert spooled", lambda: d.forward_metric(
                "bench", family="forward_pending") >= expected, 300, 0.1)
            open_collector()
        # Until the collector holds everything, or nothing arrives for 5 s (UDP loss).
        last_count, still_since = -1, time.monotonic()
        while True:
            n = len(received())
            if n >= expected:
                break
            if n != last_count:
                last_count, still_since = n, time.monotonic()
            elif time.monotonic() - still_since > 5:
                break
            time.sleep(0.05)
        times = received()
        log = d.alert_lines()
        first_written = min(created(a) for _, a in log).timestamp()
        last_written = max(created(a) for _, a in log).timestamp()
        d.stop(120)
        start = min(times) if drain else first_written
        return {"rate": len(times) / (max(times) - start), "received": len(times),
                "written": len(log), "write_s": last_written - first_written}
    finally:
        t.cleanup()


print(f"{alerts} alerts per run, {runs} runs per transport and mode, daemon "
      f"{os.environ['IKEWATCHD']}")
print(f"{'transport':<10}{'live/s':>8}{'drain/s':>9}  {'received live, drain':>22}  "
      f"{'written in':>10}  runs: live / drain (alerts/s)")
for transport in transports:
    live = [one_run(transport, False) for _ in range(runs)]
    drain = [one_run(transport, True) for _ in range(runs)]
    worst = ", ".join("%d/%d" % (w["received"], w["written"]) for w in
                      (min(rs, key=lambda r: r["received"]) for rs in (live, drain)))
    print(f"{transport:<10}{statistics.median(r['rate'] for r in live):>8,.0f}"
          f"{statistics.median(r['rate'] for r in drain):>9,.0f}  "
          f"{worst:>22}  "
          f"{statistics.median(r['write_s'] for r in live):>8.2f} s  "
          + " ".join(f"{r['rate']:,.0f}" for r in live) + " / "
          + " ".join(f"{r['rate']:,.0f}" for r in drain), flush=True)
PYTHON
