#!/usr/bin/env bash
# Installs everything ikewatch needs to build, test and benchmark, from Debian 12 packages only.
# Safe to run more than once. Needs root (or sudo).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
    # toolchain
    build-essential cmake ninja-build pkg-config git
    clang clang-format clang-tidy libclang-rt-14-dev
    # libraries
    libboost-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
    libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev libssl-dev
    # test and benchmark tools: real collectors and senders on 127.0.0.1
    python3 bsdutils util-linux procps iproute2 openssl curl
    rsyslog rsyslog-gnutls
    valgrind time dpkg-dev fakeroot file systemd
    # the Debian package: manual pages (pandoc), Debian's checks (lintian, man-db), the clean
    # root the package is installed into (debootstrap), bash completion, maintainer scripts
    pandoc man-db lintian debootstrap bash-completion shellcheck
)

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
