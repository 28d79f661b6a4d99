#!/usr/bin/env bash
# Inspects the Debian package without installing it: control fields and dependencies, file list
# and modes, conffiles, documentation (copyright, changelog, manual pages), maintainer scripts,
# the shipped configuration (checked by the packaged daemon itself), the systemd unit
# (systemd-analyze verify) and the logrotate file (logrotate -d) when those tools exist.
#
# Environment: IKEWATCH_DEB (the package, or a directory holding it; required;
# tests/packaging/build_packages.sh builds it), IKEWATCH_VERSION (expected upstream version),
# IKEWATCH_MAINTAINER and IKEWATCH_HOMEPAGE (expected fields), KEEP=1 keeps the work directory.
#
# Nothing outside a temporary directory is written: the package is only unpacked there.
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

work=$(mktemp -d "${TMPDIR:-/tmp}/ikewatch-package.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then
    echo "work directory: $work"
else
    trap 'rm -rf "$work"' EXIT
fi

failures=0
pass() { echo "ok   $*"; }
fail() {
    echo "FAIL $*" >&2
    failures=$((failures + 1))
}
# check DESCRIPTION COMMAND...: runs COMMAND, records the result.
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

echo "     package: $deb"
root=$work/root
control=$work/control
dpkg-deb -I "$deb" >"$work/info"
dpkg-deb -c "$deb" >"$work/contents"
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$control"

# --- control fields ----------------------------------------------------------------------------

field() { dpkg-deb -f "$deb" "$1"; }
check "Package is ikewatch" test "$(field Package)" = ikewatch
check "Section is net" test "$(field Section)" = net
check "Priority is optional" test "$(field Priority)" = optional
check "Maintainer is a name and an address" \
    grep -Eq '^[^<>]+ <[^<>@ ]+@[^<>@ ]+\.[^<>@ ]+>$' <<<"$(field Maintainer)"
if [ -n "${IKEWATCH_MAINTAINER:-}" ]; then
    check "Maintainer is $IKEWATCH_MAINTAINER" test "$(field Maintainer)" = "$IKEWATCH_MAINTAINER"
fi
if [ -n "${IKEWATCH_HOMEPAGE:-}" ]; then
    check "Homepage is $IKEWATCH_HOMEPAGE" test "$(field Homepage)" = "$IKEWATCH_HOMEPAGE"
else
    check "no Homepage field (IKEWATCH_HOMEPAGE is empty)" test -z "$(field Homepage)"
fi
check "Architecture is $(dpkg --print-architecture)" \
    test "$(field Architecture)" = "$(dpkg --print-architecture)"
if [ -n "${IKEWATCH_VERSION:-}" ]; then
    check "Version ${IKEWATCH_VERSION}-1" test "$(field Version)" = "${IKEWATCH_VERSION}-1"
fi
check "Description present" test -n "$(field Description)"

# Depends as a list of bare package names.
depends=$(field Depends)
dep_names=" $(echo "$depends" | tr ',|' '\n' | sed -E 's/\(.*\)//; s/:.*//; s/[[:space:]]//g' |
    grep -v '^$' | tr '\n' ' ')"
echo "     Depends: $depends"
check "Depends on adduser" grep -q ' adduser ' <<<"$dep_names"

