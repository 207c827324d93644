#!/bin/sh
# Compile and run every complete C program (a ```c block containing "int main") found in the
# given Markdown files.  INCLUDE_DIRS is a colon-separated list.
# Usage: doc_snippets.sh CC INCLUDE_DIRS LIBREFLITE OUT_DIR FILE.md...
set -e
cc=$1 inc=$2 lib=$3 out=$4
shift 4
mkdir -p "$out"
rm -f "$out"/*.c
for md in "$@"; do
  base=$(basename "$md" .md)
  awk -v out="$out" -v base="$base" '
    /^```c[ \t]*$/ { inblock = 1; n++; file = sprintf("%s/%s_%02d.c", out, base, n); buf = ""; next }
    /^```/ && inblock { inblock = 0; if (buf ~ /int main/) printf "%s", buf > file; close(file); next }
    inblock { buf = buf $0 "\n" }
  ' "$md"
done
count=0
for src in "$out"/*.c; do
  [ -e "$src" ] || continue
  exe=${src%.c}
  flags=""
  [ -n "$REFLITE_SANITIZED" ] && flags="-fsanitize=address,undefined"
  "$cc" -std=c17 -Wall -Wextra -Werror $flags $(printf -- '-I%s ' $(echo "$inc" | tr ':' ' ')) "$src" "$lib" $(pkg-config --libs sqlite3 libpq) -pthread -o "$exe"
  (cd "$out" && "$exe" > "$exe.out")
  echo "ok: $(basename "$src")"
  count=$((count + 1))
done
[ "$count" -gt 0 ] || { echo "no C programs found in the docs"; exit 1; }
echo "$count passed, 0 failed"
