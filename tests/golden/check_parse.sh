#!/usr/bin/env bash
# Golden test: `ikewatch parse` over every corpus file must match the reviewed JSON kept in
# tests/golden/parse/. Regenerate after a reviewed change with: UPDATE=1 tests/golden/check_parse.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/../corpus
bin=${IKEWATCH:-$here/../../build/debug/cli/ikewatch}
status=0
for f in "$corpus"/*.log "$corpus"/*.txt; do
    name=$(basename "$f")
    want=$here/parse/$name.jsonl
    got=$(mktemp)
    (cd "$corpus" && "$bin" parse --year 2026 "$name") >"$got"
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
