#!/bin/sh
# The command in a pipeline: migrate creates a missing database (and nothing else does),
# check --json and diff --json print valid JSON of the documented shape (read back with
# SQLite's own JSON functions), help COMMAND and --version, one exit rule in every help text
# and the README, quiet progress unless asked for, and one report for a lock of any kind.
# Usage: cli_pipeline.sh REFLITE_BINARY VERSION README
set -u
bin=$1
version=$2
readme=$3
dir=$(mktemp -d)
holder_pid=""
trap '[ -n "$holder_pid" ] && kill $holder_pid 2>/dev/null; rm -rf "$dir"' EXIT
. "$(dirname "$0")/cli_lib.sh"

# json FILE PATH: the value at PATH of the JSON document in FILE ('invalid' if it is not JSON)
json() {
  sqlite3 :memory: "SELECT CASE WHEN json_valid(readfile('$1')) THEN
    coalesce(json_extract(readfile('$1'), '$2'), 'null') ELSE 'invalid' END"
}

cat > "$dir/schema.sql" <<'EOF'
CREATE TABLE authors (pk INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE books (pk INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES authors (pk) ON DELETE CASCADE, title TEXT);
CREATE INDEX books_author ON books (author_id);
EOF

# --- migrate creates a missing database; nothing else creates a file ----------------------
"$bin" migrate "$dir/new.db" "$dir/schema.sql" > "$dir/out" 2>&1; expect "migrate new.db" 0 $?
expect_line "migrate says it created the file" "$dir/out" "created and migrated"
"$bin" diff "$dir/new.db" "$dir/schema.sql" > "$dir/out" 2>&1; expect "new.db matches" 0 $?
for cmd in "schema" "check" "diff" "migrate --dry-run"; do
  set -- $cmd
  if [ "$1" = diff ] || [ "$1" = migrate ]; then
    "$bin" $cmd "$dir/none.db" "$dir/schema.sql" > "$dir/out" 2>&1; rc=$?
  else
    "$bin" $cmd "$dir/none.db" > "$dir/out" 2>&1; rc=$?
  fi
  [ "$1" = migrate ] && expect "dry run on a missing file" 0 $rc || expect "$cmd on a missing file" 2 $rc
  [ ! -e "$dir/none.db" ]; expect "$cmd creates no file" 0 $?
done
printf 'CREATE TABLE broken (;\n' > "$dir/broken.sql"
"$bin" migrate "$dir/none.db" "$dir/broken.sql" > "$dir/out" 2>&1; expect "bad schema into a new file" 2 $?
[ ! -e "$dir/none.db" ] && [ ! -e "$dir/none.db-journal" ]; expect "a failed first migration leaves no file" 0 $?
"$bin" migrate "$dir/no/such/dir.db" "$dir/schema.sql" > "$dir/out" 2>&1; expect "unwritable path" 2 $?

# --- check --json ---------------------------------------------------------------------------
sqlite3 "$dir/new.db" "INSERT INTO authors VALUES (1, 'a'); INSERT INTO books VALUES (1, 1, 't');"
"$bin" check --json "$dir/new.db" > "$dir/check.json"; expect "check --json clean" 0 $?
expect "clean: clean" 1 "$(json "$dir/check.json" '$.clean')"
expect "clean: count" 0 "$(json "$dir/check.json" '$.count')"
expect "clean: findings" 0 "$(sqlite3 :memory: "SELECT json_array_length(readfile('$dir/check.json'), '\$.findings')")"
# an orphan in a table whose name holds a quote, a newline and a byte that is not UTF-8
bad=$(printf 'bo""ok\ns\377')
sqlite3 "$dir/new.db" "PRAGMA foreign_keys = OFF; CREATE TABLE \"$bad\" (pk INTEGER PRIMARY KEY, a INTEGER REFERENCES authors (pk));
  CREATE INDEX x ON \"$bad\" (a); INSERT INTO \"$bad\" VALUES (7, 99999); INSERT INTO books VALUES (2, 42, 'orphan');"
"$bin" check --json "$dir/new.db" > "$dir/check.json"; expect "check --json with findings" 1 $?
expect "findings: valid JSON, count" 2 "$(json "$dir/check.json" '$.count')"
expect "findings: not clean" 0 "$(json "$dir/check.json" '$.clean')"
expect "finding kind" foreign_key "$(json "$dir/check.json" '$.findings[0].kind')"
expect "finding value" 42 "$(sqlite3 :memory: "SELECT json_extract(value, '\$.value') FROM json_each(json_extract(readfile('$dir/check.json'), '\$.findings')) WHERE json_extract(value, '\$.table') = 'books'")"
expect "finding rowid" 7 "$(sqlite3 :memory: "SELECT json_extract(value, '\$.rowid') FROM json_each(json_extract(readfile('$dir/check.json'), '\$.findings')) WHERE json_extract(value, '\$.table') <> 'books'")"
expect "crafted name escaped" "$(printf 'bo"ok\ns\357\277\275')" "$(sqlite3 :memory: "SELECT json_extract(value, '\$.table') FROM json_each(json_extract(readfile('$dir/check.json'), '\$.findings')) WHERE json_extract(value, '\$.rowid') = 7")"
expect "parent" authors "$(json "$dir/check.json" '$.findings[0].parent_table')"
"$bin" check --no-lint --json "$dir/new.db" > /dev/null; expect "check --no-lint --json" 1 $?

# --- diff --json ----------------------------------------------------------------------------
cp "$dir/schema.sql" "$dir/same.sql"
sqlite3 "$dir/d.db" < "$dir/schema.sql"
"$bin" diff --json "$dir/d.db" "$dir/same.sql" > "$dir/diff.json"; expect "diff --json same" 0 $?
expect "matches" 1 "$(json "$dir/diff.json" '$.matches')"
expect "no changes" '[]' "$(json "$dir/diff.json" '$.changes')"
sqlite3 "$dir/d.db" "ALTER TABLE books ADD COLUMN extra TEXT; INSERT INTO authors VALUES (1, 'a'); INSERT INTO books VALUES (1, 1, 't', 'kept?');"
"$bin" diff "$dir/d.db" "$dir/same.sql" --json > "$dir/diff.json"; expect "diff --json differs" 1 $?
expect "differs" 0 "$(json "$dir/diff.json" '$.matches')"
expect "schema file named" "$dir/same.sql" "$(json "$dir/diff.json" '$.schema')"
case "$(json "$dir/diff.json" '$.changes[0]')" in *"column extra dropped"*) r=yes ;; *) r=no ;; esac
expect "change listed" yes "$r"
case "$(json "$dir/diff.json" '$.data_loss[0]')" in *"books.extra"*"1 non-NULL value"*) r=yes ;; *) r=no ;; esac
expect "data loss listed" yes "$r"
case "$(json "$dir/diff.json" '$.sql')" in *"BEGIN IMMEDIATE;"*"COMMIT;"*) r=yes ;; *) r=no ;; esac
expect "sql included" yes "$r"
"$bin" diff --json "$dir/none.db" "$dir/same.sql" > "$dir/err.json" 2> /dev/null; expect "diff --json error" 2 $?
case "$(json "$dir/err.json" '$.error')" in *"no such database file"*) r=yes ;; *) r=no ;; esac
expect "error as JSON" yes "$r"
"$bin" schema --json "$dir/d.db" > /dev/null 2>&1; expect "schema has no --json" 2 $?

