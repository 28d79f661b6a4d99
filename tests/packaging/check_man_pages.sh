#!/usr/bin/env bash
# Checks the built manual pages: man(1) renders each without a warning (as lintian runs it) and
# finds its whatis entry; every subcommand and option that the real binaries list in --help
# (ikewatch and each of its subcommands, ikewatchd) is documented as an item of its page, under
# its subcommand; every configuration key is an entry of ikewatch.yaml(5), and every entry there
# is a real key.
#
# The configuration keys are taken from `ikewatchd --config-reference` (one line per key,
# starting with its dotted path) when the daemon has that option; otherwise from the shipped
# config/ikewatch.yaml (dotted paths) and from the key names of config/config_loader.cpp.
#
# Environment: IKEWATCH and IKEWATCHD (the binaries), IKEWATCH_MAN_DIR (the built *.gz pages).
set -euo pipefail

ikewatch=${IKEWATCH:?set IKEWATCH to the ikewatch binary}
ikewatchd=${IKEWATCHD:?set IKEWATCHD to the ikewatchd binary}
man_dir=${IKEWATCH_MAN_DIR:?set IKEWATCH_MAN_DIR to the built manual pages}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/ikewatch-man.XXXXXX")
trap 'rm -rf "$work"' EXIT

failures=0
pass() { echo "ok   $*"; }
fail() {
    echo "FAIL $*" >&2
    failures=$((failures + 1))
}

pages=(ikewatch.1 ikewatchd.8 ikewatch.yaml.5 ikewatch-rules.5)

# --- rendering -----------------------------------------------------------------------------------

for page in "${pages[@]}"; do
    file=$man_dir/$page.gz
    if [ ! -f "$file" ]; then
        fail "$page.gz built"
        continue
    fi
    # lintian's own invocation (Documentation/Manual check): no message at all is allowed.
    warnings=$(env -i PATH="$PATH" LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=120 \
        man --warnings -E UTF-8 -l -Tutf8 -Z "$file" 2>&1 >/dev/null || echo "man failed")
    if [ -z "$warnings" ]; then
        pass "$page renders without warnings"
    else
        fail "$page renders without warnings:"
        echo "$warnings" >&2
    fi
    whatis=$(lexgrog "$file" 2>&1 || true)
    name=${page%.*}
    if grep -q "\"$name - " <<<"$whatis"; then
        pass "$page whatis: ${whatis#*: }"
    else
        fail "$page whatis entry ($whatis)"
    fi
    # Wide, so that no item line is wrapped; col -b drops bold and underline.
    MANWIDTH=250 man -l "$file" 2>/dev/null | col -b >"$work/$page.txt"
done

# items SECTION < page text: prints "SUBSECTION<TAB>ITEM" for every item line (indented by
# exactly seven columns) of SECTION; SUBSECTION is empty before the first one.
items() {
    awk -v section="$1" '
        /^[A-Z]/ { inside = ($0 == section); sub_section = ""; next }
        !inside { next }
        /^   [^ ]/ { sub_section = substr($0, 4); next }
        /^       [^ ]/ { print sub_section "\t" substr($0, 8) }'
}

# documented TEXT WORD: WORD stands alone (between spaces, commas or line ends) in TEXT.
documented() {
    awk -v word="$2" '{ n = split($0, w, /[ ,]+/); for (i = 1; i <= n; i++) if (w[i] == word) found = 1 }
        END { exit !found }' <<<"$1"
}

# options_of HELP: the option names of CLI11 help text, one per line (-h,--help gives two).
options_of() {
    awk '/^Options:/ { on = 1; next } /^[^ ]/ { on = 0 } on && /^  -/ { print $1 }' <<<"$1" |
        tr ',' '\n'
}

# --- ikewatch(1): every subcommand and every option of each ------------------------------------

