#!/bin/sh
# `reflite serve`'s OpenAPI document, checked by an independent OpenAPI 3.1 validator and used
# to drive requests (tests/openapi/check.mjs), on SQLite and, with a PG_STATE_FILE, on a
# database of its own on the suite's PostgreSQL server.
# The validator is @seriousme/openapi-schema-validator from the npm registry, pinned by
# tests/openapi/package-lock.json: Debian packages no OpenAPI 3.1 validator (only Swagger
# 2.0's).  It is installed once into WORK_DIR with `npm ci`.
# Usage: openapi.sh REFLITE_BINARY SOURCE_DIR WORK_DIR [PG_STATE_FILE]
set -u
bin=$1 src=$2 work=$3 state=${4:-}
. "$src/tests/npm_lib.sh"
npm_setup openapi check.mjs

schema() { # $1: the key's type
  cat <<SQL
CREATE TABLE authors (id $1, name TEXT NOT NULL UNIQUE, born INTEGER);
CREATE TABLE books (id $1, title TEXT NOT NULL, author_id INTEGER REFERENCES authors (id)
  ON DELETE CASCADE, price REAL DEFAULT 0 CHECK (price >= 0), in_print BOOLEAN);
CREATE TABLE tags (id $1, label TEXT NOT NULL UNIQUE);
CREATE TABLE book_tags (id $1, book_id INTEGER NOT NULL REFERENCES books (id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE, UNIQUE (book_id, tag_id));
CREATE TABLE notes (title TEXT, body TEXT, amount NUMERIC(10,2), meta JSON);
CREATE VIEW priced AS SELECT title, price FROM books WHERE price > 0;
INSERT INTO authors (name, born) VALUES ('Le Guin', 1929), ('Nobody', NULL);
INSERT INTO books (title, author_id, price, in_print) VALUES ('Earthsea', 1, 9.5, true),
  ('Untitled', NULL, 0, false);
INSERT INTO tags (label) VALUES ('fantasy');
INSERT INTO book_tags (book_id, tag_id) VALUES (1, 1);
INSERT INTO notes VALUES ('a note', NULL, 12.50, '{"a": [1, null]}');
SQL
}

target sqlite
serve "$target" node check.mjs
if [ -n "$state" ]; then
  target pg rl_openapi
  serve "$target" node check.mjs
fi
echo "ok"
