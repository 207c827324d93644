#!/bin/sh
# Instructions per phase of the CRUD workload, reflite against the hand-written baseline,
# counted by callgrind: unlike seconds, the count is the same on every run of the same
# binary, whatever else the machine does.  Each side runs alone in its own process (the
# benchmark's last argument names the side); a phase's count is the inclusive count of its
# function (phase_*_reflite, phase_*_baseline), in the order the profile lists them.  On PostgreSQL this is the client's work
# only: the server's is the same statements on both sides.
# Usage: scripts/bench_instructions.sh BASELINE_NAME BENCH [ARGS...]
#   e.g. scripts/bench_instructions.sh sqlite3 build/bench_crud 1 1000
set -e
name=$1
bench=$2
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for side in reflite baseline; do
  valgrind --tool=callgrind --callgrind-out-file="$out/$side.cg" "$bench" "$@" "$side" \
    > /dev/null 2> "$out/$side.log" || { cat "$out/$side.log"; exit 1; }
  # Run from the temporary directory: under the source tree, callgrind_annotate writes the
  # paths below it in two spellings and may split a phase called from a header (the CRUD
  # rounds in bench/crud_workload.h) into two entries, neither of them the whole.  A phase's
  # first line is its own (the profile lists the largest first); later ones are calls to it.
  (cd "$out" && callgrind_annotate --inclusive=yes "$side.cg" 2> /dev/null) |
    sed -n "s/^ *\([0-9,]*\) .*:phase_\([a-z0-9_]*\)_$side .*/\2 \1/p" | tr -d , |
    awk '!seen[$1]++' > "$out/$side.txt"
done
echo "instructions (callgrind) of $(basename "$bench") $*"
printf '%-18s %15s %15s %8s\n' phase reflite "$name" ratio
for phase in $(awk '{print $1}' "$out/reflite.txt"); do
  r=$(awk -v p="$phase" '$1 == p {print $2}' "$out/reflite.txt")
  b=$(awk -v p="$phase" '$1 == p {print $2}' "$out/baseline.txt")
  [ -n "$r" ] && [ -n "$b" ] || { echo "no count for $phase"; exit 1; }
  awk -v p="$phase" -v r="$r" -v b="$b" 'BEGIN {printf "%-18s %15d %15d %8.3f\n", p, r, b, r / b}'
done
