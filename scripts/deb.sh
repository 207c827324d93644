#!/bin/sh
# Build the Debian packages (libreflite0, libreflite-dev, libreflite-http0, libreflite-http-dev,
# reflite) from a copy of the source
# tree in OUT/src, so that dpkg-buildpackage's files land in OUT/, and check them with
# lintian (errors fail the build).  The package version must be the project's version.
# Usage: scripts/deb.sh OUT
set -e
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(sed -n 's/^project(reflite VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")
deb_version=$(sed -n '1s/^reflite (\([^)]*\)).*/\1/p' "$top/debian/changelog")
if [ "$version" != "$deb_version" ]; then
  echo "deb: debian/changelog says $deb_version, CMakeLists.txt says $version" >&2
  exit 1
fi
rm -rf "$out/src" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$out/src"
# the tracked files when this is a git checkout, else everything but build trees
if [ -d "$top/.git" ] && command -v git >/dev/null; then
  (cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 tar cf -) | tar xf - -C "$out/src"
else
  (cd "$top" && tar cf - --exclude='./build*' .) | tar xf - -C "$out/src"
fi
echo "building the Debian packages in $out (log: $out/build.log)"
(cd "$out/src" && dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1 || {
  tail -50 "$out/build.log"
  exit 1
}
ls "$out"/*.deb
lintian --fail-on error "$out"/*.changes
