#!/bin/sh
# Remove the files a `make install` installed, listed in CMake's install manifest, and the
# directories of reflite's own that are left empty (include/reflite, lib/.../cmake/reflite).
# The manifest lists paths without DESTDIR: give the same DESTDIR as to the install.
# Usage: DESTDIR=... scripts/uninstall.sh BUILD/install_manifest.txt
set -e
manifest=$1
if [ ! -f "$manifest" ]; then
  echo "uninstall: $manifest not found: nothing was installed from this build" >&2
  exit 1
fi
while IFS= read -r f || [ -n "$f" ]; do
  [ -n "$f" ] || continue
  f="${DESTDIR:-}$f"
  if [ -e "$f" ] || [ -L "$f" ]; then
    rm -f "$f"
    echo "removed $f"
  fi
  d=$(dirname "$f")
  case "$d" in */reflite) rmdir "$d" 2>/dev/null || true ;; esac
done < "$manifest"
rm -f "$manifest"
if [ -z "${DESTDIR:-}" ] && [ "$(id -u)" -eq 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi
