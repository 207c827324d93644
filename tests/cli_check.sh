#!/bin/sh
# The `reflite check` command: exit codes and the findings it names.
# Usage: cli_check.sh REFLITE_BINARY
set -u
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/cli_lib.sh"

# A clean database.
sqlite3 "$dir/clean.db" "CREATE TABLE a (pk INTEGER PRIMARY KEY);
  CREATE TABLE b (pk INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (pk));
  CREATE INDEX b_a ON b (a_id); INSERT INTO a VALUES (1); INSERT INTO b VALUES (1, 1);"
"$bin" check "$dir/clean.db" > "$dir/out" 2>&1; expect "clean database" 0 $?
expect_line "clean database" "$dir/out" "ok"

# Rows that got in while foreign keys were off, an unindexed key, a key to a missing table,
# a key to a non-unique column.
sqlite3 "$dir/bad.db" "CREATE TABLE authors (pk INTEGER PRIMARY KEY, name TEXT);
  CREATE TABLE books (pk INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors (pk));
  CREATE TABLE ghosts (pk INTEGER PRIMARY KEY, x_id INTEGER REFERENCES nowhere (pk));
  CREATE INDEX ghosts_x ON ghosts (x_id);
  CREATE TABLE names (pk INTEGER PRIMARY KEY, name TEXT REFERENCES authors (name));
  CREATE INDEX names_n ON names (name);
  INSERT INTO authors VALUES (1, 'a');
  INSERT INTO books VALUES (10, 1), (11, 99999);"
"$bin" check "$dir/bad.db" > "$dir/out" 2>&1; expect "database with findings" 1 $?
expect_line "orphan row" "$dir/out" "foreign key: books rowid 11: author_id = 99999 has no matching row in authors(pk)."
expect_line "unindexed key" "$dir/out" "lint: books(author_id) references authors but has no index"
expect_line "missing table" "$dir/out" "lint: foreign key ghosts(x_id) -> nowhere: table nowhere does not exist, so every write to ghosts fails"
expect_line "non-unique target" "$dir/out" "lint: foreign key names(name) -> authors(name): authors(name) is neither the primary key nor unique, so every write to names fails"

"$bin" check "$dir/missing.db" > "$dir/out" 2>&1; expect "missing file" 2 $?
expect_line "missing file" "$dir/out" "no such database file"
[ ! -e "$dir/missing.db" ]; expect "missing file not created" 0 $?
"$bin" check > /dev/null 2>&1; expect "no argument" 2 $?
"$bin" check --help > "$dir/out" 2>&1; expect "help" 0 $?
expect_line "help" "$dir/out" "usage: reflite check DB"
"$bin" frobnicate > /dev/null 2>&1; expect "unknown command" 2 $?

# --json gives a key's value as the value, not as its SQL literal
sqlite3 "$dir/text.db" "CREATE TABLE p (code TEXT PRIMARY KEY); CREATE TABLE c (id INTEGER PRIMARY KEY,
  p TEXT REFERENCES p (code)); CREATE INDEX c_p ON c (p); INSERT INTO c VALUES (1, 'Z''Z');"
"$bin" check "$dir/text.db" --json > "$dir/out" 2>&1; expect "check --json, a text key" 1 $?
expect_line "the value is the text" "$dir/out" '"value":"Z'"'"'Z"'

# --citus COLUMN: keys a Citus cluster distributed by COLUMN could not enforce
sqlite3 "$dir/citus.db" "CREATE TABLE plans (id INTEGER PRIMARY KEY, tenant_id INTEGER);
  CREATE TABLE notes (id INTEGER PRIMARY KEY, plan_id INTEGER REFERENCES plans (id));
  CREATE INDEX notes_plan ON notes (plan_id);"
"$bin" check "$dir/citus.db" > "$dir/out" 2>&1; expect "clean without --citus" 0 $?
"$bin" check "$dir/citus.db" --citus tenant_id --json > "$dir/out" 2>&1; expect "--citus findings" 1 $?
expect_line "reference to distributed" "$dir/out" 'the key notes(plan_id) -> plans(id) goes from a reference table'
expect_line "primary key without the column" "$dir/out" 'the primary key of distributed table plans (id) does not hold tenant_id'
"$bin" check "$dir/citus.db" --citus > /dev/null 2>&1; expect "--citus needs a column" 2 $?

# --schema FILE: the migration to FILE linted, not applied; --rename keeps what a drop loses
sqlite3 "$dir/plan.db" "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
  INSERT INTO notes (body) VALUES ('a'), ('b');"
printf 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT, flag INTEGER NOT NULL);\n' > "$dir/plan.sql"
"$bin" check "$dir/plan.db" --schema "$dir/plan.sql" > "$dir/out" 2>&1; expect "--schema findings" 1 $?
expect_line "a drop with data" "$dir/out" 'lint (destructive-change): column notes.body would be dropped with its 2 non-NULL values.'
expect_line "NOT NULL without default" "$dir/out" 'lint (not-null-without-default): column notes.flag is added NOT NULL without a default'
expect_line "the rename that keeps it" "$dir/out" 'lint (possible-rename): if column notes.body was renamed to text'
"$bin" check "$dir/plan.db" --schema "$dir/plan.sql" --json > "$dir/out" 2>&1
expect_line "named in JSON" "$dir/out" '"check":"destructive-change"'
"$bin" check "$dir/plan.db" --schema "$dir/plan.sql" --rename notes.body=text > "$dir/out" 2>&1
expect "--rename: NOT NULL is still a finding" 1 $?
expect "--rename leaves no loss of body" 0 "$(grep -c 'notes.body' "$dir/out")"
expect "nothing was applied" 2 "$(sqlite3 "$dir/plan.db" "SELECT count(body) FROM notes")"
"$bin" check "$dir/plan.db" --rename notes.body=text > /dev/null 2>&1; expect "--rename needs --schema" 2 $?
"$bin" check "$dir/plan.db" --schema "$dir/missing.sql" > /dev/null 2>&1; expect "a missing schema file" 2 $?

finish
