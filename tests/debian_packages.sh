#!/bin/sh
# The Debian packages: `scripts/deb.sh` (what `make deb` runs) builds libreflite0,
# libreflite-dev, libreflite-http0, libreflite-http-dev and reflite of the project's version, lintian finds no error, each package
# holds what it should; then, as root, they install, a program compiles against them with
# pkg-config and with CMake and runs, the command and its manual page are found, and they are
# purged again.  Skipped (77) after the build checks when not root or when reflite packages
# were already installed (the test never removes what it did not install).
# Usage: debian_packages.sh SOURCE_DIR WORK_DIR VERSION
set -u
src=$1
work=$2
version=$3
unset MAKEFLAGS MFLAGS MAKELEVEL DESTDIR
. "$src/tests/cli_lib.sh"
ma=$(gcc -print-multiarch 2> /dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH)
arch=$(dpkg --print-architecture)
installed=""
packages="libreflite0 libreflite-dev libreflite-http0 libreflite-http-dev reflite"
packages_rev="reflite libreflite-http-dev libreflite-http0 libreflite-dev libreflite0"
cleanup() {
  [ -n "$installed" ] && dpkg --purge $packages_rev > /dev/null 2>&1
  return 0
}
trap cleanup EXIT

"$src/scripts/deb.sh" "$work" > "$work.log" 2>&1; rc=$?
expect "make deb (build and lintian)" 0 $rc
[ $rc -eq 0 ] || { cat "$work.log"; finish; exit 1; }
for p in $packages; do
  deb="$work/${p}_${version}_$arch.deb"
  [ -f "$deb" ]; expect "$p built" 0 $?
  expect "$p version" "$version" "$(dpkg-deb -f "$deb" Version 2> /dev/null)"
  dpkg-deb -c "$deb" > "$work/$p.list" 2> /dev/null
done
# the paths a package holds (symbolic links without their targets)
paths() { awk '{print $6}' "$work/$1.list" | sed 's|^\./||'; }
has() { paths "$1" | grep -qx "$2"; expect "$1 holds $2" 0 $?; }
has libreflite0 "usr/lib/$ma/libreflite.so.0"
has libreflite-dev "usr/include/reflite.h"
has libreflite-dev "usr/include/reflite/version.h"
has libreflite-dev "usr/lib/$ma/libreflite.a"
has libreflite-dev "usr/lib/$ma/pkgconfig/reflite.pc"
has libreflite-dev "usr/lib/$ma/cmake/reflite/reflite-config.cmake"
has libreflite-dev "usr/share/man/man3/reflite.3.gz"
has libreflite-http0 "usr/lib/$ma/libreflite-http.so.0"
has libreflite-http-dev "usr/include/reflite/http.h"
has libreflite-http-dev "usr/lib/$ma/libreflite-http.a"
has libreflite-http-dev "usr/lib/$ma/pkgconfig/reflite-http.pc"
has libreflite-http-dev "usr/lib/$ma/cmake/reflite-http/reflite-http-config.cmake"
paths libreflite-dev | grep -q "http"; expect "the server is not in libreflite-dev" 1 $?
has reflite "usr/bin/reflite"
has reflite "usr/share/man/man1/reflite.1.gz"
paths libreflite-dev | grep -q "libreflite\.so\.0"; expect "the runtime library is not in -dev" 1 $?
case "$(dpkg-deb -f "$work/libreflite-dev_${version}_$arch.deb" Depends)" in
  *"libreflite0 (= $version)"*"libsqlite3-dev"*) r=yes ;; *) r=no ;; esac
expect "libreflite-dev depends on libreflite0 and libsqlite3-dev" yes "$r"

if [ "$(id -u)" -ne 0 ]; then
  echo "not root: the packages are built and checked but not installed"
  finish && exit 77
  exit 1
fi
if dpkg-query -W -f='${Status}' libreflite0 2> /dev/null | grep -q "install ok installed"; then
  echo "reflite packages are already installed: not installing over them"
  finish && exit 77
  exit 1
fi
installed=yes
debs=""
for p in $packages; do debs="$debs $work/${p}_${version}_$arch.deb"; done
dpkg -i $debs > "$work/dpkg.log" 2>&1
expect "dpkg -i the five packages" 0 $?
[ -f /usr/local/include/reflite.h ] && echo "note: /usr/local/include/reflite.h exists and comes first in the include path"
cc -std=c11 -Wall -Werror "$src/tests/consumer/consumer.c" $(pkg-config --cflags --libs reflite) \
  -o "$work/consumer"
expect "a program compiles against the packages" 0 $?
"$work/consumer" > "$work/out" 2>&1; expect "and runs" 0 $?
expect_line "package consumer" "$work/out" "reflite $version (header $version)"
loaded=$(ldd "$work/consumer" | awk '$1 == "libreflite.so.0" {print $3}')
expect "it loads the packaged library" "/usr/lib/$ma/libreflite.so.$version" "$(readlink -f "$loaded")"
rm -rf "$work/cm" # a consumer built by an earlier run would not see a newer header (dpkg keeps mtimes)
cmake -S "$src/tests/consumer" -B "$work/cm" -DREFLITE_WANTED="$(echo "$version" | cut -d. -f1,2)" \
  > "$work/cm.log" 2>&1 && cmake --build "$work/cm" >> "$work/cm.log" 2>&1
expect "find_package(reflite) against the packages" 0 $?
"$work/cm/consumer" > "$work/cm.out" 2>&1; rc=$?
[ "$rc" -eq 0 ] || { cat "$work/cm.out"; ldd "$work/cm/consumer"; }
expect "the CMake consumer runs" 0 "$rc"
expect "packaged reflite" "reflite $version" "$(/usr/bin/reflite --version | cut -d' ' -f1,2)"
expect "man page found" "/usr/share/man/man1/reflite.1.gz" "$(man -w reflite 2> /dev/null)"
cc -std=c11 -Wall -Werror "$src/tests/consumer/http_consumer.c" \
  $(pkg-config --cflags --libs reflite-http) -o "$work/http_consumer"
expect "a server compiles against the packages" 0 $?
"$work/http_consumer" > "$work/out" 2>&1; expect "and serves" 0 $?
loaded=$(ldd "$work/http_consumer" | awk '$1 == "libreflite-http.so.0" {print $3}')
expect "it loads the packaged server library" "/usr/lib/$ma/libreflite-http.so.$version" \
  "$(readlink -f "$loaded")"
dpkg --purge $packages_rev > "$work/dpkg.log" 2>&1; expect "purge" 0 $?
installed=""
[ ! -e "/usr/lib/$ma/libreflite.so.0" ]; expect "purged" 0 $?
finish
