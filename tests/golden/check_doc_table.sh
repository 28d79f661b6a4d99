#!/usr/bin/env bash
# A table in a Markdown document, between its `<!-- NAME: …` and `<!-- end NAME -->` lines, must
# be exactly what `ikewatch explain --FLAG` prints, so that a row added to the table in the code
# (rules/peer_fields.cpp, parsers/event_kinds.cpp) cannot go undocumented.
# Usage: IKEWATCH=path/to/ikewatch check_doc_table.sh NAME FLAG DOC.md
#   e.g. check_doc_table.sh peer-fields --fields docs/rules.md
set -euo pipefail
name=${1:?usage: check_doc_table.sh NAME FLAG DOC.md}
flag=${2:?usage: check_doc_table.sh NAME FLAG DOC.md}
doc=${3:?usage: check_doc_table.sh NAME FLAG DOC.md}
documented=$(awk -v name="$name" '
    index($0, "<!-- end " name " -->") == 1 { on = 0 }
    on { print }
    index($0, "<!-- " name ":") == 1 { on = 1 }' "$doc")
if [ -z "$documented" ]; then
    echo "FAIL $doc has no $name table"
    exit 1
fi
if ! diff -u <(printf '%s\n' "$documented") <("${IKEWATCH:?set IKEWATCH}" explain "$flag"); then
    echo "FAIL $doc's $name table differs from ikewatch explain $flag (- doc, + binary)"
    exit 1
fi
echo "ok   $doc lists the $(($(wc -l <<<"$documented") - 2)) rows of ikewatch explain $flag"
