#!/usr/bin/env bash
# The peer-field table in the rule reference (between its `<!-- peer-fields` and
# `<!-- end peer-fields -->` lines) must be exactly what `ikewatch explain --fields` prints, so
# that a field added to the table in rules/peer_fields.cpp cannot go undocumented.
# Usage: IKEWATCH=path/to/ikewatch check_peer_fields_doc.sh docs/rules.md
set -euo pipefail
doc=${1:?usage: check_peer_fields_doc.sh RULES.md}
documented=$(awk '/^<!-- end peer-fields/ { on = 0 } on { print } /^<!-- peer-fields/ { on = 1 }' "$doc")
if [ -z "$documented" ]; then
    echo "FAIL $doc has no peer-fields table"
    exit 1
fi
if ! diff -u <(printf '%s\n' "$documented") <("${IKEWATCH:?set IKEWATCH}" explain --fields); then
    echo "FAIL $doc's peer-field table differs from ikewatch explain --fields (- doc, + binary)"
    exit 1
fi
echo "ok   $doc lists the $(($(wc -l <<<"$documented") - 2)) peer fields ikewatch knows"
