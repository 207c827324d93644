#!/bin/sh
# The `reflite schema`, `diff` and `migrate` commands: the seed-002 story end to end, exit codes.
# Usage: cli_migrate.sh REFLITE_BINARY
set -u
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/cli_lib.sh"
q() { sqlite3 "$dir/app.db" "PRAGMA foreign_keys = ON; $1"; }

sqlite3 "$dir/app.db" "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);
  CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, author_id INTEGER,
                      FOREIGN KEY (author_id) REFERENCES users (id));
  CREATE INDEX ix_notes_author ON notes (author_id);
  INSERT INTO users VALUES (1, 'a@example.org'), (2, 'b@example.org');
  INSERT INTO notes VALUES (1, 'one', 1), (2, 'two', 1), (3, 'three', 2);"
cat > "$dir/schema.sql" <<'SQL'
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, author_id INTEGER,
                    FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE CASCADE);
CREATE INDEX ix_notes_author ON notes (author_id);
SQL

"$bin" schema "$dir/app.db" > "$dir/out"; expect "schema exit" 0 $?
expect_line "schema lists notes" "$dir/out" "CREATE TABLE notes"
expect_line "schema lists index" "$dir/out" "CREATE INDEX ix_notes_author"

"$bin" diff "$dir/app.db" "$dir/schema.sql" > "$dir/out"; expect "diff differs" 1 $?
expect_line "diff names the action" "$dir/out" "ON DELETE NO ACTION -> CASCADE"
expect_line "diff prints SQL" "$dir/out" "PRAGMA foreign_keys = OFF;"

before=$(sqlite3 "$dir/app.db" "SELECT group_concat(sql, ';') FROM sqlite_schema")
"$bin" migrate "$dir/app.db" "$dir/schema.sql" --dry-run > "$dir/out"; expect "dry run exit" 0 $?
expect_line "dry run says so" "$dir/out" "dry run: nothing was changed"
expect "dry run changes nothing" "$before" "$(sqlite3 "$dir/app.db" "SELECT group_concat(sql, ';') FROM sqlite_schema")"

"$bin" migrate "$dir/app.db" "$dir/schema.sql" > "$dir/out" 2>&1; expect "migrate exit" 0 $?
"$bin" diff "$dir/app.db" "$dir/schema.sql" > "$dir/out"; expect "diff after migrate" 0 $?
"$bin" migrate "$dir/app.db" "$dir/schema.sql" > "$dir/out"; expect "migrate again" 0 $?
expect_line "nothing to do" "$dir/out" "nothing to do"
expect "rows intact" "3|2" "$(q 'SELECT (SELECT count(*) FROM notes) || "|" || (SELECT count(*) FROM users)')"
q "DELETE FROM users WHERE id = 1"
expect "cascade now works" "1" "$(q 'SELECT count(*) FROM notes')"
expect "other note intact" "3|three|2" "$(q 'SELECT * FROM notes')"

# A refused migration (data loss) exits 1 and changes nothing.
echo "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);" > "$dir/drop.sql"
"$bin" migrate "$dir/app.db" "$dir/drop.sql" > "$dir/out" 2>&1; expect "refused exit" 1 $?
expect_line "refusal names the loss" "$dir/out" "table notes would be dropped with its 1 row"
expect "notes still there" "1" "$(q 'SELECT count(*) FROM notes')"

# Renames: refused as data loss without --rename (the refusal names it); diff --rename shows
# the rename and changes nothing; migrate --rename keeps every value; names are quoted.
sqlite3 "$dir/rn.db" "CREATE TABLE \"it's\" (id INTEGER PRIMARY KEY, \"ti\"\"tle\" TEXT);
  INSERT INTO \"it's\" VALUES (1, 'kept');"
cat > "$dir/rn.sql" <<'SQL'
CREATE TABLE "it's" (id INTEGER PRIMARY KEY, heading TEXT);
SQL
"$bin" migrate "$dir/rn.db" "$dir/rn.sql" > "$dir/out" 2>&1; expect "rename refused" 1 $?
expect_line "refusal names the rename" "$dir/out" "keep its values with --rename it's.ti\"tle=heading"
"$bin" diff "$dir/rn.db" "$dir/rn.sql" --rename "it's.ti\"tle=heading" > "$dir/out"; expect "diff --rename" 1 $?
expect_line "diff shows the rename" "$dir/out" "column ti\"tle renamed to heading"
expect_line "diff shows its SQL" "$dir/out" "ALTER TABLE \"it's\" RENAME COLUMN \"ti\"\"tle\" TO \"heading\";"
expect "diff --rename changed nothing" 1 "$(sqlite3 "$dir/rn.db" "SELECT count(*) FROM pragma_table_info('it''s') WHERE name = 'ti\"tle'")"
"$bin" migrate "$dir/rn.db" "$dir/rn.sql" --rename "it's.ti\"tle=heading" > "$dir/out" 2>&1; expect "migrate --rename" 0 $?
expect "renamed value kept" kept "$(sqlite3 "$dir/rn.db" "SELECT heading FROM \"it's\"")"
"$bin" migrate "$dir/rn.db" "$dir/rn.sql" --rename "it's.id=heading" > "$dir/out" 2>&1; expect "rename to a taken name" 2 $?
expect_line "taken name refused" "$dir/out" "the table has a column of that name already"
"$bin" migrate "$dir/rn.db" "$dir/rn.sql" --rename "nodot" > /dev/null 2>&1; expect "bad --rename" 2 $?
"$bin" migrate "$dir/rn.db" "$dir/rn.sql" --rename '"open.c=d' > /dev/null 2>&1; expect "open quote in --rename" 2 $?
# names holding '.', '=' or '"' go in double quotes
sqlite3 "$dir/dots.db" "CREATE TABLE \"a.b\" (id INTEGER PRIMARY KEY, \"c=d\" TEXT);
  INSERT INTO \"a.b\" VALUES (1, 'kept');"
printf 'CREATE TABLE "x""y" (id INTEGER PRIMARY KEY, "e.f" TEXT);\n' > "$dir/dots.sql"
"$bin" migrate "$dir/dots.db" "$dir/dots.sql" --rename '"a.b"."c=d"="e.f"' --rename '"a.b"="x""y"' > "$dir/out" 2>&1
expect "quoted names in --rename" 0 $?
expect "quoted rename kept the value" kept "$(sqlite3 "$dir/dots.db" "SELECT \"e.f\" FROM \"x\"\"y\"")"

# Usage errors exit 2.
"$bin" migrate "$dir/app.db" > /dev/null 2>&1; expect "missing schema" 2 $?
"$bin" migrate "$dir/app.db" "$dir/schema.sql" --bogus > /dev/null 2>&1; expect "bad flag" 2 $?
"$bin" diff "$dir/app.db" "$dir/nope.sql" > /dev/null 2>&1; expect "missing schema file" 2 $?
echo "CREATE TABLE (" > "$dir/broken.sql"
"$bin" diff "$dir/app.db" "$dir/broken.sql" > "$dir/out" 2>&1; expect "broken schema" 2 $?
expect_line "broken schema message" "$dir/out" "broken.sql: line 1 of the target schema: near \"(\": syntax error"
for c in schema diff migrate check; do
  "$bin" $c --help > "$dir/out"; expect "$c --help" 0 $?
  expect_line "$c --help" "$dir/out" "usage: reflite $c"
done

finish
