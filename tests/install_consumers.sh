#!/bin/sh
# Install and use an installed reflite as another project would:
#  - `make install PREFIX=/usr DESTDIR=...` after a build configured for /usr/local puts the
#    files where Debian's multiarch layout expects them, with a pkg-config file whose paths
#    exist; a program builds with pkg-config and with find_package(reflite), and runs;
#  - `make install PREFIX=<dir>` (no DESTDIR) gives a working tree there too;
#  - `make uninstall` removes every file each install put there.
# Usage: install_consumers.sh SOURCE_DIR WORK_DIR VERSION
set -u
src=$1
work=$2
version=$3
unset MAKEFLAGS MFLAGS MAKELEVEL DESTDIR
. "$src/tests/cli_lib.sh"
rm -rf "$work"
mkdir -p "$work"
ma=$(gcc -print-multiarch 2> /dev/null || true)
[ -n "$ma" ] || ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
major_minor=$(echo "$version" | cut -d. -f1,2)
build="$work/build"
m() { make -C "$src" BUILD="$build" CMAKE_FLAGS="-DREFLITE_TESTS=OFF" "$@" > "$work/make.log" 2>&1 || { cat "$work/make.log"; return 1; }; }

m build; expect "build configured for /usr/local" 0 $?
grep -q "CMAKE_INSTALL_PREFIX:PATH=/usr/local" "$build/CMakeCache.txt"; expect "configured prefix" 0 $?

# --- PREFIX=/usr with DESTDIR: Debian's layout ----------------------------------------------
root="$work/root"
m install PREFIX=/usr DESTDIR="$root"; expect "make install PREFIX=/usr DESTDIR" 0 $?
for f in usr/lib/$ma/libreflite.so.0 usr/lib/$ma/libreflite.so usr/lib/$ma/libreflite.a \
         usr/lib/$ma/pkgconfig/reflite.pc usr/lib/$ma/cmake/reflite/reflite-config.cmake \
         usr/lib/$ma/cmake/reflite/reflite-config-version.cmake usr/include/reflite.h \
         usr/include/reflite/version.h usr/bin/reflite usr/share/man/man1/reflite.1 \
         usr/share/man/man3/reflite.3; do
  [ -e "$root/$f" ]; expect "installed $f" 0 $?
done
expect "nothing under /usr/local" "" "$(ls "$root/usr/local" 2> /dev/null)"
expect "SONAME" "libreflite.so.0" "$(objdump -p "$root/usr/lib/$ma/libreflite.so.0" | awk '$1 == "SONAME" {print $2}')"
pc="$root/usr/lib/$ma/pkgconfig/reflite.pc"
expect "pc prefix" "prefix=/usr" "$(grep '^prefix=' "$pc")"
export PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_PATH="$root/usr/lib/$ma/pkgconfig"
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
expect "pkg-config version" "$version" "$(pkg-config --modversion reflite)"
expect "pkg-config libdir exists" yes "$([ -d "$root$(pkg-config --variable=libdir reflite | sed "s|^$root||")" ] && echo yes)"
expect "pkg-config requires sqlite3" "sqlite3 >= 3.37" "$(pkg-config --print-requires reflite)"
cc -std=c11 -Wall -Werror "$src/tests/consumer/consumer.c" $(pkg-config --cflags --libs reflite) \
  -o "$work/consumer_pc" 2> "$work/cc.log"
expect "pkg-config consumer builds" 0 $?; cat "$work/cc.log"
LD_LIBRARY_PATH="$root/usr/lib/$ma" "$work/consumer_pc" > "$work/out" 2>&1; expect "pkg-config consumer runs" 0 $?
expect_line "pkg-config consumer" "$work/out" "reflite $version (header $version)"
LD_LIBRARY_PATH="$root/usr/lib/$ma" ldd "$work/consumer_pc" | grep -q "$root/usr/lib/$ma/libreflite.so.0"
expect "consumer loads the installed library" 0 $?
# libreflite-http: its own pkg-config file and CMake package
for f in usr/lib/$ma/libreflite-http.so.0 usr/lib/$ma/libreflite-http.a usr/include/reflite/http.h \
         usr/lib/$ma/pkgconfig/reflite-http.pc usr/lib/$ma/cmake/reflite-http/reflite-http-config.cmake; do
  [ -e "$root/$f" ]; expect "installed $f" 0 $?
