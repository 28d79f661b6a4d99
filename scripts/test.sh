#!/usr/bin/env bash
# The project's test command (CI runs exactly this): install dependencies, build the debug and
# the asan (AddressSanitizer + UndefinedBehaviorSanitizer) presets, run every ctest label in
# both, run the unit and end-to-end tests under ThreadSanitizer, check formatting, and run
# clang-tidy over every source (scripts/check-tidy.sh --fast: all the checks of .clang-tidy but
# the clang-analyzer ones, which alone take longer than the rest of this script on two cores;
# run `bash scripts/check-tidy.sh FILE...` for them on the files a change touches). The presets
# treat warnings as errors.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-format.sh
jobs=$(nproc)
# The browser tests must run here: a missing chromium or npm package is a failure, not a skip.
export IKEWATCH_REQUIRE_BROWSER=1
for preset in debug asan; do
    echo "== $preset: configure and build =="
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
    # The package is built and installed once, and the page tested in the browser once, from
    # the debug build: the sanitizers add nothing to what those tests check.
    exclude=()
    if [ "$preset" = asan ]; then exclude=(-LE 'packaging|browser'); fi
    echo "== $preset: ctest =="
    ctest --preset "$preset" -j "$jobs" --timeout 900 "${exclude[@]}"
done
echo "== clang-tidy (without clang-analyzer) =="
IKEWATCH_TIDY_JOBS=$jobs bash scripts/check-tidy.sh --fast
# ThreadSanitizer over the multi-threaded parts: the sharded pipeline and the forwarders (unit),
# and the daemon end to end (the spoofed-peer flood is left out: under TSan it takes minutes and
# its threads are the same as in the other end-to-end tests).
echo "== tsan: configure and build =="
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs"
echo "== tsan: ctest (labels: unit integration) =="
TSAN_OPTIONS="halt_on_error=1" ctest --preset tsan -j "$jobs" --timeout 900 -L 'unit|integration' \
    -E 'e2e_spoofed_flood'
echo "all tests passed"
