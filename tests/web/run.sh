#!/usr/bin/env bash
# Runs the browser tests (ctest label `browser`). Exit 77 (skipped) when a tool is missing,
# unless IKEWATCH_REQUIRE_BROWSER=1. UPDATE_BASELINES=1 rewrites the screenshots in baseline/
# (look at them before committing).
set -euo pipefail
cd "$(dirname "$0")"
missing() {
    echo "browser tests: $1 (bash scripts/install-deps.sh installs it)" >&2
    if [ "${IKEWATCH_REQUIRE_BROWSER:-0}" = 1 ]; then exit 1; fi
    exit 77
}
command -v node >/dev/null || missing "node is not installed"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || missing "node $major is too old for playwright-core (20 or later)"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing "chromium is not installed"
[ -d node_modules/playwright-core ] || missing "the npm packages are not installed (npm ci in tests/web)"
exec node --test --test-concurrency=1 --test-timeout=120000 daemon.test.mjs report.test.mjs
