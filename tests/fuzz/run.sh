#!/usr/bin/env bash
# Runs every libFuzzer target for a while and prints executions and findings per target.
# Crashes are saved under tests/fuzz/regressions/<target>/ (then replayed by `ctest -L fuzz`).
# Usage: bash tests/fuzz/run.sh [seconds per target, default 600] [parallel jobs, default 2]
#   (after: cmake --preset fuzz && cmake --build --preset fuzz)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-600}
jobs=${2:-2}
bin=$root/build/fuzz/tests/fuzz
work=$(mktemp -d /tmp/ikewatch-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Seeds as one file per input: corpus lines for the line-oriented targets, whole files for the
# loaders.
seed_lines() {
    local out=$1; shift
    mkdir -p "$out"
    cat "$@" | awk -v d="$out" 'length($0) > 0 { f = sprintf("%s/l%06d", d, NR); print > f; close(f) }'
}
seed_files() {
    local out=$1; shift
    mkdir -p "$out"
    local n=0
    for f in "$@"; do n=$((n + 1)); cp "$f" "$out/f$n"; done
}
seed_lines "$work/framing" "$root"/tests/corpus/*.log "$root"/examples/*.log
seed_lines "$work/decode" "$root"/tests/corpus/*.log "$root"/tests/scenarios/*
seed_files "$work/show" "$root"/tests/corpus/show-crypto-isakmp-sa.txt "$root"/tests/scenarios/*.txt
seed_files "$work/tcp_framing" "$root"/tests/corpus/*.log
seed_files "$work/rules" "$root"/rules/pack/*.yaml "$root"/tests/rules/*.yaml
seed_files "$work/config" "$root"/config/ikewatch.yaml "$here"/seeds/config/*.yaml

run_one() {
    local t=$1
    mkdir -p "$here/regressions/$t" "$work/$t.new"
    # -rss_limit_mb: a leak or unbounded growth is a finding too.
    "$bin/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -max_len=8192 \
        -artifact_prefix="$here/regressions/$t/" -print_final_stats=1 \
        "$work/$t.new" "$work/$t" >"$work/$t.log" 2>&1 || true
    local execs crashes
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -1)
    crashes=$(find "$here/regressions/$t" -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
    printf '%-12s %12s executions  %s saved findings\n' "$t" "${execs:-?}" "$crashes"
    grep -E '^==[0-9]+==ERROR|SUMMARY' "$work/$t.log" | head -3 || true
}
export -f run_one
export secs bin work here
printf '%s\n' framing decode show tcp_framing rules config | xargs -P "$jobs" -I{} bash -c 'run_one {}'
