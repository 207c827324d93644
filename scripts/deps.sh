#!/bin/sh
# Install the Debian packages reflite needs to build and test, if any are missing.
# Usage: scripts/deps.sh [extra-package...]
set -e
need="cmake make gcc pkg-config libsqlite3-dev libpq-dev libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libcmocka-dev sqlite3 $*"
missing=""
for p in $need; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "Installing missing packages:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
