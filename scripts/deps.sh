#!/bin/sh
# Installs the Debian packages fangkong needs, when they are missing.
# Usage: scripts/deps.sh build|test
# As root it runs apt-get; otherwise it prints the exact apt-get line and fails.
set -e
build_pkgs="build-essential pkg-config libsqlite3-dev libmicrohttpd-dev libjansson-dev \
libsodium-dev libcsv-dev libxlsxwriter-dev libgsl-dev libqrencode-dev"
test_pkgs="libcmocka-dev chromium fonts-wqy-microhei sqlite3"
pkgs="$build_pkgs"
[ "${1:-build}" = test ] && pkgs="$pkgs $test_pkgs"
command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs"
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "fangkong needs these Debian packages; run as root:" >&2
    echo "  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q $missing >/dev/null
