#!/usr/bin/env bash
# Replay throughput on one core for the three stages of the pipeline — parse (framing, Cisco
# decoding, event time), state (+ IKE state tracking), pipeline (+ the shipped rule pack and
# alerts) — on the generated mix of bench/workload.cpp. Prints a table with the median time per
# line over several runs and the instruction count per line (callgrind), which does not move with
# machine load.
# Usage: bash bench/replay.sh [lines] [runs]       (after: cmake --build --preset release)
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-2000000}
runs=${2:-5}
bin=${IKEWATCH_COUNT:-build/release/bench/ikewatch_count}
[ -x "$bin" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 1; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

printf '%-9s %10s %12s %12s %14s\n' stage ns/line lines/s instr/line 'runs (ns/line)'
for stage in parse state pipeline; do
    all=()
    for _ in $(seq "$runs"); do
        all+=("$("$bin" "$stage" "$lines" | sed -n 's/.*ns_per_line=\([0-9]*\).*/\1/p')")
    done
    med=$(printf '%s\n' "${all[@]}" | median)
    instr=-
    if command -v valgrind >/dev/null; then
        counted=200000
        instr=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
                    --toggle-collect='*run_*' "$bin" "$stage" "$counted" 2>&1 |
                sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | awk -v n="$counted" '{printf "%d", $1 / n}')
    fi
    printf '%-9s %10s %12s %12s   %s\n' "$stage" "$med" \
        "$(awk -v m="$med" 'BEGIN {printf "%.2fM", 1000 / m}')" "$instr" "${all[*]}"
done

# The whole command on a file: `ikewatch replay` reading, splitting and replaying the same mix,
# alerts to /dev/null, on one thread and sharded over two; wall time and peak resident memory.
# `wc -l` on the same file (page cache warm), in the same run, is the yardstick: reading and
# splitting lines with nothing else.
replay=${IKEWATCH_CLI:-build/release/cli/ikewatch}
file=$(mktemp /tmp/ikewatch-mix.XXXXXX.log)
trap 'rm -f "$file" "$file.time"' EXIT
"$bin" dump "$lines" >"$file"
echo
printf '%-22s %10s %12s %14s   %s\n' "ikewatch replay" ns/line lines/s 'peak RSS MiB' 'runs (ns/line)'
for threads in 1 2; do
    all=()
    rss=0
    for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %M' -o "$file.time" "$replay" replay --threads "$threads" "$file" \
            >/dev/null 2>&1
        out=$(tail -1 "$file.time")
        all+=("$(awk -v s="${out% *}" -v n="$lines" 'BEGIN {printf "%d", s * 1e9 / n}')")
        rss=${out#* }
    done
    med=$(printf '%s\n' "${all[@]}" | median)
    printf '%-22s %10s %12s %14s   %s\n' "--threads $threads" "$med" \
        "$(awk -v m="$med" 'BEGIN {printf "%.2fM", 1000 / m}')" "$((rss / 1024))" "${all[*]}"
done

all=()
for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    wc -l <"$file" >/dev/null
    all+=("$(( ($(date +%s%N) - start) / lines ))")
done
med=$(printf '%s\n' "${all[@]}" | median)
printf '%-22s %10s %12s %14s   %s\n' "wc -l" "$med" \
    "$(awk -v m="$med" 'BEGIN {printf "%.2fM", (m > 0 ? 1000 / m : 0)}')" - "${all[*]}"
