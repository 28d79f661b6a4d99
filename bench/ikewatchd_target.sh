#!/usr/bin/env bash
# Starts ikewatchd as the `target` receiver of the UDP benchmark harness: writes a configuration
# for the port and socket buffer the harness asks for, then becomes the daemon (exec, so the
# harness's PID is the daemon's). Alerts go to a file beside the configuration, never to the
# harness's {out} file (which it would count as received lines); the daemon prints
# `received=N` in its exit statistics on SIGTERM instead.
# Usage: ikewatchd_target.sh PORT RCVBUF [WORKERS]   (RCVBUF 0 = the kernel default)
set -euo pipefail
port=$1
rcvbuf=$2
workers=${3:-1}
bin=${IKEWATCHD:-$(cd "$(dirname "$0")/.." && pwd)/build/release/daemon/ikewatchd}
dir=${BENCH_TARGET_DIR:-/tmp/ikewatch-bench-target}
mkdir -p "$dir"
# The same buffer the other receivers get: the kernel default unless a size is asked for.
[ "$rcvbuf" -gt 0 ] || rcvbuf=$(cat /proc/sys/net/core/rmem_default)
cat >"$dir/ikewatch.yaml" <<CONF
listen:
  udp: ["127.0.0.1:$port"]
  udp_receive_buffer: $rcvbuf
status:
  listen: ""
alerts:
  log: $dir/alerts.json
workers: $workers
CONF
rm -f "$dir/alerts.json"
as_root=()
[ "$(id -u)" -ne 0 ] || as_root=(--allow-root)
exec "$bin" --config "$dir/ikewatch.yaml" "${as_root[@]}"