text=$work/ikewatch.1.txt
if [ -f "$text" ]; then
    commands=$(items COMMANDS <"$text" | cut -f2)
    options=$(items OPTIONS <"$text")
    main_help=$("$ikewatch" --help)
    mapfile -t subcommands < <(awk '/^Subcommands:/ { on = 1; next } /^[^ ]/ { on = 0 }
        on && /^  [a-z]/ { print $1 }' <<<"$main_help")
    if [ "${#subcommands[@]}" -gt 0 ]; then
        pass "ikewatch --help lists ${#subcommands[@]} subcommands"
    else
        fail "ikewatch --help lists subcommands"
    fi
    general=$(awk -F'\t' '$1 == "General"' <<<"$options" | cut -f2)
    for option in $(options_of "$main_help"); do
        if documented "$general" "$option"; then
            pass "ikewatch(1) documents ikewatch $option"
        else
            fail "ikewatch(1) documents ikewatch $option (under OPTIONS, General)"
        fi
    done
    for command in "${subcommands[@]}"; do
        if grep -Eq "^$command( |$)" <<<"$commands"; then
            pass "ikewatch(1) documents the subcommand $command"
        else
            fail "ikewatch(1) documents the subcommand $command (under COMMANDS)"
        fi
        # The subcommand's own subsection, the shared time options, and the general ones.
        allowed=$(awk -F'\t' -v c="$command" '$1 == c || $1 == "Time options" || $1 == "General"' \
            <<<"$options" | cut -f2)
        for option in $(options_of "$("$ikewatch" "$command" --help)"); do
            if documented "$allowed" "$option"; then
                pass "ikewatch(1) documents ikewatch $command $option"
            else
                fail "ikewatch(1) documents ikewatch $command $option (under OPTIONS, $command)"
            fi
        done
    done
fi

# --- ikewatchd(8): every option ------------------------------------------------------------------

text=$work/ikewatchd.8.txt
if [ -f "$text" ]; then
    options=$(items OPTIONS <"$text" | cut -f2)
    for option in $(options_of "$("$ikewatchd" --help)"); do
        if documented "$options" "$option"; then
            pass "ikewatchd(8) documents $option"
        else
            fail "ikewatchd(8) documents $option (under OPTIONS)"
        fi
    done
    for section in SIGNALS "STATUS ENDPOINT" FILES "EXIT STATUS" SECURITY; do
        if grep -qx "$section" "$text"; then
            pass "ikewatchd(8) has $section"
        else
            fail "ikewatchd(8) has $section"
        fi
    done
fi

# --- ikewatch.yaml(5): every configuration key ----------------------------------------------------

text=$work/ikewatch.yaml.5.txt
if [ -f "$text" ]; then
    # The entries: "listen.udp (list of ...)" -> listen.udp
    items KEYS <"$text" | cut -f2 | sed -nE 's/^([a-z_][a-z0-9_.]*(\[\])?[a-z0-9_.]*) \(.*/\1/p' |
        sort -u >"$work/documented"
    echo "     ikewatch.yaml(5) documents $(wc -l <"$work/documented") keys"
    leaf() { sed -E 's/.*[].]//'; }

    if reference=$("$ikewatchd" --config-reference 2>/dev/null) && [ -n "$reference" ]; then
        awk '/^[^ \t]/ { print $1 }' <<<"$reference" | sort -u >"$work/expected"
        source="ikewatchd --config-reference"
        cp "$work/expected" "$work/known"
    else
        # Dotted paths of the keys that carry a value in the shipped configuration (sections,
        # keys whose value is a block below them, are their children's prefix).
        awk '
            /^[[:space:]]*(#|$)/ { next }
            {
                match($0, /^ */); indent = RLENGTH; line = substr($0, indent + 1)
                if (line !~ /^[A-Za-z_][A-Za-z0-9_]*:/) next
                key = line; sub(/:.*/, "", key)
                value = line; sub(/^[^:]*:[[:space:]]*/, "", value); sub(/[[:space:]]*#.*/, "", value)
                while (depth > 0 && indents[depth] >= indent) depth--
                depth++; indents[depth] = indent; names[depth] = key
                if (value == "") next
                path = names[1]; for (i = 2; i <= depth; i++) path = path "." names[i]
                print path
            }' "$source_dir/config/ikewatch.yaml" | sort -u >"$work/expected"
        # Every key name the loader accepts ({"name", handler} rows of its sections).
        # A row is the name followed by its handler, [&], on the same line or the next.
        grep -oE '\{\{?"[a-z_]+",[[:space:]]*(\[|$)' "$source_dir/config/config_loader.cpp" |
            sed -E 's/[][{",[:space:]]//g' | sort -u >"$work/loader"
        source="config/ikewatch.yaml and config/config_loader.cpp"
        cat "$work/loader" >"$work/known"
        if [ "$(wc -l <"$work/loader")" -lt 10 ]; then
            fail "config/config_loader.cpp: expected its key names, found $(wc -l <"$work/loader")"
        fi
        # Each loader key is the last part of a documented key (or a documented section).
        while read -r name; do
            if leaf <"$work/documented" | grep -qx "$name" ||
                grep -qE "^$name(\.|\[)" "$work/documented"; then
                pass "ikewatch.yaml(5) documents the loader's key $name"
            else
                fail "ikewatch.yaml(5) documents the loader's key $name"
            fi
        done <"$work/loader"
    fi
    echo "     configuration keys from $source"
    while read -r key; do
        if grep -qxF "$key" "$work/documented"; then
            pass "ikewatch.yaml(5) documents $key"
        else
            fail "ikewatch.yaml(5) documents $key"
        fi
    done <"$work/expected"
    # And nothing that is not a key.
    while read -r key; do
        if grep -qxF "$(leaf <<<"$key")" <(leaf <"$work/known") || grep -qxF "$key" "$work/known"; then
            :
        else
            fail "ikewatch.yaml(5) documents $key, which is not a configuration key"
        fi
    done <"$work/documented"
fi

# --- ikewatch-rules(5): the rule language reference is in it ------------------------------------

text=$work/ikewatch-rules.5.txt
if [ -f "$text" ]; then
    # Each heading of docs/rules.md is a heading of the page.
    while read -r heading; do
        if grep -qxF "$heading" <(sed -E 's/^ +//' "$text"); then
            pass "ikewatch-rules(5) has \"$heading\""
        else
            fail "ikewatch-rules(5) has \"$heading\""
        fi
    done < <(sed -nE 's/^#+ +//p' <(awk '/^```/ { code = !code; next } !code' \
        "$source_dir/docs/rules.md") | sed -E 's/`//g')
fi

echo
if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all manual page checks passed"