done
expect "reflite-http requires reflite" "reflite = $version" "$(pkg-config --print-requires reflite-http)"
cc -std=c11 -Wall -Werror "$src/tests/consumer/http_consumer.c" \
  $(pkg-config --cflags --libs reflite-http) -o "$work/http_consumer_pc" 2> "$work/cc.log"
expect "pkg-config server consumer builds" 0 $?; cat "$work/cc.log"
LD_LIBRARY_PATH="$root/usr/lib/$ma" "$work/http_consumer_pc" > "$work/out" 2>&1
expect "pkg-config server consumer serves" 0 $?
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH

cmake_consumer() { # prefix_path wanted_version build_dir
  cmake -S "$src/tests/consumer" -B "$3" -DCMAKE_PREFIX_PATH="$1" -DREFLITE_WANTED="$2" \
    > "$3.log" 2>&1 && cmake --build "$3" >> "$3.log" 2>&1
}
cmake_consumer "$root/usr" "$major_minor" "$work/cm"; expect "find_package(reflite $major_minor) builds" 0 $?
[ $? -eq 0 ] || cat "$work/cm.log"
LD_LIBRARY_PATH="$root/usr/lib/$ma" "$work/cm/consumer" > "$work/out" 2>&1; expect "CMake consumer runs" 0 $?
"$work/cm/consumer_static" > "$work/out" 2>&1; expect "CMake static consumer runs" 0 $?
cmake_consumer "$root/usr" 99.0 "$work/cm99"; expect "find_package(reflite 99.0) is refused" 1 $?
grep -q "version" "$work/cm99.log"; expect "the refusal is about the version" 0 $?

m uninstall DESTDIR="$root"; expect "make uninstall (DESTDIR)" 0 $?
expect "no file left in DESTDIR" "" "$(find "$root" -type f -o -type l)"

# --- another prefix, no DESTDIR ---------------------------------------------------------------
opt="$work/opt"
m install PREFIX="$opt"; expect "make install PREFIX=$opt" 0 $?
expect "pc prefix (opt)" "prefix=$opt" "$(grep '^prefix=' "$opt/lib/pkgconfig/reflite.pc")"
cc -std=c11 -Wall -Werror "$src/tests/consumer/consumer.c" \
  $(PKG_CONFIG_PATH="$opt/lib/pkgconfig" pkg-config --cflags --libs reflite) -o "$work/consumer_opt"
expect "consumer builds against $opt" 0 $?
LD_LIBRARY_PATH="$opt/lib" "$work/consumer_opt" > /dev/null; expect "consumer runs against $opt" 0 $?
# pkg-config --static names only libraries that link (libpq's own private ones do not all)
cc -std=c11 "$src/tests/consumer/consumer.c" \
  $(PKG_CONFIG_PATH="$opt/lib/pkgconfig" pkg-config --static --cflags --libs reflite) \
  -o "$work/consumer_static_flags" 2> "$work/cc.log"
expect "pkg-config --static links" 0 $?; cat "$work/cc.log"
cc -std=c11 "$src/tests/consumer/http_consumer.c" \
  $(PKG_CONFIG_PATH="$opt/lib/pkgconfig" pkg-config --static --cflags --libs reflite-http) \
  -o "$work/http_consumer_static_flags" 2> "$work/cc.log"
expect "pkg-config --static links (reflite-http)" 0 $?; cat "$work/cc.log"
# and the static_libs variable gives a program with no libreflite.so to find
cc -std=c11 "$src/tests/consumer/consumer.c" \
  $(PKG_CONFIG_PATH="$opt/lib/pkgconfig" pkg-config --cflags reflite) \
  $(PKG_CONFIG_PATH="$opt/lib/pkgconfig" pkg-config --variable=static_libs reflite) \
  -o "$work/consumer_static" 2> "$work/cc.log"
expect "static_libs links" 0 $?; cat "$work/cc.log"
expect "static_libs: no libreflite.so needed" "" "$(objdump -p "$work/consumer_static" | grep NEEDED | grep libreflite)"
"$opt/bin/reflite" --version > "$work/out"; expect "installed reflite runs" 0 $?
expect_line "installed reflite version" "$work/out" "reflite $version"
m uninstall; expect "make uninstall" 0 $?
expect "no file left in $opt" "" "$(find "$opt" -type f -o -type l)"
m uninstall > /dev/null 2>&1; expect "uninstall twice says nothing is installed" 1 $?

finish
