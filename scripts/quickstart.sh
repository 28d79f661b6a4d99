#!/usr/bin/env bash
# Fresh Debian 12 machine -> dependencies, a release build, and ikewatch's main job on the shipped
# example logs: replay them through the IKE state tracker and the shipped rules, print the
# diagnoses. Usage: bash scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ikewatch
echo
echo "== ikewatch replay --format text examples/*.log =="
./build/release/cli/ikewatch replay --format text examples/*.log
echo
echo "== ikewatch peers examples/*.log =="
./build/release/cli/ikewatch peers examples/*.log
