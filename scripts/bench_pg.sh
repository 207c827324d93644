#!/bin/sh
# The CRUD benchmark on PostgreSQL: a throw-away server (tests/pg_server.sh: initdb + pg_ctl on
# a Unix socket in a temporary directory), bench_crud_pg against it, the server stopped however
# the run ends.  Usage: scripts/bench_pg.sh BUILD_DIR [rounds] [authors]
set -eu
build=$1
shift
here=$(cd "$(dirname "$0")/.." && pwd)
state=$(mktemp /tmp/reflite-bench-pg.XXXXXX)
trap '"$here/tests/pg_server.sh" stop "$state" >/dev/null 2>&1 || true; rm -f "$state"' EXIT INT TERM
"$here/tests/pg_server.sh" start "$state" >/dev/null
url=$(sed -n 2p "$state")
"$build/bench_crud_pg" "$url" "$@"
