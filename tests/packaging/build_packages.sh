#!/usr/bin/env bash
# Builds the Debian package twice from a configured and built tree, for the other package
# tests: the version of the tree (current/) and the same tree packaged as an earlier version
# (previous/, upstream version with "~previous" appended, which dpkg orders before it), to test
# upgrades.
#
# Environment: IKEWATCH_BUILD_DIR (the build tree, required), CPACK (default: cpack),
# IKEWATCH_PACKAGE_DIR (where to put them; default IKEWATCH_BUILD_DIR/packaging-test).
#
# cpack stages every file under the output directory (CPACK_SET_DESTDIR), so nothing is written
# to the live /etc or /lib.
set -euo pipefail

build_dir=${IKEWATCH_BUILD_DIR:?set IKEWATCH_BUILD_DIR to the build tree}
cpack_cmd=${CPACK:-cpack}
out=${IKEWATCH_PACKAGE_DIR:-$build_dir/packaging-test}

# The configuration, logrotate and unit files have absolute destinations. Without DESTDIR
# staging cpack would write them to the live /etc and /lib, so refuse to run in that case.
if ! grep -Eq '^set\(CPACK_SET_DESTDIR "(ON|TRUE|1)"\)' "$build_dir/CPackConfig.cmake"; then
    echo "FAIL $build_dir/CPackConfig.cmake does not stage through DESTDIR (CPACK_SET_DESTDIR)" >&2
    exit 1
fi
version=$(sed -nE 's/^set\(CPACK_PACKAGE_VERSION "([^"]+)"\)$/\1/p' "$build_dir/CPackConfig.cmake")
if [ -z "$version" ]; then
    echo "FAIL no CPACK_PACKAGE_VERSION in $build_dir/CPackConfig.cmake" >&2
    exit 1
fi

rm -rf "$out"
mkdir -p "$out"
# build NAME [cpack arguments...]
build() {
    local name=$1
    shift
    if ! (cd "$build_dir" && "$cpack_cmd" -G DEB --config CPackConfig.cmake -B "$out/$name" "$@") \
        >"$out/$name.log" 2>&1; then
        cat "$out/$name.log" >&2
        echo "FAIL cpack -G DEB $*" >&2
        exit 1
    fi
    local debs
    mapfile -t debs < <(find "$out/$name" -maxdepth 1 -name 'ikewatch_*.deb')
    if [ "${#debs[@]}" -ne 1 ]; then
        cat "$out/$name.log" >&2
        echo "FAIL expected one ikewatch_*.deb in $out/$name, found ${#debs[@]}" >&2
        exit 1
    fi
    # Only the package is kept: the staging tree is as large as the package unpacked.
    rm -rf "$out/$name/_CPack_Packages"
    echo "ok   $name: $(basename "${debs[0]}") ($(dpkg-deb -f "${debs[0]}" Version))"
}
build current
build previous -D "CPACK_PACKAGE_VERSION=${version}~previous"

if ! dpkg --compare-versions "$(dpkg-deb -f "$out"/previous/ikewatch_*.deb Version)" lt \
    "$(dpkg-deb -f "$out"/current/ikewatch_*.deb Version)"; then
    echo "FAIL the previous package's version does not sort before the current one" >&2
    exit 1
fi
