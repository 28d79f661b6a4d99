#!/usr/bin/env bash
# The page puts syslog text into the DOM only as text nodes: no API that parses markup or
# code appears in its files. Usage: check_text_only.sh web/page
set -euo pipefail
dir=${1:?usage: check_text_only.sh DIR}
pattern='innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|srcdoc|\beval\(|new Function|setAttribute\(.on|\.on[a-z]+ *= *["'\'']'
if grep -nE "$pattern" "$dir"/*.js "$dir"/*.html; then
    echo "check_text_only: the page's files above use an API that parses markup or code" >&2
    exit 1
fi
if grep -nE '<script[^>]*>[^<]' "$dir"/*.html || grep -nE ' style=|<style' "$dir"/*.html; then
    echo "check_text_only: inline script or style in the page (the CSP refuses them)" >&2
    exit 1
fi
echo "check_text_only: $(ls "$dir"/*.js | wc -l) modules, no markup-parsing API"
