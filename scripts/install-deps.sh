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
    librdkafka-dev
    # test and benchmark tools: real collectors and senders on 127.0.0.1
    python3 bsdutils util-linux procps iproute2 openssl curl
    rsyslog rsyslog-gnutls
    # Kafka in the tests: rsyslog's omkafka publishes, kcat produces and reads (the cluster is
    # librdkafka's mock cluster, tests/kafka/)
    rsyslog-kafka kcat
    valgrind time dpkg-dev fakeroot file systemd
    # the Debian package: manual pages (pandoc), Debian's checks (lintian, man-db), the clean
    # root the package is installed into (debootstrap), bash completion, maintainer scripts
    pandoc man-db lintian debootstrap bash-completion shellcheck
    # browser tests of the web page (tests/web): Debian's chromium and the fonts it renders with
    chromium fonts-dejavu-core
)
# Node.js runs the browser tests only; a machine that has it already keeps its own.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"

# The browser tests' npm packages (playwright-core, axe-core, pixelmatch, pngjs): test-only,
# pinned by tests/web/package-lock.json, never shipped nor used at run time. Reinstalled only
# when the lock file changed.
cd "$(dirname "$0")/../tests/web"
stamp=node_modules/.ikewatch-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
fi