# --- help, version, one exit rule -----------------------------------------------------------
rule="Exit status: 0 done or clean; 1 differs, refused or findings; 2 error (usage, I/O, a lock held by another connection, a damaged file)."
flat() { tr '\n' ' ' | tr -s ' '; }
for cmd in schema diff migrate check; do
  "$bin" help $cmd > "$dir/out" 2>&1; expect "help $cmd" 0 $?
  expect "help $cmd usage line" "usage: reflite $cmd" "$(head -1 "$dir/out" | cut -c1-$((15 + ${#cmd})))"
  case "$(flat < "$dir/out")" in *"$rule"*) r=yes ;; *) r=no ;; esac
  expect "help $cmd states the exit rule" yes "$r"
  "$bin" $cmd --help > "$dir/out2" 2>&1; expect "$cmd --help" 0 $?
  cmp -s "$dir/out" "$dir/out2"; expect "$cmd --help is help $cmd" 0 $?
done
"$bin" --help > "$dir/out" 2>&1; expect "--help" 0 $?
case "$(flat < "$dir/out")" in *"$rule"*) r=yes ;; *) r=no ;; esac
expect "--help states the exit rule" yes "$r"
case "$(flat < "$readme")" in *"$rule"*) r=yes ;; *) r=no ;; esac
expect "README states the exit rule" yes "$r"
"$bin" help frobnicate > /dev/null 2>&1; expect "help for no command" 2 $?
expect "--version" "reflite $version" "$("$bin" --version | cut -d' ' -f1,2)"
expect "version" "reflite $version" "$("$bin" version | cut -d' ' -f1,2)"
"$bin" check "$dir/d.db" --timeout > /dev/null 2>&1; expect "--timeout without a value" 2 $?
"$bin" check "$dir/d.db" --timeout -5 > /dev/null 2>&1; expect "negative --timeout" 2 $?

