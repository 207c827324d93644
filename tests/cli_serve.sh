#!/bin/sh
# `reflite serve` as a user runs it: SIGHUP reads the tables again and does not stop the
# server, --allow-host adds a name the Host header may carry (others are 421), --schema names
# the schema in errors and in the profile headers, a write needs
# a JSON Content-Type, the log shows the query string but not a secret, and the address in use
# is named with its port.  curl is the client.
# Usage: cli_serve.sh REFLITE_BINARY
set -u
bin=$1
command -v curl >/dev/null || { echo "FAIL: curl is needed (make deps-test installs it)"; exit 1; }
dir=$(mktemp -d)
pid=""
pid3=""
cleanup() {
  for p in $pid $pid3; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/err" ] && cat "$dir/err"; exit 1; }
. "$(dirname "$0")/cli_lib.sh"

sqlite3 "$dir/app.db" "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT);
  INSERT INTO authors (name) VALUES ('Le Guin')" >/dev/null || fail "sqlite3"
"$bin" serve "$dir/app.db" --port 0 --allow-host api.internal >"$dir/out" 2>"$dir/err" &
pid=$!
port=$(served_port "$dir/out") || fail "no port printed"
url="http://127.0.0.1:$port"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

[ "$(code "$url/authors")" = 200 ] || fail "GET"
[ "$(code -H 'Host: evil.example' "$url/authors")" = 421 ] || fail "a foreign Host was answered"
[ "$(code -H 'Host: api.internal' "$url/authors")" = 200 ] || fail "--allow-host"
[ "$(code -X POST -H 'Content-Type: text/plain' -d '{"name":"x"}' "$url/authors")" = 415 ] ||
  fail "a text/plain write was taken"
[ "$(code -X POST -H 'Content-Type: application/json' -d '{"name":"Okri"}' "$url/authors")" = 201 ] ||
  fail "a JSON write was refused"

# the schema changed by another program, then SIGHUP: the server goes on, with the new table
sqlite3 "$dir/app.db" "CREATE TABLE shelves (id INTEGER PRIMARY KEY)" >/dev/null || fail "sqlite3"
kill -HUP "$pid"
for i in $(seq 1 100); do grep -q "SIGHUP" "$dir/err" && break; sleep 0.05; done
grep -q "SIGHUP: the tables are read again" "$dir/err" || fail "SIGHUP was not reported"
kill -0 "$pid" 2>/dev/null || fail "SIGHUP stopped the server"
[ "$(code "$url/shelves")" = 200 ] || fail "the new table after SIGHUP"

# the schema's name: public on SQLite, named in errors, the only profile taken
curl -s "$url/nothing" | grep -q "'public.nothing'" || fail "the default schema's name"
[ "$(code -H 'Accept-Profile: public' "$url/authors")" = 200 ] || fail "Accept-Profile: public"
[ "$(code -H 'Accept-Profile: api' "$url/authors")" = 406 ] || fail "another Accept-Profile"

[ "$(code "$url/authors?name=eq.Okri&access_token=S3CRET")" = 400 ] || fail "unknown argument"
grep -q "GET /authors?name=eq.Okri&access_token=(secret) 400" "$dir/err" ||
  fail "the log does not show the query string"
grep -q S3CRET "$dir/err" && fail "a secret reached the log"

# --schema names it
"$bin" serve "$dir/app.db" --port 0 --schema api >"$dir/out3" 2>"$dir/err3" &
pid3=$!
port3=$(served_port "$dir/out3") || fail "no port printed (--schema)"
curl -s "http://127.0.0.1:$port3/nothing" | grep -q "'api.nothing'" || fail "--schema api"
[ "$(code -H 'Content-Profile: public' -X POST -H 'Content-Type: application/json' \
  -d '{"name":"x"}' "http://127.0.0.1:$port3/authors")" = 406 ] || fail "Content-Profile: public"
kill "$pid3"
wait "$pid3"
pid3=""

# a second server on the same port: the message names the port
"$bin" serve "$dir/app.db" --port "$port" >/dev/null 2>"$dir/err2"
[ $? -eq 2 ] || fail "a second server on a port in use did not fail"
grep -q "port $port" "$dir/err2" || { cat "$dir/err2"; fail "the port in use is not named"; }
echo "ok"
