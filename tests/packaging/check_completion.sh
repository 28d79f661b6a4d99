#!/usr/bin/env bash
# Loads the bash completions of ikewatch and ikewatchd in bash with bash-completion, as an
# interactive shell does, and completes: a subcommand from its first letters, an option from its
# first letters, option values, and every option that the real binaries list in --help (each
# ikewatch subcommand's, ikewatchd's) after "--".
#
# Environment: IKEWATCH and IKEWATCHD (the binaries the option lists are taken from).
set -euo pipefail

ikewatch=${IKEWATCH:?set IKEWATCH to the ikewatch binary}
ikewatchd=${IKEWATCHD:?set IKEWATCHD to the ikewatchd binary}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
bash_completion=/usr/share/bash-completion/bash_completion
if [ ! -f "$bash_completion" ]; then
    echo "FAIL bash-completion is not installed (scripts/install-deps.sh installs it)" >&2
    exit 1
fi

failures=0
pass() { echo "ok   $*"; }
fail() {
    echo "FAIL $*" >&2
    failures=$((failures + 1))
}

# complete LINE: what bash completion offers for the command line LINE (the word being completed
# is the last one; a trailing space starts a new one), one candidate per line. The binaries'
# directory comes first on PATH, so that `ikewatch explain` finds the codes.
complete_line() {
    bash --norc --noprofile -c '
        source "$1"
        source "$2"
        source "$3"
        read -r -a COMP_WORDS <<<"$4"
        [[ $4 == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE=$4
        COMP_POINT=${#4}
        "$(complete -p "${COMP_WORDS[0]}" | sed -E "s/.*-F ([^ ]+) .*/\1/")" \
            "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf "%s\n" "${COMPREPLY[@]}"
    ' complete "$bash_completion" "$source_dir/completion/ikewatch" \
        "$source_dir/completion/ikewatchd" "$1"
}
PATH="$(dirname "$ikewatch"):$(dirname "$ikewatchd"):$PATH"
export PATH

# expect LINE WORD...: each WORD is offered for LINE.
expect() {
    local line=$1
    shift
    local offered
    offered=$(complete_line "$line" 2>&1)
    for word in "$@"; do
        if grep -qxF -- "$word" <<<"$offered"; then
            pass "'$line<TAB>' offers $word"
        else
            fail "'$line<TAB>' offers $word (offered: $(tr '\n' ' ' <<<"$offered"))"
        fi
    done
}

options_of() {
    awk '/^Options:/ { on = 1; next } /^[^ ]/ { on = 0 } on && /^  -/ { print $1 }' <<<"$1" |
        tr ',' '\n' | grep -- '^--'
}

# The basic cases: a subcommand and an option from their first letters, values.
expect "ikewatch rep" replay
expect "ikewatch replay --no" --no-drain
expect "ikewatch replay --format " json text
expect "ikewatch explain psk" psk-mismatch
expect "ikewatch explain MM_WAIT_MSG" MM_WAIT_MSG4
expect "ikewatchd --che" --check-config
expect "ikewatchd --forward-format " rfc5424 cef leef json

# Everything --help lists.
mapfile -t subcommands < <("$ikewatch" --help | awk '/^Subcommands:/ { on = 1; next }
    /^[^ ]/ { on = 0 } on && /^  [a-z]/ { print $1 }')
expect "ikewatch " "${subcommands[@]}"
for command in "${subcommands[@]}"; do
    mapfile -t options < <(options_of "$("$ikewatch" "$command" --help)")
    expect "ikewatch $command --" "${options[@]}"
done
mapfile -t options < <(options_of "$("$ikewatchd" --help)")
expect "ikewatchd --" "${options[@]}"

echo
if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all completion checks passed"
