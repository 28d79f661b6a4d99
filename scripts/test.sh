#!/usr/bin/env bash
# The project's test command (CI runs exactly this): install dependencies, build the debug and
# the asan (AddressSanitizer + UndefinedBehaviorSanitizer) presets, run every ctest label in
# both, and check formatting. Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/check-format.sh
jobs=$(nproc)
for preset in debug asan; do
    echo "== $preset: configure and build =="
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
    echo "== $preset: ctest (labels: unit golden integration fuzz slow) =="
    ctest --preset "$preset" -j "$jobs" --timeout 900
done
echo "all tests passed"
