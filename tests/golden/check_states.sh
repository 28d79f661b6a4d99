#!/usr/bin/env bash
# Golden test: the state sequence (`peers --transitions`) and final peer table (`--format json`)
# of every scenario in tests/scenarios/ must match tests/golden/states/. Regenerate after a
# reviewed change with: UPDATE=1 tests/golden/check_states.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scenarios=$here/../scenarios
bin=${IKEWATCH:-$here/../../build/debug/cli/ikewatch}
status=0
for f in "$scenarios"/*; do
    name=$(basename "$f")
    want=$here/states/$name.out
    got=$(mktemp)
    (cd "$scenarios" && "$bin" peers --transitions --format json \
        --reference-time 2026-06-01T12:00:00Z "$name") >"$got"
    if [ "${UPDATE:-0}" = 1 ]; then
        mv "$got" "$want"
        continue
    fi
    if ! diff -u "$want" "$got" >/dev/null; then
        echo "golden mismatch: $name" >&2
        diff -u "$want" "$got" | head -40 >&2
        status=1
    fi
    rm -f "$got"
done
exit $status
