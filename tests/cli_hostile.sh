#!/bin/sh
# Hostile and damaged database files through every command: no crash, no hang, no file
# written by a read-only command, the documented exit code, no forged output line.
# Usage: cli_hostile.sh REFLITE_BINARY
set -u
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/cli_lib.sh"

# run NAME EXPECTED-CODES COMMAND...: within 60 s, exit code among EXPECTED-CODES, no signal.
run() {
  name=$1; want=$2; shift 2
  timeout 60 "$@" > "$dir/out" 2> "$dir/err"; rc=$?
  case " $want " in
    *" $rc "*) passes=$((passes + 1)) ;;
    *) echo "FAIL: $name: exit $rc, expected one of $want"; cat "$dir/err"; failures=$((failures + 1)) ;;
  esac
}
# unchanged NAME FILE SUM: the file's checksum is SUM and nothing new appeared in the directory.
listing() { ls -A "$dir/files" | sort | tr '\n' ' '; }
unchanged() {
  expect "$1: file unchanged" "$3" "$(md5sum < "$2")"
  expect "$1: no file written" "$4" "$(listing)"
}

mkdir "$dir/files"
cat > "$dir/schema.sql" <<'SQL'
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE);
SQL

# 1. stored SQL carrying extra statements: an ATTACH that would write a file, an endless query
f=$dir/files/extra.db
sqlite3 "$f" "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
  CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER);
  PRAGMA writable_schema = ON;
  UPDATE sqlite_schema SET sql = 'CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER); ATTACH ''$dir/files/pwned.db'' AS q; CREATE TABLE q.x (a)' WHERE name = 'notes';
  UPDATE sqlite_schema SET sql = 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c' WHERE name = 'users';"
sum=$(md5sum < "$f"); files=$(listing)
run "extra: schema" "2" "$bin" schema "$f"; unchanged "extra: schema" "$f" "$sum" "$files"
expect_line "extra: schema says why" "$dir/err" "holds more than one statement"
run "extra: diff" "2" "$bin" diff "$f" "$dir/schema.sql"; unchanged "extra: diff" "$f" "$sum" "$files"
run "extra: migrate" "2" "$bin" migrate "$f" "$dir/schema.sql"; unchanged "extra: migrate" "$f" "$sum" "$files"
run "extra: check" "1" "$bin" check "$f"; unchanged "extra: check" "$f" "$sum" "$files"
expect_line "extra: check finds it" "$dir/out" "integrity: the stored definition of"
expect "extra: nothing attached" "no" "$(test -e "$dir/files/pwned.db" && echo yes || echo no)"

# 2. quotes, newlines and very long names
f=$dir/files/names.db
long=$(printf 'n%.0s' $(seq 1 300))
sqlite3 "$f" "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
  CREATE TABLE \"it's\" (id INTEGER PRIMARY KEY AUTOINCREMENT, \"a\"\"b\" TEXT);
  CREATE TABLE \"evil
lint: forged line\" (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));
  CREATE TABLE $long (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));
  INSERT INTO \"evil
lint: forged line\" VALUES (1, 99);
  INSERT INTO \"it's\" (\"a\"\"b\") VALUES ('x');"
sum=$(md5sum < "$f"); files=$(listing)
run "names: schema" "0" "$bin" schema "$f"; unchanged "names: schema" "$f" "$sum" "$files"
run "names: check" "1" "$bin" check "$f"; unchanged "names: check" "$f" "$sum" "$files"
expect "names: no forged line" "0" "$(grep -c '^lint: forged line' "$dir/out")"
expect_line "names: escaped" "$dir/out" 'evil\nlint: forged line'
run "names: diff" "1" "$bin" diff "$f" "$dir/schema.sql"; unchanged "names: diff" "$f" "$sum" "$files"
expect "names: no forged diff line" "0" "$(grep -c '^lint: forged line' "$dir/out")"
"$bin" schema "$f" > "$dir/names.sql"
run "names: schema diffs clean" "0" "$bin" diff "$f" "$dir/names.sql"
cp "$dir/names.sql" "$dir/names2.sql"
sed -i "s/\"a\"\"b\" TEXT)/\"a\"\"b\" TEXT NOT NULL DEFAULT '')/" "$dir/names2.sql"
run "names: migrate" "0" "$bin" migrate "$f" "$dir/names2.sql"
expect "names: rows kept" "1" "$(sqlite3 "$f" "SELECT count(*) FROM \"it's\"")"
expect "names: counter kept" "1" "$(sqlite3 "$f" "SELECT seq FROM sqlite_sequence WHERE name = 'it''s'")"
expect "names: column changed" "1" "$(sqlite3 "$f" "SELECT \"notnull\" FROM pragma_table_info('it''s') WHERE name = 'a\"b'")"

