#!/usr/bin/env bash
# Installs the Debian package into a clean Debian root (debootstrap --variant=minbase, entered
# with chroot) the way an administrator does, with apt-get, and checks each step:
#
#   1. systemd as init: install the previous build, edit the conffile locally, upgrade to the
#      current build, remove, purge. The root has /run/systemd/system, so the maintainer scripts
#      act as on a booted system; its policy-rc.d (Debian's hook for denying service actions in
#      chroots) records each action deb-systemd-invoke asks for and denies it.
#   2. no systemd (a container): a fresh install of the current build, man(1) on its pages, and a
#      purge, after which the root is as it was before, file for file.
#
# Environment: IKEWATCH_PACKAGE_DIR (current/ and previous/ from build_packages.sh, required),
# IKEWATCH_ROOT_CACHE (where the debootstrap result and downloaded packages are kept between
# runs; default ~/.cache/ikewatch-packaging), KEEP=1 keeps the work directory.
#
# Needs root, debootstrap and the machine's Debian mirrors (taken from its apt configuration).
# The base root is made once and reused for a week; each run unpacks a fresh copy of it.

# ${Status}, $(SITE) and awk's $3 are for dpkg-query, apt-get and awk, not for the shell.
# shellcheck disable=SC2016
set -euo pipefail

packages=${IKEWATCH_PACKAGE_DIR:?set IKEWATCH_PACKAGE_DIR to the output of build_packages.sh}
cache=${IKEWATCH_ROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ikewatch-packaging}

current=$(find "$packages/current" -maxdepth 1 -name 'ikewatch_*.deb' | head -n 1)
previous=$(find "$packages/previous" -maxdepth 1 -name 'ikewatch_*.deb' | head -n 1)
if [ -z "$current" ] || [ -z "$previous" ]; then
    echo "FAIL no current/ and previous/ package in $packages" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "FAIL installing into a chroot needs root" >&2
    exit 1
fi
for tool in debootstrap chroot mount flock; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "FAIL $tool is not installed (scripts/install-deps.sh installs it)" >&2
        exit 1
    fi
done

work=$(mktemp -d "${TMPDIR:-/var/tmp}/ikewatch-install.XXXXXX")
root=$work/root
cleanup() {
    for m in var/cache/apt/archives proc; do
        if mountpoint -q "$root/$m" 2>/dev/null; then umount "$root/$m" || umount -l "$root/$m"; fi
    done
    if [ "${KEEP:-0}" = 1 ]; then
        echo "work directory: $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

failures=0
pass() { echo "ok   $*"; }
fail() {
    echo "FAIL $*" >&2
    failures=$((failures + 1))
}
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }
status() { in_root dpkg-query -W -f='${Status} ${Version}' ikewatch 2>/dev/null || true; }
apt() {
    if ! in_root env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0 \
        --no-install-recommends "$@" >"$work/apt.log" 2>&1; then
        cat "$work/apt.log" >&2
        echo "FAIL apt-get $*" >&2
        exit 1
    fi
}

# --- the clean root ------------------------------------------------------------------------------

# shellcheck disable=SC1091
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:?}")
arch=$(dpkg --print-architecture)
# The machine's Debian archives ("SITE RELEASE" for the suite, its updates and security).
sources=$(apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' \
    'Origin: Debian' 'Identifier: Packages' 2>/dev/null |
    awk -v s="$suite" '$3 == "main" && ($2 == s || index($2, s "-") == 1) { print $1, $2 }' |
    sort -u)
mirror=$(awk -v s="$suite" '$2 == s { print $1; exit }' <<<"$sources")
if [ -z "$mirror" ]; then
    echo "FAIL no Debian archive for $suite in this machine's apt configuration" >&2
    exit 1
fi

