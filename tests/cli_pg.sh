#!/bin/sh
# The command-line tool on PostgreSQL: seed 002 through `schema`, `diff`, `migrate` and `check`
# on a URL, and `reflite copy` of the books example from SQLite to PostgreSQL and back, every
# row compared.  Each run has a database of its own on the suite's server, dropped at the end.
# Usage: cli_pg.sh REFLITE_BINARY EXAMPLE_BOOKS_BINARY PG_STATE_FILE
set -u
bin=$1 books=$2
server=$(sed -n 2p "$3")
[ -n "$server" ] || { echo "FAIL: no PostgreSQL server in $3 (see the pg_start test)"; exit 1; }
dir=$(mktemp -d)
db="rl_cli_$$"
url=$(printf '%s' "$server" | sed "s|/postgres?|/$db?|")
psql -q "$server" -c "CREATE DATABASE $db" || { echo "FAIL: CREATE DATABASE $db"; exit 1; }
trap 'psql -q "$server" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; rm -rf "$dir"' EXIT
. "$(dirname "$0")/cli_lib.sh"
pq() { psql -qAt "$url" -c "$1"; }

# ---- seed 002 on a URL
pq "CREATE TABLE users (id integer PRIMARY KEY, email text UNIQUE);
  CREATE TABLE notes (id integer PRIMARY KEY, body text, author_id integer REFERENCES users (id));
  CREATE INDEX ix_notes_author ON notes (author_id);
  INSERT INTO users VALUES (1, 'a@example.org'), (2, 'b@example.org');
  INSERT INTO notes VALUES (1, 'one', 1), (2, 'two', 1), (3, 'three', 2);"
cat > "$dir/schema.sql" <<'SQL'
CREATE TABLE users (id integer PRIMARY KEY, email text UNIQUE);
CREATE TABLE notes (id integer PRIMARY KEY, body text, author_id integer,
                    FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE CASCADE);
CREATE INDEX ix_notes_author ON notes (author_id);
SQL
"$bin" schema "$url" > "$dir/out"; expect "schema exit" 0 $?
expect_line "schema lists notes" "$dir/out" 'CREATE TABLE "notes"'
"$bin" diff "$url" "$dir/schema.sql" > "$dir/out"; expect "diff differs" 1 $?
expect_line "diff names the action" "$dir/out" "ON DELETE NO ACTION -> CASCADE"
expect_line "diff validates the new key" "$dir/out" 'VALIDATE CONSTRAINT "notes_author_id_fkey"'
"$bin" migrate "$url" "$dir/schema.sql" > "$dir/out" 2>&1; expect "migrate exit" 0 $?
"$bin" diff "$url" "$dir/schema.sql" > "$dir/out"; expect "diff after migrate" 0 $?
pq "DELETE FROM users WHERE id = 1"
expect "cascade now" 1 "$(pq "SELECT count(*) FROM notes")"
expect "history row" 1 "$(pq "SELECT count(*) FROM reflite_migrations")"
"$bin" check "$url" > "$dir/out"; expect "check clean" 0 $?
pq "DROP TABLE notes, users, reflite_migrations"

# ---- the examples run on PostgreSQL too (each exits non-zero when a behaviour it shows is missing)
"$books" "$url" > "$dir/out" 2>&1; expect "books example on PostgreSQL" 0 $?
expect_line "books example names the referencing rows" "$dir/out" "is still referenced by 1 row of loans(book_id) (ON DELETE RESTRICT)"
pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public" 2>/dev/null
"$(dirname "$books")/example_persephone" "$url" > "$dir/out" 2>&1; expect "persephone example on PostgreSQL" 0 $?
expect_line "persephone names the key" "$dir/out" "audio_id = 99999 has no matching row in audio(pk)"
pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public" 2>/dev/null

# ---- copy: SQLite -> PostgreSQL -> SQLite, every row the same
"$books" "$dir/lib.db" > /dev/null; expect "books example" 0 $?
"$bin" copy "$dir/lib.db" "$url" > "$dir/out" 2>&1; expect "copy to PostgreSQL" 0 $?
"$bin" copy "$url" "$dir/back.db" > "$dir/out" 2>&1; expect "copy back" 0 $?
tables=$(sqlite3 "$dir/lib.db" "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY 1")
expect "tables copied" "$tables" "$(pq "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")"
for t in $tables; do
  expect "rows of $t in PostgreSQL" "$(sqlite3 "$dir/lib.db" "SELECT count(*) FROM $t")" "$(pq "SELECT count(*) FROM $t")"
  expect "rows of $t back" "$(sqlite3 "$dir/lib.db" "SELECT * FROM $t ORDER BY 1")" "$(sqlite3 "$dir/back.db" "SELECT * FROM $t ORDER BY 1")"
done
# generated keys continue past the copied ones; keys and actions hold on the copy
max=$(pq "SELECT max(pk) FROM authors")
expect "identity moved past the copied keys" t "$(pq "INSERT INTO authors (name, email) VALUES ('New', 'new@example.org') RETURNING pk > $max")"
pq "INSERT INTO books (title, author_id) VALUES ('x', 999999)" 2> "$dir/err"
expect_line "keys hold on the copy" "$dir/err" "violates foreign key constraint"
"$bin" check "$dir/back.db" > "$dir/out"; expect "copy back is clean" 0 $?
expect "unique constraints carried" 1 "$(sqlite3 "$dir/back.db" "SELECT count(*) FROM pragma_index_list('authors') WHERE origin = 'u'")"
# a destination that has the tables already: refused, nothing touched
"$bin" copy "$dir/lib.db" "$url" > "$dir/out" 2>&1; expect "copy onto existing tables" 1 $?
expect_line "refusal names the table" "$dir/out" "already has a table"
# a source row without a parent: refused naming it, the destination left empty
pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public" 2>/dev/null
sqlite3 "$dir/lib.db" "PRAGMA foreign_keys = OFF; INSERT INTO books (pk, title, author_id) VALUES (900, 'orphan', 4242)"
"$bin" copy "$dir/lib.db" "$url" > "$dir/out" 2>&1; expect "orphan refuses the copy" 1 $?
expect_line "the orphan is named" "$dir/out" "4242"
expect "nothing left behind" 0 "$(pq "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
# a hostile source: defaults that look like literals but are expressions are not pasted into
# the destination's DDL (they would run there on every insert), only listed
pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public" 2>/dev/null
sqlite3 "$dir/evil.db" "CREATE TABLE t (id INTEGER PRIMARY KEY,
  a TEXT DEFAULT ('x' || upper('y') || 'z'), b TEXT DEFAULT 'it''s', c TEXT DEFAULT ('p'||'q'));
  INSERT INTO t (id) VALUES (1);"
"$bin" copy "$dir/evil.db" "$url" > "$dir/out" 2>&1; expect "hostile defaults copy" 0 $?
expect_line "expression default listed" "$dir/out" "not copied: default of t.c"
expect "only the literal default carried" "'it''s'::text" "$(pq "SELECT string_agg(pg_get_expr(d.adbin, d.adrelid), ',') FROM pg_attrdef d WHERE d.adrelid = 't'::regclass")"
expect "rows carried" "xYz|it's|pq" "$(pq "SELECT a || '|' || b || '|' || c FROM t")"
finish
