#!/usr/bin/env bash
# UDP ingest side by side: ikewatchd (full pipeline, shipped rule pack, alerts to a file) against
# a bare recvmmsg counter, rsyslog and syslog-ng writing lines to a file, in one run of the shared
# harness (udp-peers.sh: same generator, same socket buffer, generator and receiver each pinned to
# one core). Prints the harness's summary table: highest loss-free offered rate and receiver CPU
# per message for each.
#
# Usage: bash bench/udp_ingest.sh        (after: cmake --preset release && cmake --build --preset release)
# Environment: HARNESS (path of udp-peers.sh; default ../shared/bench/udp-peers.sh beside the
# checkout), WORKERS (ikewatchd pipeline threads, default 1: the harness pins every receiver to
# one core), and any of the harness's own settings (RCVBUFS, RATES, COUNT, TIME_BUDGET, ...).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
harness=${HARNESS:-$root/../shared/bench/udp-peers.sh}
[ -f "$harness" ] || { echo "harness not found: $harness (set HARNESS)" >&2; exit 1; }
[ -x "$root/build/release/daemon/ikewatchd" ] ||
    { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
export TARGET_NAME=ikewatchd
export TARGET_CMD="bash $root/bench/ikewatchd_target.sh {port} {rcvbuf} ${WORKERS:-1}"
export RECEIVERS=${RECEIVERS:-"raw rsyslog syslog-ng"}
export REPLAY_BYTES=${REPLAY_BYTES:-0}
export WORK=${WORK:-/tmp/ikewatch-udp-ingest}
bash "$harness"
echo
cat "$WORK/summary.md"
