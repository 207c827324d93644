#!/bin/sh
# Instructions per phase of the CRUD workload, reflite against the hand-written baseline,
# counted by callgrind: unlike seconds, the count is the same on every run of the same
# binary, whatever else the machine does.  Each side runs alone in its own process; a
# phase's count is the inclusive count of its function (bench_crud.c's phase_*).
# Usage: scripts/bench_instructions.sh BENCH_CRUD [authors]   (default 1000 authors)
set -e
bench=$1
authors=${2:-1000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for side in reflite baseline; do
  valgrind --tool=callgrind --callgrind-out-file="$out/$side.cg" "$bench" 1 "$authors" "$side" \
    > /dev/null 2> "$out/$side.log" || { cat "$out/$side.log"; exit 1; }
  callgrind_annotate --inclusive=yes "$out/$side.cg" 2> /dev/null |
    sed -n "s/^ *\([0-9,]*\) .*:phase_\([a-z0-9_]*\)_$side .*/\2 \1/p" | tr -d , > "$out/$side.txt"
done
echo "crud workload, instructions (callgrind): $authors authors x 100 books"
printf '%-8s %15s %15s %8s\n' phase reflite sqlite3 ratio
for phase in insert fetch update delete get_pk top10; do
  r=$(awk -v p="$phase" '$1 == p {print $2}' "$out/reflite.txt")
  b=$(awk -v p="$phase" '$1 == p {print $2}' "$out/baseline.txt")
  [ -n "$r" ] && [ -n "$b" ] || { echo "no count for $phase"; exit 1; }
  awk -v p="$phase" -v r="$r" -v b="$b" 'BEGIN {printf "%-8s %15d %15d %8.3f\n", p, r, b, r / b}'
done
