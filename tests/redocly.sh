#!/bin/sh
# `reflite serve`'s OpenAPI documents linted by Redocly's CLI with its recommended rules: no
# error (warnings are printed), for a schema with names that need quoting and encoding (spaces,
# capitals) and keys of several columns, served with and without bearer tokens, on SQLite and,
# with a PG_STATE_FILE, on a database of its own on the suite's PostgreSQL server.
# @redocly/cli comes from the npm registry, pinned by tests/redocly/package-lock.json: Debian
# packages no OpenAPI linter.  It is installed once into WORK_DIR with `npm ci`; its telemetry
# is off and it reaches no network (the document is a local file).
# Usage: redocly.sh REFLITE_BINARY SOURCE_DIR WORK_DIR [PG_STATE_FILE]
set -u
bin=$1 src=$2 work=$3 state=${4:-}
. "$src/tests/npm_lib.sh"
npm_setup redocly
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

schema() { # $1: the key's type
  cat <<SQL
CREATE TABLE authors (id $1, name TEXT NOT NULL UNIQUE, born INTEGER);
CREATE TABLE "Order Details" ("order id" INTEGER NOT NULL, "line no" INTEGER NOT NULL,
  qty INTEGER DEFAULT 1, note TEXT, PRIMARY KEY ("order id", "line no"));
CREATE TABLE "Shipments" (id $1, "order id" INTEGER NOT NULL, "line no" INTEGER NOT NULL,
  sent TEXT, FOREIGN KEY ("order id", "line no") REFERENCES "Order Details" ("order id", "line no"));
CREATE TABLE books (id $1, title TEXT NOT NULL, author_id INTEGER REFERENCES authors (id)
  ON DELETE CASCADE, price REAL CHECK (price >= 0));
CREATE TABLE notes (title TEXT, body TEXT);
CREATE VIEW "Priced Books" AS SELECT title, price FROM books WHERE price > 0;
SQL
}

# lint URL: the document of the server at URL, linted; its problems printed when it has errors
lint() {
  curl -sf "$1/openapi.json" -H "Authorization: Bearer ${token:-}" > "$dir/doc.json" ||
    { echo "FAIL: no document at $1/openapi.json"; return 1; }
  if ! ./node_modules/.bin/redocly lint "$dir/doc.json" > "$dir/lint" 2>&1; then
    cat "$dir/lint"
    echo "FAIL: redocly lint found errors (${serve_args:-no options})"
    return 1
  fi
  grep -E "valid|warning" "$dir/lint" | sed 's/^/  /'
}

printf 'read %s\nwrite %s\n' reader-token writer-token > "$dir/tokens"
engine=sqlite
[ -n "$state" ] && engine=pg
if [ "$engine" = pg ]; then target pg rl_redocly; else target sqlite; fi
{
  serve_args="" token=""
  serve "$target" lint
  serve_args="--tokens $dir/tokens" token=writer-token
  serve "$target" lint
  serve_args="--read-only" token=""
  serve "$target" lint
  echo "$engine: clean"
}
echo "ok"
