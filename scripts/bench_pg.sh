#!/bin/sh
# The CRUD and relations benchmarks on PostgreSQL: a throw-away server (tests/pg_server.sh: initdb + pg_ctl on
# a Unix socket in a temporary directory), bench_crud_pg against it, then each side's client
# instructions per phase (scripts/bench_instructions.sh), the server stopped however the run
# ends.  With two or more cores the server runs on core 1 and the benchmark on core 0: the
# scheduler then no longer moves them around each other, and each round's ratios stay within
# a few percent of each other instead of scattering by 2x.
# Usage: scripts/bench_pg.sh BUILD_DIR [rounds] [authors]
set -eu
build=$1
rounds=${2:-5}
authors=${3:-1000}
here=$(cd "$(dirname "$0")/.." && pwd)
state=$(mktemp /tmp/reflite-bench-pg.XXXXXX)
trap '"$here/tests/pg_server.sh" stop "$state" >/dev/null 2>&1 || true; rm -f "$state"' EXIT INT TERM
"$here/tests/pg_server.sh" start "$state" >/dev/null
dir=$(sed -n 1p "$state")
url=$(sed -n 2p "$state")
pin=""
if [ "$(nproc)" -ge 2 ] && command -v taskset > /dev/null; then
  # backends forked later inherit the postmaster's affinity
  postmaster=$(head -1 "$dir/data/postmaster.pid")
  for pid in $postmaster $(pgrep -P "$postmaster"); do taskset -a -p -c 1 "$pid" > /dev/null; done
  pin="taskset -c 0"
  echo "server pinned to core 1, benchmark to core 0"
fi
$pin "$build/bench_crud_pg" "$url" "$rounds" "$authors"
# the same workload through PgBouncer in transaction pooling mode, both sides through it
if command -v pgbouncer > /dev/null; then
  bstate=$(mktemp /tmp/reflite-bench-pgb.XXXXXX)
  trap '"$here/tests/pgbouncer.sh" stop "$bstate" >/dev/null 2>&1 || true; rm -f "$bstate";
        "$here/tests/pg_server.sh" stop "$state" >/dev/null 2>&1 || true; rm -f "$state"' EXIT INT TERM
  "$here/tests/pgbouncer.sh" start "$state" "$bstate" > /dev/null
  [ -n "$pin" ] && taskset -a -p -c 1 "$(cat "$(sed -n 1p "$bstate")/pgbouncer.pid")" > /dev/null
  echo
  echo "== through PgBouncer $(pgbouncer --version | head -1 | awk '{print $2}') (transaction pooling), both sides =="
  REFLITE_BENCH_POOLED=1 $pin "$build/bench_crud_pg" "$(sed -n 2p "$bstate")" "$rounds" "$authors"
  $pin "$build/bench_relations" "$(sed -n 2p "$bstate")" 3 10000
else
  echo "(PgBouncer not installed: no pooled run)"
fi
$pin "$build/bench_relations" "$url" 3 10000
"$here/scripts/bench_instructions.sh" libpq "$build/bench_crud_pg" "$url" 1 200
