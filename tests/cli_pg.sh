#!/bin/sh
# The command-line tool on PostgreSQL: seed 002 through `schema`, `diff`, `migrate` and `check`
# on a URL, and `reflite copy` of the books example from SQLite to PostgreSQL and back, every
# row compared.  Each run has a database of its own on the suite's server, dropped at the end.
# Also: `reflite copy --verify` keeps every value exactly (numbers, text, blobs, hostile names)
# and maps types faithfully, SQLite -> PostgreSQL -> SQLite.
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
# ---- copy keeps every value exactly (Chinook's invoice totals: NUMERIC(10,2) stored as REAL),
# maps types faithfully, reuses the source's index names, and verifies; then back to SQLite
pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public" 2>/dev/null
sqlite3 "$dir/chinook.db" "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL,
    joined DATETIME, born DATE, vip BOOLEAN, seen DATETIME, code VARCHAR(3));
  CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id),
    total NUMERIC(10,2), ratio REAL, big INTEGER, note TEXT, data BLOB);
  CREATE INDEX ix_invoices_customer ON invoices (customer_id);
  INSERT INTO customers VALUES (1, 'Ann', '2024-01-02 03:04:05', '1990-02-28', 1, 'yesterday', 'abc'),
    (2, 'Bob', '2024-02-29 23:59:59.5', NULL, 0, '2024-01-02T03:04:05', 'abcd');
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
  INSERT INTO invoices SELECT i, 1 + i % 2, CASE i % 3 WHEN 0 THEN 0.99 WHEN 1 THEN 5.94 ELSE 1.98 END,
    i * 0.1, i, 'n' || i, NULL FROM n;
  INSERT INTO invoices VALUES (401, 1, 13.86, 0.1 + 0.2, 9007199254740993, 'a' || char(9) || 'b' || char(10) || 'c\d', x'00ff'),
    (402, 2, 0.99, 1e308, -9223372036854775808, '\.', x''), (403, 2, 5.94, -1.5e-300, 9223372036854775807, '\N', NULL);"
"$bin" copy "$dir/chinook.db" "$url" --verify > "$dir/out" 2>&1; expect "copy --verify" 0 $?
expect_line "copy says it verified" "$dir/out" ", verified"
expect "total = 5.94 finds every row" "$(sqlite3 "$dir/chinook.db" "SELECT count(*) FROM invoices WHERE total = 5.94")" "$(pq "SELECT count(*) FROM invoices WHERE total = 5.94")"
expect "totals read back exact" "$(sqlite3 "$dir/chinook.db" "SELECT group_concat(printf('%.2f', total), ',') FROM invoices")" "$(pq "SELECT string_agg(total::text, ',' ORDER BY id) FROM invoices")"
expect "reals read back exact" "0.30000000000000004|1e+308|-1.5e-300" "$(pq "SELECT string_agg(ratio::text, '|' ORDER BY id) FROM invoices WHERE id > 400")"
expect "integers past 2^53 exact" "9007199254740993|-9223372036854775808|9223372036854775807" "$(pq "SELECT string_agg(big::text, '|' ORDER BY id) FROM invoices WHERE id > 400")"
expect "text with tabs, newlines, backslashes" "2" "$(pq "SELECT count(*) FROM invoices WHERE note = E'a\tb\nc\\\\d' OR note = E'\\\\.' AND id = 402")"
expect "text \\N is not NULL" "1" "$(pq "SELECT count(*) FROM invoices WHERE note = E'\\\\N'")"
expect "blobs exact, empty is not NULL" '\x00ff|\x' "$(pq "SELECT string_agg(data::text, '|' ORDER BY id) FROM invoices WHERE data IS NOT NULL")"
expect "customer types" "id bigint, name character varying(40), joined timestamp without time zone, born date, vip boolean, seen text, code text" \
  "$(pq "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'customers'::regclass AND attnum > 0")"
expect "invoice types" "id bigint, customer_id bigint, total numeric(10,2), ratio double precision, big bigint, note text, data bytea" \
  "$(pq "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'invoices'::regclass AND attnum > 0")"
