#!/bin/sh
# PostgREST's official JavaScript client, @supabase/postgrest-js, drives `reflite serve` as
# its users do (tests/client/client.mjs: reads, embeds, single rows, writes, errors, CSV), on
# SQLite and, with a PG_STATE_FILE, on a database of its own on the suite's PostgreSQL server.
# The client comes from the npm registry, pinned by tests/client/package-lock.json: Debian
# packages no PostgREST client.  It is installed once into WORK_DIR with `npm ci`.
# Usage: client.sh REFLITE_BINARY SOURCE_DIR WORK_DIR [PG_STATE_FILE]
set -u
bin=$1 src=$2 work=$3 state=${4:-}
. "$src/tests/npm_lib.sh"
npm_setup client client.mjs

# The rows are inserted without keys, so that both engines number them 1, 2, ... in order.
schema() { # $1: the key's type
  cat <<SQL
CREATE TABLE authors (id $1, name TEXT NOT NULL UNIQUE, born INTEGER);
CREATE TABLE books (id $1, title TEXT NOT NULL, author_id INTEGER REFERENCES authors (id)
  ON DELETE CASCADE, price REAL DEFAULT 0, in_print BOOLEAN);
CREATE TABLE tags (id $1, label TEXT NOT NULL UNIQUE);
CREATE TABLE book_tags (book_id INTEGER NOT NULL REFERENCES books (id) ON DELETE CASCADE,
  tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE, PRIMARY KEY (book_id, tag_id));
CREATE TABLE reviews (id $1, book_id INTEGER NOT NULL REFERENCES books (id) ON DELETE CASCADE,
  reviewer_id INTEGER REFERENCES authors (id), editor_id INTEGER REFERENCES authors (id),
  stars INTEGER);
INSERT INTO authors (name, born) VALUES ('Le Guin', 1929), ('Tolkien', 1892), ('Butler', 1947),
  ('Anonymous', NULL);
INSERT INTO books (title, author_id, price, in_print) VALUES
  ('A Wizard of Earthsea', 1, 9.5, true), ('The Dispossessed', 1, 12.25, true),
  ('The Hobbit', 2, 8.75, true), ('The Silmarillion', 2, 20, false), ('Kindred', 3, 11.5, true),
  ('Untitled', NULL, 0, false);
INSERT INTO tags (label) VALUES ('fantasy'), ('scifi'), ('classic');
INSERT INTO book_tags VALUES (1, 1), (2, 2), (3, 1), (3, 3), (4, 1), (5, 2);
INSERT INTO reviews (book_id, reviewer_id, editor_id, stars) VALUES (3, 1, 3, 5), (5, 1, 2, 4);
SQL
}

if [ -z "$state" ]; then
  target sqlite
  serve "$target" node client.mjs sqlite
else
  target pg rl_client
  serve "$target" node client.mjs pg
fi
echo "ok"