mkdir -p "$cache/archives/partial"
base=$cache/$suite-minbase-$arch.tar
(
    flock 9
    if [ -f "$base" ] && [ -z "$(find "$base" -mtime +7)" ]; then
        exit 0
    fi
    echo "     making the base root: debootstrap --variant=minbase $suite ($mirror)"
    fresh=$work/base
    if ! debootstrap --variant=minbase --arch="$arch" "$suite" "$fresh" "$mirror" \
        >"$work/debootstrap.log" 2>&1; then
        cat "$work/debootstrap.log" >&2
        echo "FAIL debootstrap" >&2
        exit 1
    fi
    while read -r site release; do
        echo "deb $site $release main"
    done <<<"$sources" >"$fresh/etc/apt/sources.list"
    rm -f "$fresh"/var/cache/apt/archives/*.deb
    tar -C "$fresh" --numeric-owner -cf "$base.new" . && mv "$base.new" "$base"
    rm -rf "$fresh"
) 9>"$cache/lock"
mkdir -p "$root"
tar -C "$root" --numeric-owner -xpf "$base"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
# Downloaded packages are kept for the next run.
mount --bind "$cache/archives" "$root/var/cache/apt/archives"
cp "$previous" "$root/tmp/previous.deb"
cp "$current" "$root/tmp/current.deb"
apt update
pass "clean $suite root from $(basename "$base")"

# policy-rc.d: records and denies every service action (deb-systemd-invoke asks it first).
cat >"$root/usr/sbin/policy-rc.d" <<'EOF'
#!/bin/sh
echo "$*" >>/tmp/service-actions
exit 101
EOF
chmod 0755 "$root/usr/sbin/policy-rc.d"
# The actions asked for ikewatch's unit (other packages', man-db's timer say, are not ours).
actions() { grep 'ikewatch' "$root/tmp/service-actions" 2>/dev/null || true; }

unit_link=etc/systemd/system/multi-user.target.wants/ikewatch.service
# Owner and mode by the root's own user and group names.
owner_mode() { in_root stat -c '%U:%G %a' "/$1"; }
quiet() { "$@" >/dev/null 2>&1; }

# --- 1. systemd as init: install, upgrade with a local edit, remove, purge -----------------------

mkdir -p "$root/run/systemd/system"
version_previous=$(dpkg-deb -f "$previous" Version)
version_current=$(dpkg-deb -f "$current" Version)

apt install /tmp/previous.deb man-db
check "apt-get install ikewatch $version_previous (dependencies from the archive)" \
    test "$(status)" = "install ok installed $version_previous"
passwd_line=$(in_root getent passwd ikewatch || true)
check "system user ikewatch: $passwd_line" \
    awk -F: '$3 < 1000 && $6 == "/var/lib/ikewatch" && $7 ~ /nologin$/ { ok = 1 } END { exit !ok }' \
    <<<"$passwd_line"
check "group ikewatch" quiet in_root getent group ikewatch
check "/var/log/ikewatch ikewatch:adm 750" test "$(owner_mode var/log/ikewatch)" = "ikewatch:adm 750"
check "/var/lib/ikewatch ikewatch:ikewatch 750" \
    test "$(owner_mode var/lib/ikewatch)" = "ikewatch:ikewatch 750"
check "unit enabled (multi-user.target.wants link)" \
    test "$(readlink "$root/$unit_link")" = /lib/systemd/system/ikewatch.service
check "install: deb-systemd-invoke asked to start ikewatch.service" \
    test "$(actions)" = "ikewatch.service start"
check "the packaged daemon accepts the packaged configuration in the clean root" \
    quiet in_root ikewatchd --check-config --config /etc/ikewatch/ikewatch.yaml
check "the packaged ikewatch runs in the clean root" quiet in_root ikewatch explain MM_WAIT_MSG4

# What the administrator and the daemon add before the upgrade.
echo "# local edit kept across upgrades" >>"$root/etc/ikewatch/ikewatch.yaml"
edited=$(sha256sum <"$root/etc/ikewatch/ikewatch.yaml")
echo '{"alert":1}' >"$root/var/log/ikewatch/alerts.json"
mkdir -p "$root/var/lib/ikewatch/spool"
printf 'rules: []\n' >"$root/etc/ikewatch/rules.d/local.yaml"
uid=$(in_root id -u ikewatch)
: >"$root/tmp/service-actions"

apt install /tmp/current.deb
check "upgrade to $version_current" \
    test "$(status)" = "install ok installed $version_current"
check "upgrade: the locally edited conffile is kept" \
    test "$(sha256sum <"$root/etc/ikewatch/ikewatch.yaml")" = "$edited"
check "upgrade: no .dpkg-new, .dpkg-dist or .dpkg-old left" \
    test -z "$(find "$root/etc" -name '*.dpkg-*')"
check "upgrade: deb-systemd-invoke asked to restart ikewatch.service" \
    test "$(actions)" = "ikewatch.service restart"
check "upgrade: same uid, logs and state kept" \
    test "$(in_root id -u ikewatch)" = "$uid" -a -f "$root/var/log/ikewatch/alerts.json" \
    -a -d "$root/var/lib/ikewatch/spool"
check "upgrade: unit still enabled" test -L "$root/$unit_link"
: >"$root/tmp/service-actions"

apt remove ikewatch
check "remove: deb-systemd-invoke asked to stop ikewatch.service" \
    test "$(actions)" = "ikewatch.service stop"
check "remove: binaries gone" test ! -e "$root/usr/sbin/ikewatchd" -a ! -e "$root/usr/bin/ikewatch"
check "remove: conffiles, account and logs stay until purge" \
    test -f "$root/etc/ikewatch/ikewatch.yaml" -a -f "$root/var/log/ikewatch/alerts.json"
in_root getent passwd ikewatch >/dev/null || fail "remove: the account stays until purge"
: >"$root/tmp/service-actions"

apt purge ikewatch
check "purge: not installed" test -z "$(status)"
check "purge: user and group ikewatch removed" \
    test -z "$(in_root getent passwd ikewatch)$(in_root getent group ikewatch)"
check "purge: logs and state directory removed" \
    test ! -e "$root/var/log/ikewatch" -a ! -e "$root/var/lib/ikewatch"
check "purge: unit link and deb-systemd-helper state removed" \
    test ! -L "$root/$unit_link" -a -z "$(find "$root/var/lib/systemd" -name 'ikewatch*' \
        2>/dev/null)"
check "purge: the administrator's rule file stays" test -f "$root/etc/ikewatch/rules.d/local.yaml"
left=$(cd "$root" && find . -xdev -path ./proc -prune -o -path ./tmp -prune -o -path ./var/cache \
    -prune -o -path ./var/lib/dpkg -prune -o -path ./var/log -prune -o -path ./var/lib/apt -prune \
    -o -name '*ikewatch*' -print | sort)
check "purge: nothing named ikewatch left but /etc/ikewatch (which holds the local rule)" \
    test "$left" = ./etc/ikewatch
[ "$(actions)" = "" ] || fail "purge: no service action (got: $(actions))"

# --- 2. no systemd: fresh install, manual pages, purge leaves the root as it was ------------------

rm -rf "$root/run/systemd/system" "$root/etc/ikewatch/rules.d/local.yaml"
rmdir "$root/etc/ikewatch/rules.d" "$root/etc/ikewatch"
# Every file and directory with its owner, mode and content, but the package manager's own
# records, caches, logs and temporary files.
snapshot() {
    (cd "$root" && find . -xdev \( -path ./proc -o -path ./tmp -o -path ./var/cache \
        -o -path ./var/lib/dpkg -o -path ./var/lib/apt -o -path ./var/log -o -path ./dev \
        -o -path ./etc/ld.so.cache -o -name '*-' -path './etc/*' \) -prune -o \
        -printf '%p %U:%G %m %y\n' | sort)
    (cd "$root" && find etc usr lib var/lib -xdev -type f ! -name '*-' \
        ! -path 'var/lib/dpkg/*' ! -path 'var/lib/apt/*' -print0 | sort -z |
        xargs -0 sha256sum)
}
snapshot >"$work/before"

apt install /tmp/current.deb
check "fresh install of $version_current without systemd" \
    test "$(status)" = "install ok installed $version_current"
check "without systemd: no service action asked" test -z "$(actions)"
check "without systemd: unit enabled all the same" test -L "$root/$unit_link"
# man(1) as a user runs it: by name, and by section for the configuration file.
for query in ikewatch ikewatchd "5 ikewatch.yaml" "5 ikewatch-rules"; do
    # shellcheck disable=SC2086 # the section and the name are two arguments
    out=$(in_root env MANPAGER=cat MANWIDTH=80 man $query 2>&1 || true)
    name=${query##* }
    check "man $query" grep -q "^NAME" <<<"$out"
    check "man $query shows $name" grep -Eq "^ +$name - " <<<"$out"
done
check "man -k ikewatch finds the four pages" \
    test "$(in_root man -k ikewatch 2>/dev/null | grep -c '^ikewatch')" -eq 4

apt purge ikewatch
check "purge: logs and state directory removed" \
    test ! -e "$root/var/log/ikewatch" -a ! -e "$root/var/lib/ikewatch"
snapshot >"$work/after"
if diff -u "$work/before" "$work/after" >"$work/diff"; then
    pass "purge: the root is as it was before the install"
else
    fail "purge: the root is as it was before the install:"
    cat "$work/diff" >&2
fi

echo
if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all installation checks passed"