expect_line "a DATETIME holding other text is noted" "$dir/out" "note: customers.seen (DATETIME) copied as text"
expect_line "a VARCHAR(3) holding longer text is noted" "$dir/out" "note: customers.code (VARCHAR(3)) copied as text"
grep -q "not copied: index ix_invoices_customer" "$dir/out" && { echo "FAIL: an index made again is listed as not copied"; failures=$((failures + 1)); }
expect "the key's index keeps the source's name" 1 "$(pq "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_invoices_customer'")"
"$bin" copy "$url" "$dir/chinook-back.db" --verify > "$dir/out" 2>&1; expect "copy back --verify" 0 $?
for t in customers invoices; do
  expect "round trip of $t" "$(sqlite3 "$dir/chinook.db" "SELECT * FROM $t ORDER BY 1" | od -c)" "$(sqlite3 "$dir/chinook-back.db" "SELECT * FROM $t ORDER BY 1" | od -c)"
done
expect "round trip keeps the types of values" "$(sqlite3 "$dir/chinook.db" "SELECT group_concat(typeof(total) || typeof(ratio) || typeof(big) || typeof(data)) FROM invoices")" \
  "$(sqlite3 "$dir/chinook-back.db" "SELECT group_concat(typeof(total) || typeof(ratio) || typeof(big) || typeof(data)) FROM invoices")"
# SQLite cannot keep a negative zero: --verify refuses rather than lose it
pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE TABLE z (id bigint PRIMARY KEY, r double precision); INSERT INTO z VALUES (1, '-0')" 2>/dev/null
"$bin" copy "$url" "$dir/z.db" --verify > "$dir/out" 2>&1; expect "negative zero refused by --verify" 1 $?
expect_line "the difference is named" "$dir/out" "table z, row id = 1, column r: the source has -0, the destination 0"
# hostile names and text through COPY: quotes, tabs and newlines in names, odd UTF-8, odd types
pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public" 2>/dev/null
tab=$(printf '\t')
nl='
'
sqlite3 "$dir/hostile.db" "CREATE TABLE \"we\"\"ird${tab}t${nl}n\" (id INTEGER PRIMARY KEY, \"c${tab}o\"\"l\" TEXT, n NUMERIC(999999999999,5), v VARCHAR(0));
  INSERT INTO \"we\"\"ird${tab}t${nl}n\" VALUES (1, 'x' || char(9) || char(10) || char(13) || '\\\\', 1.5, 'é漢字🙂' || char(8232) || char(127)),
    (2, '\\.', 2, '\\N'), (3, '', NULL, char(92));"
"$bin" copy "$dir/hostile.db" "$url" --verify > "$dir/out" 2>&1; expect "hostile names and text copy" 0 $?
"$bin" copy "$url" "$dir/hostile-back.db" --verify > "$dir/out" 2>&1; expect "and come back" 0 $?
expect "hostile rows round trip" "$(sqlite3 "$dir/hostile.db" "SELECT quote(id), quote(\"c${tab}o\"\"l\"), quote(n), quote(v) FROM \"we\"\"ird${tab}t${nl}n\"" | od -c)" \
  "$(sqlite3 "$dir/hostile-back.db" "SELECT quote(id), quote(\"c${tab}o\"\"l\"), quote(n), quote(v) FROM \"we\"\"ird${tab}t${nl}n\"" | od -c)"
# serving as a superuser is warned about (such a role can switch foreign keys off); an
# ordinary role is served without a word
serve_says() { # url: what `reflite serve` says on stderr before it serves
  # the last call's files go first: the loop below may look before the new server has opened them
  rm -f "$dir/serve.out" "$dir/serve.err"
  "$bin" serve "$1" --port 0 --quiet > "$dir/serve.out" 2> "$dir/serve.err" &
  spid=$!
  for i in $(seq 1 100); do grep -q "^serving" "$dir/serve.out" && break; sleep 0.05; done
  kill "$spid"; wait "$spid" 2> /dev/null
  grep -v "stopping after the requests in flight" "$dir/serve.err"
}
serve_says "$url" > "$dir/says"
expect_line "a superuser is warned about" "$dir/says" "warning: connected as postgres, a superuser"
role="rl_app_$$"
role_url=$(printf '%s' "$url" | sed "s|postgresql://postgres@|postgresql://$role@|")
psql -q "$server" -c "CREATE ROLE $role LOGIN" || failures=$((failures + 1))
# the schema re-created above grants nothing: the refusal says so (not "No error.")
serve_says "$role_url" > "$dir/says"
expect_line "a role that sees no schema is told so" "$dir/says" "has no current schema"
pq "GRANT USAGE ON SCHEMA public TO $role; GRANT SELECT ON ALL TABLES IN SCHEMA public TO $role"
expect "an ordinary role is served without a warning" "" "$(serve_says "$role_url")"
pq "DROP OWNED BY $role"
psql -q "$server" -c "DROP ROLE $role" > /dev/null 2>&1
finish
