#!/usr/bin/env bash
# Replays every labelled case in tests/cases/ and prints, per stated cause, how many diagnoses
# were right, wrong or missed and the false alarms on healthy cases, as logged and again with
# every debug-level line removed. Options: --verbose (each case not right), --check FLOOR.JSON
# (exit 1 below the recorded figures), --ikewatch PATH (default build/debug/cli/ikewatch).
set -euo pipefail
exec python3 "$(dirname "$0")/accuracy.py" "$@"
