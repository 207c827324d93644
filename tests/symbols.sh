#!/bin/sh
# The shared library exports the public API only: every defined dynamic symbol starts with
# rl_, and every function the header declares is among them.  In the static library every
# global symbol starts with rl_ (public) or rli_ (internal, a prefix reserved by the header),
# so that an application's own names never clash with reflite's when it links statically.
# debian/libreflite0.symbols lists exactly the exported symbols (a new function gets its line,
# with the version that added it).
# The same for libreflite-http, whose internal prefix is rlh_.
# Usage: symbols.sh LIBRARY.so HEADER LIBRARY.a DEBIAN_SYMBOLS [INTERNAL_PREFIX (rli_)]
set -u
lib=$1
header=$2
archive=$3
debsyms=$4
internal=${5:-rli_}
. "$(dirname "$0")/cli_lib.sh"
syms=$(nm -D --defined-only "$lib" | awk '{print $3}' | sort)
other=$(printf '%s\n' "$syms" | grep -v '^rl_' | tr '\n' ' ')
expect "symbols outside rl_" "" "$other"
# functions the header declares (not its static inline helpers or macros)
for f in $(grep -vE '^(static|#| )' "$header" | grep -oE 'rl_[a-z0-9_]+\(' | tr -d '(' | sort -u); do
  printf '%s\n' "$syms" | grep -qx "$f" && passes=$((passes + 1)) || { echo "FAIL: $f is not exported"; failures=$((failures + 1)); }
done
# (an AddressSanitizer build adds an __odr_asan.<name> marker beside each global variable)
static=$(nm -g --defined-only "$archive" | awk 'NF == 3 {print $3}' | sed 's/^__odr_asan\.//' |
  grep -vE "^(rl_|$internal)" | tr '\n' ' ')
expect "static library symbols outside rl_ and $internal" "" "$static"
grep -q "$internal" "$header" && passes=$((passes + 1)) || { echo "FAIL: the header does not reserve $internal"; failures=$((failures + 1)); }
expect "debian/libreflite0.symbols lists the exports" "$(printf '%s\n' "$syms" | tr '\n' ' ')" \
  "$(sed -n 's/^ \([a-z0-9_]*\)@Base .*/\1/p' "$debsyms" | sort | tr '\n' ' ')"
finish
