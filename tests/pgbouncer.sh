#!/bin/sh
# A throw-away PgBouncer in transaction pooling mode in front of the suite's PostgreSQL server
# (tests/pg_server.sh), on a Unix socket in a temporary directory (no TCP port).
#
#   pgbouncer.sh start PG_STATE STATE   start it; STATE receives its directory and URL
#   pgbouncer.sh stop STATE             stop it and remove its directory
#
# CTest runs start as a fixture's setup and stop as its cleanup.  As root it runs as the
# postgres user (PgBouncer refuses root).
set -e
cmd=$1
case $cmd in
start) pg_state=$2 state=$3 ;;
stop) state=$2 ;;
*) echo "usage: pgbouncer.sh start PG_STATE STATE | stop STATE" >&2; exit 2 ;;
esac
[ -n "$state" ] || { echo "usage: pgbouncer.sh start PG_STATE STATE | stop STATE" >&2; exit 2; }
as=""
[ "$(id -u)" -eq 0 ] && as="runuser -u postgres --"

stop() {
  [ -f "$state" ] || return 0
  dir=$(sed -n 1p "$state")
  if [ -n "$dir" ] && [ -f "$dir/pgbouncer.pid" ]; then
    kill "$(cat "$dir/pgbouncer.pid")" 2> /dev/null || true
    for i in $(seq 1 50); do [ -f "$dir/pgbouncer.pid" ] || break; sleep 0.1; done
  fi
  case $dir in /tmp/reflite-pgb.*) rm -rf "$dir" ;; esac
  rm -f "$state"
}

case $cmd in
start)
  stop
  command -v pgbouncer > /dev/null || { echo "pgbouncer: not installed (Debian package pgbouncer)" >&2; exit 1; }
  pg_dir=$(sed -n 1p "$pg_state")
  [ -d "$pg_dir" ] || { echo "pgbouncer: no PostgreSQL server in $pg_state" >&2; exit 1; }
  dir=$(mktemp -d /tmp/reflite-pgb.XXXXXX)
  chmod 755 "$dir"
  printf '%s\n' "$dir" > "$state"
  printf '"postgres" ""\n' > "$dir/users.txt"
  # the port only names the socket file (.s.PGSQL.6432): nothing listens on TCP
  cat > "$dir/pgbouncer.ini" << INI
[databases]
* = host=$pg_dir
[pgbouncer]
listen_addr =
listen_port = 6432
unix_socket_dir = $dir
auth_type = trust
auth_file = $dir/users.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  [ -n "$as" ] && chown -R postgres "$dir"
  if ! $as pgbouncer -d -q "$dir/pgbouncer.ini" > "$dir/start.log" 2>&1; then
    echo "pgbouncer: did not start:" >&2; cat "$dir/start.log" "$dir/pgbouncer.log" >&2; stop; exit 1
  fi
  for i in $(seq 1 50); do [ -S "$dir/.s.PGSQL.6432" ] && break; sleep 0.1; done
  [ -S "$dir/.s.PGSQL.6432" ] || { echo "pgbouncer: no socket" >&2; cat "$dir/pgbouncer.log" >&2; stop; exit 1; }
  printf 'postgresql://postgres@/postgres?host=%s&port=6432\n' "$dir" >> "$state"
  echo "pgbouncer: $(pgbouncer --version | head -1) on $dir (transaction pooling)"
  ;;
stop)
  stop
  ;;
esac