# Every shared library the two binaries load must come from a package in Depends (the list
# dpkg-shlibdeps computed): the package that owns it here, or a name that package provides
# (spdlog's shlibs file names the virtual libspdlog1.10-fmt9). The dpkg database is only read.
mapfile -t sonames < <(readelf -d "$root/usr/sbin/ikewatchd" "$root/usr/bin/ikewatch" |
    sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p' | sort -u)
check "binaries link shared libraries" test "${#sonames[@]}" -gt 0
for soname in "${sonames[@]}"; do
    owners=$(dpkg-query -S "*/$soname" 2>/dev/null | sed -E 's/: \/.*//' | tr ',' '\n' |
        sed -E 's/:.*//; s/[[:space:]]//g' | sort -u | tr '\n' ' ')
    found=""
    for p in $owners; do
        provides=$(dpkg-query -W -f='${Provides}' "$p" 2>/dev/null |
            sed -E 's/\([^)]*\)//g; s/:[a-z0-9]+//g' | tr ',' ' ')
        for name in $p $provides; do
            if grep -q " $name " <<<"$dep_names"; then found=$name; fi
        done
    done
    if [ -n "$found" ]; then
        pass "Depends covers $soname ($found)"
    else
        fail "Depends covers $soname (owned by: ${owners:-no package})"
    fi
done

# --- files -------------------------------------------------------------------------------------

# `dpkg-deb -c` lines: mode owner/group size date time path
entry() { awk -v p="./$1" '$6 == p' "$work/contents"; }
has_entry() {
    local path=$1 mode=$2
    local line
    line=$(entry "$path")
    [ -n "$line" ] && [ "$(awk '{print $1}' <<<"$line")" = "$mode" ] &&
        [ "$(awk '{print $2}' <<<"$line")" = root/root ]
}
check "usr/sbin/ikewatchd -rwxr-xr-x root" has_entry usr/sbin/ikewatchd -rwxr-xr-x
check "usr/bin/ikewatch -rwxr-xr-x root" has_entry usr/bin/ikewatch -rwxr-xr-x
check "etc/ikewatch/ikewatch.yaml" has_entry etc/ikewatch/ikewatch.yaml -rw-r--r--
check "etc/ikewatch/rules.d/ directory" has_entry etc/ikewatch/rules.d/ drwxr-xr-x
check "etc/ikewatch/rules.d/README" has_entry etc/ikewatch/rules.d/README -rw-r--r--
check "etc/logrotate.d/ikewatch" has_entry etc/logrotate.d/ikewatch -rw-r--r--
check "lib/systemd/system/ikewatch.service" has_entry lib/systemd/system/ikewatch.service -rw-r--r--
check "usr/share/doc/ikewatch/README.md" has_entry usr/share/doc/ikewatch/README.md -rw-r--r--
for doc in rules.md forwarding.md security.md copyright changelog.Debian.gz; do
    check "usr/share/doc/ikewatch/$doc" has_entry "usr/share/doc/ikewatch/$doc" -rw-r--r--
done
for page in man1/ikewatch.1.gz man8/ikewatchd.8.gz man5/ikewatch.yaml.5.gz \
    man5/ikewatch-rules.5.gz; do
    check "usr/share/man/$page" has_entry "usr/share/man/$page" -rw-r--r--
done
for command in ikewatch ikewatchd; do
    check "usr/share/bash-completion/completions/$command" \
        has_entry "usr/share/bash-completion/completions/$command" -rw-r--r--
done
check "usr/share/lintian/overrides/ikewatch" \
    has_entry usr/share/lintian/overrides/ikewatch -rw-r--r--
check "copyright is packaging/debian/copyright" \
    cmp -s "$root/usr/share/doc/ikewatch/copyright" "$source_dir/packaging/debian/copyright"
check "lintian overrides are packaging/lintian-overrides" \
    cmp -s "$root/usr/share/lintian/overrides/ikewatch" "$source_dir/packaging/lintian-overrides"
for completion in ikewatch ikewatchd; do
    check "completion $completion is completion/$completion" \
        cmp -s "$root/usr/share/bash-completion/completions/$completion" \
        "$source_dir/completion/$completion"
done

# The changelog's first line names the package's own version, and it is compressed without a
# name or time stamp (gzip -9n).
changelog=$root/usr/share/doc/ikewatch/changelog.Debian.gz
check "changelog.Debian.gz is for ikewatch $(field Version)" \
    test "$(zcat "$changelog" | head -n 1 | sed -E 's/^([^ ]+) \(([^)]+)\).*/\1 \2/')" = \
    "ikewatch $(field Version)"
check "changelog.Debian.gz signed by the Maintainer" \
    grep -qF -- " -- $(field Maintainer)  " <(zcat "$changelog")
# gzip header: byte 3 holds the flags (8 = a file name follows), bytes 4-7 the time stamp.
check "changelog.Debian.gz without a stored name" \
    test $(($(od -An -tu1 -j3 -N1 "$changelog" | tr -d ' ') & 8)) -eq 0
check "changelog.Debian.gz without a time stamp" \
    test "$(od -An -tu4 -j4 -N4 "$changelog" | tr -d ' ')" = 0
check "binaries executable after extraction" \
    test -x "$root/usr/sbin/ikewatchd" -a -x "$root/usr/bin/ikewatch"

pack_count=$(find "$source_dir/rules/pack" -maxdepth 1 -name '*.yaml' | wc -l)
shipped_count=$(find "$root/usr/share/ikewatch/rules" -maxdepth 1 -name '*.yaml' | wc -l)
check "reference rule pack ($shipped_count of $pack_count files)" \
    test "$pack_count" -gt 0 -a "$shipped_count" -eq "$pack_count"

check "config is config/ikewatch.yaml" \
    cmp -s "$root/etc/ikewatch/ikewatch.yaml" "$source_dir/config/ikewatch.yaml"
check "unit is packaging/ikewatch.service" \
    cmp -s "$root/lib/systemd/system/ikewatch.service" "$source_dir/packaging/ikewatch.service"
check "logrotate is packaging/ikewatch.logrotate" \
    cmp -s "$root/etc/logrotate.d/ikewatch" "$source_dir/packaging/ikewatch.logrotate"

# Only the expected top-level trees, nothing under /usr/local or /usr/include, nothing not owned
# by root.
stray=$(awk '{print $6}' "$work/contents" |
    grep -Ev '^\./$|^\./(etc|lib|usr)/$|^\./etc/(ikewatch|logrotate\.d)/|^\./lib/systemd/|^\./usr/(bin|sbin|share)/' || true)
check "no files outside /etc/ikewatch, /etc/logrotate.d, /lib/systemd, /usr/{bin,sbin,share}" \
    test -z "$stray"
[ -z "$stray" ] || echo "$stray" >&2
check "every entry owned by root/root" \
    test -z "$(awk '$2 != "root/root"' "$work/contents")"

# --- control archive: conffiles and maintainer scripts ----------------------------------------

check "conffiles present" test -f "$control/conffiles"
check "conffile /etc/ikewatch/ikewatch.yaml" grep -qx /etc/ikewatch/ikewatch.yaml "$control/conffiles"
check "conffile /etc/logrotate.d/ikewatch" grep -qx /etc/logrotate.d/ikewatch "$control/conffiles"
# Every regular file under /etc must be a conffile (dpkg would silently overwrite it otherwise),
# and every conffile must be in the package.
etc_files=$(cd "$root" && find etc -type f | sed 's|^|/|' | sort)
check "every file under /etc is a conffile" \
    test "$etc_files" = "$(sort "$control/conffiles")"

for script in postinst prerm postrm; do
    f=$control/$script
    check "$script present and executable" test -x "$f"
    check "$script is a /bin/sh script" test "$(head -n 1 "$f")" = "#!/bin/sh"
    check "$script uses set -e" grep -qx 'set -e' "$f"
    check "$script: sh -n" sh -n "$f"
    if command -v dash >/dev/null 2>&1; then
        check "$script: dash -n" dash -n "$f"
    fi
    if command -v shellcheck >/dev/null 2>&1; then
        check "$script: shellcheck -s sh" shellcheck -s sh "$f"
    fi
done
check "postinst creates the ikewatch system user" \
    grep -Eq 'adduser --system .*ikewatch' "$control/postinst"
# systemd through the Debian helpers only (as dh_installsystemd writes it): systemctl itself
# only for daemon-reload.
check "maintainer scripts call systemctl only for daemon-reload" \
    test -z "$(grep -hE '(^|[;&|[:space:]])systemctl[[:space:]]' "$control"/postinst \
        "$control"/prerm "$control"/postrm | grep -v 'daemon-reload' || true)"
check "postinst enables the unit with deb-systemd-helper" \
    grep -q 'deb-systemd-helper enable ikewatch.service' "$control/postinst"
# shellcheck disable=SC2016 # $action is the script's variable, matched literally
check "postinst starts or restarts with deb-systemd-invoke" \
    grep -qF 'deb-systemd-invoke "$action" ikewatch.service' "$control/postinst"
check "prerm stops with deb-systemd-invoke" \
    grep -q 'deb-systemd-invoke stop ikewatch.service' "$control/prerm"
check "postrm purges the unit state with deb-systemd-helper" \
    grep -q 'deb-systemd-helper purge ikewatch.service' "$control/postrm"

# --- the packaged daemon accepts the packaged configuration ------------------------------------

check "ikewatchd --version is $(field Version | sed 's/-[^-]*$//')" \
    test "$("$root/usr/sbin/ikewatchd" --version)" = "$(field Version | sed 's/-[^-]*$//')"
if out=$("$root/usr/sbin/ikewatchd" --check-config --config "$root/etc/ikewatch/ikewatch.yaml" \
    --rules "$root/etc/ikewatch/rules.d" 2>&1); then
    pass "ikewatchd --check-config on the shipped configuration: $out"
else
    echo "$out" >&2
    fail "ikewatchd --check-config on the shipped configuration"
fi
# ... and the check is real: one unknown key makes it exit 78.
cp "$root/etc/ikewatch/ikewatch.yaml" "$work/broken.yaml"
echo "no_such_key: 1" >>"$work/broken.yaml"
rc=0
"$root/usr/sbin/ikewatchd" --check-config --config "$work/broken.yaml" \
    --rules "$root/etc/ikewatch/rules.d" >/dev/null 2>&1 || rc=$?
check "ikewatchd --check-config rejects a broken configuration with 78 (got $rc)" test "$rc" -eq 78
check "packaged ikewatch runs (explain MM_WAIT_MSG4)" \
    "$root/usr/bin/ikewatch" explain MM_WAIT_MSG4 >/dev/null

# --- systemd unit --------------------------------------------------------------------------------

unit=$root/lib/systemd/system/ikewatch.service
check "unit runs /usr/sbin/ikewatchd (ExecStartPre, ExecStart)" \
    test "$(grep -cE '^Exec(StartPre|Start)=/usr/sbin/ikewatchd ' "$unit")" -eq 2
check "unit: RestartPreventExitStatus=78" grep -qx 'RestartPreventExitStatus=78' "$unit"
check "unit: User=ikewatch" grep -qx 'User=ikewatch' "$unit"
check "unit: only CAP_NET_BIND_SERVICE" \
    grep -qx 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' "$unit"

# systemd-analyze verify also insists that every Exec*= program exists on this machine, and
# /usr/sbin/ikewatchd is not installed here. So a copy of the unit, in which only that path is
# pointed at the unpacked binary, is verified instead; the copy is checked to differ from the
# shipped unit in nothing else. verify exits 0 on most bad settings (it only logs "ignoring"),
# so any message about the unit counts as a failure too.
if command -v systemd-analyze >/dev/null 2>&1; then
    mkdir -p "$work/verify"
    sed "s|/usr/sbin/ikewatchd|$root/usr/sbin/ikewatchd|g" "$unit" >"$work/verify/ikewatch.service"
    check "verified copy differs only in the daemon path" \
        cmp -s "$unit" <(sed "s|$root/usr/sbin/ikewatchd|/usr/sbin/ikewatchd|g" \
            "$work/verify/ikewatch.service")
    rc=0
    (cd "$work/verify" && systemd-analyze verify --man=no "$work/verify/ikewatch.service") \
        >"$work/verify.log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ] && ! grep -q 'ikewatch\.service' "$work/verify.log"; then
        pass "systemd-analyze verify ikewatch.service"
    else
        cat "$work/verify.log" >&2
        fail "systemd-analyze verify ikewatch.service (exit $rc)"
    fi
else
    echo "skip systemd-analyze verify (systemd-analyze not installed)"
fi

# --- logrotate -----------------------------------------------------------------------------------

rotate=$root/etc/logrotate.d/ikewatch
check "logrotate: both log patterns" \
    grep -qx '/var/log/ikewatch/\*\.json /var/log/ikewatch/\*\.log {' "$rotate"
for directive in daily 'rotate 14' compress delaycompress missingok notifempty \
    'create 0640 ikewatch adm'; do
    check "logrotate: $directive" grep -qx "    $directive" "$rotate"
done
check "logrotate: no copytruncate" test -z "$(grep -E '^[[:space:]]*copytruncate' "$rotate" || true)"
check "logrotate: SIGUSR1 through systemctl" grep -q 'systemctl kill .*-s USR1 ikewatch.service' "$rotate"
check "logrotate: pkill fallback" grep -q 'pkill -USR1 -x ikewatchd' "$rotate"

# logrotate -d (dry run, own state file) parses the file. It looks the owner up, so on a machine
# without the ikewatch account (the package is not installed) the copy names the current user.
if command -v logrotate >/dev/null 2>&1; then
    mkdir -p "$work/logrotate"
    if getent passwd ikewatch >/dev/null && getent group adm >/dev/null; then
        cp "$rotate" "$work/logrotate/ikewatch"
    else
        sed "s/^\(    create 0640\) ikewatch adm$/\1 $(id -un) $(id -gn)/" "$rotate" \
            >"$work/logrotate/ikewatch"
    fi
    chmod 0644 "$work/logrotate/ikewatch"
    rc=0
    logrotate -d -s "$work/logrotate/state" "$work/logrotate/ikewatch" >"$work/logrotate.log" 2>&1 ||
        rc=$?
    if [ "$rc" -eq 0 ] && ! grep -qi 'error' "$work/logrotate.log"; then
        pass "logrotate -d accepts the file"
    else
        cat "$work/logrotate.log" >&2
        fail "logrotate -d (exit $rc)"
    fi
else
    echo "skip logrotate -d (logrotate not installed)"
fi

echo
if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed for $(basename "$deb")" >&2
    exit 1
fi
echo "all package checks passed for $(basename "$deb")"