# 3. damaged pages
f=$dir/files/damaged.db
sqlite3 "$f" "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);
  CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));
  CREATE INDEX notes_user ON notes (user_id);
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
  INSERT INTO notes SELECT i, NULL FROM n;"
root=$(sqlite3 "$f" "SELECT rootpage FROM sqlite_schema WHERE name = 'notes_user'")
printf 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ' | dd of="$f" bs=1 seek=$(( (root - 1) * 4096 + 2 )) conv=notrunc 2>/dev/null
sum=$(md5sum < "$f"); files=$(listing)
run "damaged: schema" "0 2" "$bin" schema "$f"; unchanged "damaged: schema" "$f" "$sum" "$files"
run "damaged: check" "1 2" "$bin" check "$f"; unchanged "damaged: check" "$f" "$sum" "$files"
run "damaged: diff" "1 2" "$bin" diff "$f" "$dir/schema.sql"; unchanged "damaged: diff" "$f" "$sum" "$files"
run "damaged: migrate" "2" "$bin" migrate "$f" "$dir/schema.sql"; unchanged "damaged: migrate" "$f" "$sum" "$files"
expect_line "damaged: migrate says so" "$dir/err" "damaged"

# 4. not a database at all, and garbage after a valid header
f=$dir/files/text.db
seq 1 2000 > "$f"
sum=$(md5sum < "$f"); files=$(listing)
for c in schema check; do
  run "text: $c" "2" "$bin" $c "$f"; unchanged "text: $c" "$f" "$sum" "$files"
done
run "text: diff" "2" "$bin" diff "$f" "$dir/schema.sql"; unchanged "text: diff" "$f" "$sum" "$files"
run "text: migrate" "2" "$bin" migrate "$f" "$dir/schema.sql"; unchanged "text: migrate" "$f" "$sum" "$files"
f=$dir/files/header.db
sqlite3 "$f" "CREATE TABLE t (a); INSERT INTO t VALUES (1);"
head -c 100 "$f" > "$dir/h" && head -c 8092 /dev/urandom >> "$dir/h" && mv "$dir/h" "$f"
sum=$(md5sum < "$f"); files=$(listing)
for c in schema check; do
  run "header: $c" "0 1 2" "$bin" $c "$f"; unchanged "header: $c" "$f" "$sum" "$files"
done
run "header: diff" "0 1 2" "$bin" diff "$f" "$dir/schema.sql"; unchanged "header: diff" "$f" "$sum" "$files"
run "header: migrate" "1 2" "$bin" migrate "$f" "$dir/schema.sql"; unchanged "header: migrate" "$f" "$sum" "$files"

# 5. a hostile schema file: refused, and nothing written anywhere
f=$dir/files/ok.db
sqlite3 "$f" "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
printf "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\nATTACH '%s' AS q;\nCREATE TABLE q.t (a);\n" "$dir/files/out.db" > "$dir/evil.sql"
sum=$(md5sum < "$f"); files=$(listing)
run "evil schema: diff" "2" "$bin" diff "$f" "$dir/evil.sql"; unchanged "evil schema: diff" "$f" "$sum" "$files"
run "evil schema: migrate" "2" "$bin" migrate "$f" "$dir/evil.sql"; unchanged "evil schema: migrate" "$f" "$sum" "$files"
expect_line "evil schema: says why" "$dir/err" "ATTACH refused"
: > "$dir/empty.sql"
run "empty schema: refused" "1" "$bin" migrate "$f" "$dir/empty.sql"
expect_line "empty schema: names the flag" "$dir/err" "--allow-empty-schema"
run "empty schema: allowed" "0" "$bin" migrate "$f" "$dir/empty.sql" --allow-empty-schema
expect "empty schema: dropped" "0" "$(sqlite3 "$f" "SELECT count(*) FROM sqlite_schema WHERE name = 'users'")"

finish