# --- progress: only on a terminal or with --progress ---------------------------------------
sqlite3 "$dir/big.db" "CREATE TABLE t (pk INTEGER PRIMARY KEY, v INTEGER);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120000)
  INSERT INTO t SELECT i, i FROM n;"
cp "$dir/big.db" "$dir/big2.db"
printf 'CREATE TABLE t (pk INTEGER PRIMARY KEY, v INTEGER NOT NULL DEFAULT 0);\n' > "$dir/big.sql"
"$bin" migrate "$dir/big.db" "$dir/big.sql" > /dev/null 2> "$dir/err"; expect "big migrate" 0 $?
expect "no progress when stderr is not a terminal" "" "$(cat "$dir/err")"
"$bin" migrate --progress "$dir/big2.db" "$dir/big.sql" > /dev/null 2> "$dir/err"; expect "big migrate --progress" 0 $?
expect_line "progress with --progress" "$dir/err" "copying t: 120000 / 120000 rows"

# --- a lock held by another connection: one report, whatever its kind ----------------------
# hold LOCK_SQL on DB in a sqlite3 process until release is called; waits until it holds it
hold() {
  rm -f "$dir/fifo" "$dir/holder.out"
  mkfifo "$dir/fifo"
  { printf '%s\nSELECT '"'"'held'"'"';\n' "$2"; cat "$dir/fifo"; } | sqlite3 "$1" > "$dir/holder.out" 2>&1 &
  holder_pid=$!
  i=0
  until grep -q held "$dir/holder.out" 2> /dev/null; do
    i=$((i + 1))
    [ $i -gt 500 ] && { echo "FAIL: the lock was never taken"; cat "$dir/holder.out"; return 1; }
    sleep 0.01
  done
}
release() {
  echo ".quit" > "$dir/fifo"
  wait $holder_pid 2> /dev/null
  holder_pid=""
}
locked="the database is locked by another connection; try again when it is done, or wait longer with --timeout"
# run every command; those expected to be blocked must exit 2 with the one sentence
try_all() { # label, blocked commands
  for cmd in schema check diff migrate; do
    case "$cmd" in diff | migrate) args="$dir/lk.db $dir/lk.sql" ;; *) args="$dir/lk.db" ;; esac
    "$bin" $cmd $args --timeout 50 > /dev/null 2> "$dir/err"; rc=$?
    case " $2 " in
      *" $cmd "*)
        expect "$1: $cmd exits 2" 2 $rc
        expect "$1: $cmd says the database is locked" "reflite: $dir/lk.db: $locked" "$(cat "$dir/err")" ;;
      *) [ $rc -le 1 ]; expect "$1: $cmd is not blocked" 0 $? ;;
    esac
  done
}
printf 'CREATE TABLE a (x);\nCREATE TABLE b (y);\n' > "$dir/lk.sql"
sqlite3 "$dir/lk.db" "CREATE TABLE a (x); INSERT INTO a VALUES (1);"
hold "$dir/lk.db" "BEGIN IMMEDIATE;" && { try_all "reserved lock" "migrate"; release; }
hold "$dir/lk.db" "BEGIN EXCLUSIVE;" && { try_all "exclusive lock" "schema check diff migrate"; release; }
hold "$dir/lk.db" "BEGIN; SELECT * FROM a;" && { try_all "shared lock" "migrate"; release; }
sqlite3 "$dir/lk.db" "PRAGMA journal_mode = WAL;" > /dev/null
hold "$dir/lk.db" "BEGIN IMMEDIATE;" && { try_all "WAL writer" "migrate"; release; }
hold "$dir/lk.db" "PRAGMA locking_mode = EXCLUSIVE; SELECT * FROM a;" &&
  { try_all "WAL exclusive locking mode" "schema check diff migrate"; release; }
"$bin" diff "$dir/lk.db" "$dir/lk.sql" > /dev/null 2>&1; expect "unchanged after the locks" 1 $?

finish
