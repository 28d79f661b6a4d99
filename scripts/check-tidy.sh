#!/usr/bin/env bash
# clang-tidy with the checked-in .clang-tidy over the project's own .cpp files (those git knows
# that build/debug compiles), with build/debug's compile_commands.json. Fails on any finding:
# fix it, or suppress it where it is with `// NOLINT(check): reason`, or disable the check in
# .clang-tidy with a comment saying why.
# Usage: bash scripts/check-tidy.sh [--fast] [FILE...]   (parallel jobs: IKEWATCH_TIDY_JOBS,
# default nproc). --fast leaves out the clang-analyzer-* checks, which take about ten times as
# long as all the others together; the test command runs the fast pass.
set -euo pipefail
cd "$(dirname "$0")/.."
checks=
if [ "${1:-}" = --fast ]; then
    checks=--checks=-clang-analyzer-*
    shift
fi
db=build/debug/compile_commands.json
if [ ! -f "$db" ]; then
    cmake --preset debug >/dev/null
fi
if [ $# -gt 0 ]; then
    files=("$@")
else
    mapfile -t files < <(python3 - "$db" <<'PY'
import json, os, subprocess, sys
compiled = {os.path.realpath(e["file"]) for e in json.load(open(sys.argv[1]))}
tracked = subprocess.run(["git", "ls-files", "*.cpp"], capture_output=True, text=True,
                         check=True).stdout.split()
print("\n".join(f for f in tracked if os.path.realpath(f) in compiled))
PY
    )
fi
jobs=${IKEWATCH_TIDY_JOBS:-$(nproc)}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
start=$(date +%s)
status=0
# One clang-tidy per file, `jobs` at a time; each file's findings are printed together.
printf '%s\n' "${files[@]}" | xargs -P "$jobs" -I{} sh -c \
    'clang-tidy-14 -p build/debug --quiet --warnings-as-errors="*" $3 \
        --extra-arg=-Wno-unknown-warning-option "$1" \
        >"$2/$(printf %s "$1" | tr / _).log" 2>&1' _ {} "$logs" "$checks" || status=$?
cat "$logs"/*.log | grep -v '^[0-9]* warnings\? \(and [0-9]* errors\? \)\?generated\.$' || true
echo "tidy: ${#files[@]} files in $(( $(date +%s) - start ))s with $jobs jobs"
if [ "$status" -ne 0 ]; then
    echo "tidy: findings above (fix them, or suppress them with a reason)"
    exit 1
fi
