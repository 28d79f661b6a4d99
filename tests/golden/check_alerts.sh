#!/usr/bin/env bash
# Golden test: `ikewatch replay` of every scenario in tests/scenarios/ must produce exactly the
# alerts in tests/golden/alerts/, and each scenario listed in tests/golden/expected-diagnoses.txt must raise
# its diagnosis code (or, for "none", nothing above severity info). Regenerate the alert files
# after a reviewed change with: UPDATE=1 tests/golden/check_alerts.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scenarios=$here/../scenarios
bin=${IKEWATCH:-$here/../../build/debug/cli/ikewatch}
status=0
mkdir -p "$here/alerts"
for f in "$scenarios"/*.log "$scenarios"/*.txt; do
    name=$(basename "$f")
    want=$here/alerts/$name.jsonl
    got=$(mktemp)
    (cd "$scenarios" && "$bin" replay --format json \
        --reference-time 2026-06-01T12:00:00Z "$name" 2>/dev/null) >"$got"
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

while read -r name code; do
    case $name in '' | '#'*) continue ;; esac
    raised=$(grep -o '"code":"[a-z0-9-]*"' "$here/alerts/$name.jsonl" | cut -d'"' -f4 | sort -u || true)
    serious=$(grep -c '"severity":"\(low\|medium\|high\|critical\)"' "$here/alerts/$name.jsonl" || true)
    if [ "$code" = none ]; then
        if [ "$serious" != 0 ]; then
            echo "$name: expected no failure alert, got: $raised" >&2
            status=1
        fi
    elif ! grep -qx -- "$code" <<<"$raised"; then
        echo "$name: expected diagnosis $code, got: ${raised:-nothing}" >&2
        status=1
    fi
done <"$here/expected-diagnoses.txt"
exit $status
