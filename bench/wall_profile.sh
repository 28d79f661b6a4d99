#!/usr/bin/env bash
# Where the wall clock of a whole `ikewatch replay` goes, on one thread: the generated mix of
# bench/workload.cpp written to a file, replayed under `perf record` with the cpu-clock event
# (a timer, so it works on virtual machines that expose no hardware counters), and the functions
# that took the most samples, with their share. Instruction counts (bench/replay.sh) say what the
# code asks of the processor; this says where the time went, stalls on cold memory included.
# Usage: bash bench/wall_profile.sh [lines] [top]      (after: cmake --build --preset release;
#        needs perf, Debian package linux-perf)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-2000000}
top=${2:-25}
count=${IKEWATCH_COUNT:-build/release/bench/ikewatch_count}
replay=${IKEWATCH_CLI:-build/release/cli/ikewatch}
[ -x "$count" ] && [ -x "$replay" ] ||
    { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf is needed (apt-get install linux-perf)" >&2; exit 1; }

dir=$(mktemp -d /tmp/ikewatch-wall.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$count" dump "$lines" >"$dir/mix.log"
perf record -q -e cpu-clock -F 10000 -o "$dir/perf.data" \
    "$replay" replay --threads 1 --format json "$dir/mix.log" >/dev/null 2>"$dir/replay.err"
tail -1 "$dir/replay.err"
echo
printf '%8s  %s\n' 'share' 'function (self time, cpu-clock samples)'
# awk reads to the end: leaving early would fail perf report's write, and this script with it.
perf report -i "$dir/perf.data" --no-children --stdio --sort symbol -g none 2>/dev/null |
    awk -v top="$top" '/%/ && !/^#/ && n++ < top {
        pct = $1; $1 = ""; $2 = ""; sub(/^ +/, ""); sub(/( +-)+ *$/, "");
        if (length($0) > 100) $0 = substr($0, 1, 100) "…";
        printf "%8s  %s\n", pct, $0 }'
