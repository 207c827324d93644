#!/bin/sh
# A throw-away PostgreSQL server for the test suite: initdb and pg_ctl in a temporary
# directory, listening on a Unix socket there only (no TCP port), fsync off, autovacuum off
# (an automatic ANALYZE could take a lock between a test's TRUNCATEs: a deadlock seen once;
# tests that need statistics run ANALYZE themselves).  As root the
# server runs as the postgres user (initdb refuses root).
#
#   pg_server.sh start STATE   start a server; STATE receives its directory and URL
#   pg_server.sh stop STATE    stop it and remove its directory (also after a failed run)
#
# A test of what clients see when the server goes away runs these on a server of its own
# (never on one that other tests share):
#
#   pg_server.sh restart STATE  restart it (fast shutdown: sessions are ended), wait until up
#   pg_server.sh halt STATE     stop it (fast), keeping its directory
#   pg_server.sh resume STATE   start it again after halt (if it is not running), wait until
#                               it accepts connections
#
# A streaming replica of a server (pg_basebackup -R: a standby that follows the primary's WAL
# over a replication connection), for the tests of reads sent to replicas and of failover:
#
#   pg_server.sh replica STATE PRIMARY_STATE  start a replica of PRIMARY_STATE's server; STATE
#                                             receives its directory and URL (stop as above)
#   pg_server.sh promote STATE                make the replica a primary, wait until it is one
#
# CTest runs start as a fixture's setup and stop as its cleanup, so the server is stopped
# even when a test fails.  If the server cannot start, start fails and prints why.
set -e
cmd=$1
state=$2
[ -n "$state" ] || { echo "usage: pg_server.sh start|stop|restart|halt|resume STATE" >&2; exit 2; }
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bindir/pg_ctl" ] || { echo "pg_server: no PostgreSQL server installed (Debian package postgresql)" >&2; exit 1; }
as=""
[ "$(id -u)" -eq 0 ] && as="runuser -u postgres --"

# pg_ctl ACTION... on the server of STATE, its output in the server's log.
ctl() {
  dir=$(sed -n 1p "$state")
  [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "pg_server: no server in $state" >&2; exit 1; }
  if ! $as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-k $dir -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off" \
      "$@" > /dev/null 2>&1; then
    echo "pg_server: pg_ctl $* failed:" >&2; tail -n 20 "$dir/server.log" >&2; return 1
  fi
}

stop() {
  [ -f "$state" ] || return 0
  dir=$(sed -n 1p "$state")
  if [ -n "$dir" ] && [ -d "$dir/data" ]; then
    $as "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop > /dev/null 2>&1 || true
  fi
  case $dir in /tmp/reflite-pg.*) rm -rf "$dir" ;; esac
  rm -f "$state"
}

case $cmd in
start)
  stop # a server left by an interrupted run
  dir=$(mktemp -d /tmp/reflite-pg.XXXXXX)
  chmod 755 "$dir"
  [ -n "$as" ] && chown postgres "$dir"
  printf '%s\n' "$dir" > "$state"
  if ! $as "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --no-sync \
      > "$dir/initdb.log" 2>&1; then
    echo "pg_server: initdb failed:" >&2; cat "$dir/initdb.log" >&2; stop; exit 1
  fi
  if ! ctl start; then
    echo "pg_server: the server did not start:" >&2; cat "$dir/server.log" >&2; stop; exit 1
  fi
  printf 'postgresql://postgres@/postgres?host=%s\n' "$dir" >> "$state"
  echo "pg_server: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on $dir"
  ;;
stop)
  stop
  ;;
restart)
  ctl -m fast restart
  ;;
halt)
  ctl -m fast stop
  ;;
replica)
  primary=$3
  [ -f "$primary" ] || { echo "usage: pg_server.sh replica STATE PRIMARY_STATE" >&2; exit 2; }
  stop
  pdir=$(sed -n 1p "$primary")
  dir=$(mktemp -d /tmp/reflite-pg.XXXXXX)
  chmod 755 "$dir"
  [ -n "$as" ] && chown postgres "$dir"
  printf '%s\n' "$dir" > "$state"
  if ! $as "$bindir/pg_basebackup" -h "$pdir" -U postgres -D "$dir/data" -R -X stream \
      --no-sync > "$dir/basebackup.log" 2>&1; then
    echo "pg_server: pg_basebackup failed:" >&2; cat "$dir/basebackup.log" >&2; stop; exit 1
  fi
  if ! ctl start; then
    echo "pg_server: the replica did not start:" >&2; cat "$dir/server.log" >&2; stop; exit 1
  fi
  printf 'postgresql://postgres@/postgres?host=%s\n' "$dir" >> "$state"
  echo "pg_server: a replica of $pdir on $dir"
  ;;
promote)
  ctl promote
  ;;
resume)
  dir=$(sed -n 1p "$state")
  $as "$bindir/pg_ctl" -D "$dir/data" status > /dev/null 2>&1 || ctl start
  ;;
*)
  echo "usage: pg_server.sh start|stop|restart|halt|resume|replica|promote STATE" >&2; exit 2 ;;
esac
