#!/bin/sh
# `reflite copy` against pgloader: one SQLite database of 1,000,000 invoices (and 1,000
# customers they refer to) copied to a throw-away PostgreSQL server (tests/pg_server.sh: a
# Unix socket in a temporary directory, stopped however the run ends) by both, each into a
# database of its own, in the same run.  Prints each side's seconds and
#   copy vs pgloader: R     (reflite's seconds / pgloader's; below 1.0: reflite is faster)
# then what each side stored for a total of 0.99 and 5.94 (pgloader maps REAL to 4-byte real).
# Usage: scripts/bench_copy.sh BUILD_DIR [rows]
set -eu
build=$1
rows=${2:-1000000}
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/deps.sh" postgresql pgloader sqlite3
state=$(mktemp /tmp/reflite-bench-copy.XXXXXX)
work=$(mktemp -d /tmp/reflite-bench-copy-db.XXXXXX)
trap '"$here/tests/pg_server.sh" stop "$state" >/dev/null 2>&1 || true; rm -rf "$state" "$work"' EXIT INT TERM
"$here/tests/pg_server.sh" start "$state" > /dev/null
dir=$(sed -n 1p "$state")
server=$(sed -n 2p "$state")
db="$work/invoices.db"
sqlite3 "$db" <<SQL
CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, joined DATETIME);
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    total NUMERIC(10,2) NOT NULL,
    rate REAL,
    note TEXT,
    issued DATETIME,
    paid BOOLEAN);
CREATE INDEX invoices_customer ON invoices (customer_id);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO customers SELECT i, 'customer ' || i, datetime(1600000000 + i * 3600, 'unixepoch') FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows)
INSERT INTO invoices SELECT i, 1 + i % 1000, (i % 2000) * 0.99 / 100.0 + 0.99,
    i * 0.1 / 7, 'invoice ' || i || ' for order ' || (i * 7919 % 100003),
    datetime(1600000000 + i * 60, 'unixepoch'), i % 3 = 0 FROM n;
SQL
psql -qAt "$server" -c "CREATE DATABASE by_reflite" -c "CREATE DATABASE by_pgloader"
url_r=$(printf '%s' "$server" | sed "s|/postgres?|/by_reflite?|")
url_p="postgresql://postgres@unix:$dir:5432/by_pgloader"
now() { date +%s.%N; }
t0=$(now)
"$build/reflite" copy "$db" "$url_r" > "$work/reflite.out"
t1=$(now)
pgloader --quiet "$db" "$url_p" > "$work/pgloader.out" 2>&1 || { cat "$work/pgloader.out"; exit 1; }
t2=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$rows" 'BEGIN {
  printf "reflite copy, %d rows: %.2f s\n", n, b - a
  printf "pgloader,     %d rows: %.2f s\n", n, c - b
  printf "copy vs pgloader: %.2f\n", (b - a) / (c - b) }'
url_p2=$(printf '%s' "$server" | sed "s|/postgres?|/by_pgloader?|")
for side in reflite pgloader; do
  u=$url_r
  [ "$side" = pgloader ] && u=$url_p2
  printf '%-9s rows %s, total = 5.94: %s rows, rate type %s\n' "$side" \
    "$(psql -qAt "$u" -c "SELECT count(*) FROM invoices")" \
    "$(psql -qAt "$u" -c "SELECT count(*) FROM invoices WHERE total = 5.94")" \
    "$(psql -qAt "$u" -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'invoices'::regclass AND attname = 'rate'")"
done
