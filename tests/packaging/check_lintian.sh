#!/usr/bin/env bash
# Runs lintian on the Debian package. Fails on any error or warning that the package's override
# file (packaging/lintian-overrides, installed as /usr/share/lintian/overrides/ikewatch) does not
# override, on an override that is not preceded by a comment giving its reason, and on an
# override that no longer matches anything.
#
# Environment: IKEWATCH_DEB (the package, or a directory holding it; required).
set -euo pipefail

deb=${IKEWATCH_DEB:?set IKEWATCH_DEB to the package}
if [ -d "$deb" ]; then
    deb=$(find "$deb" -maxdepth 1 -name 'ikewatch_*.deb' | head -n 1)
fi
if [ ! -f "$deb" ]; then
    echo "FAIL no package at ${IKEWATCH_DEB}" >&2
    exit 1
fi
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
overrides=$source_dir/packaging/lintian-overrides

if ! command -v lintian >/dev/null 2>&1; then
    echo "FAIL lintian is not installed (scripts/install-deps.sh installs it)" >&2
    exit 1
fi

failures=0

# Every override line is preceded by a comment line (its reason).
previous=""
while IFS= read -r line; do
    if [[ -n $line && $line != \#* && $previous != \#* ]]; then
        echo "FAIL override without a reason (a comment line above it): $line" >&2
        failures=$((failures + 1))
    fi
    previous=$line
done <"$overrides"

# --fail-on none: the verdict is taken from the tags below, so that it does not depend on which
# severities this lintian counts as failures by default.
out=$(lintian --fail-on none --display-info --show-overrides --tag-display-limit 0 "$deb" 2>&1)
echo "lintian $(lintian --print-version) on $(basename "$deb"):"
if [ -n "$out" ]; then echo "$out"; else echo "(no tags)"; fi

# E: errors and W: warnings that are not overridden (overridden ones are shown as O:), and the
# overrides that are not used or do not match.
bad=$(grep -E '^[EW]: |(unused|mismatched)-override' <<<"$out" || true)
if [ -n "$bad" ]; then
    echo "FAIL lintian errors or warnings without an override, or stale overrides:" >&2
    echo "$bad" >&2
    failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then
    exit 1
fi
echo "ok   lintian: no error or warning without an override"
