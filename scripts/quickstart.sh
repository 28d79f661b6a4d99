#!/usr/bin/env bash
# Fresh Debian 12 machine -> dependencies, a release build, and ikewatch run on the shipped
# example log. Usage: bash scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ikewatch ikewatchd 2>/dev/null || cmake --build --preset release --target ikewatch
echo
echo "== ikewatch parse examples/asa-l2l-bringup.log (first 5 records) =="
./build/release/cli/ikewatch parse examples/asa-l2l-bringup.log | head -5
echo
echo "== per-family counts =="
./build/release/cli/ikewatch parse --stats examples/asa-l2l-bringup.log
