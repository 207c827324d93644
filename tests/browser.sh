#!/bin/sh
# The web pages in a real browser: Debian's Chromium, headless, driven by puppeteer-core
# (tests/browser/browser.mjs) against `reflite serve`: follow a key both ways, filter, facet,
# page through, insert with the key picker, see a refusal next to its field, delete after the
# account of what cascades, on a narrow screen too; on SQLite and, with a PG_STATE_FILE, on a
# database of its own on the suite's PostgreSQL server.  puppeteer-core comes from the npm
# registry, pinned by tests/browser/package-lock.json (Debian packages no driver for Chromium's
# DevTools protocol that Node.js can use); the browser is Debian's, /usr/bin/chromium.
# With SCREENSHOTS=DIR, the main pages are saved there as PNG (make screenshots).
# Usage: browser.sh REFLITE_BINARY SOURCE_DIR WORK_DIR [PG_STATE_FILE]
set -u
bin=$1 src=$2 work=$3 state=${4:-}
command -v chromium >/dev/null || { echo "FAIL: chromium is needed (make deps-test installs it)"; exit 1; }
. "$src/tests/npm_lib.sh"
npm_setup browser browser.mjs

schema() { # $1: the key's type
  cat <<SQL
CREATE TABLE authors (id $1, name TEXT NOT NULL UNIQUE, born INTEGER);
CREATE TABLE books (id $1, title TEXT NOT NULL, author_id INTEGER REFERENCES authors (id)
  ON DELETE CASCADE, price REAL CHECK (price >= 0), in_print BOOLEAN);
CREATE TABLE reviews (id $1, book_id INTEGER NOT NULL REFERENCES books (id) ON DELETE CASCADE,
  stars INTEGER, body TEXT);
INSERT INTO authors (name, born) VALUES ('Le Guin', 1929), ('Tolkien', 1892), ('Butler', 1947),
  ('<script>alert(1)</script>', NULL);
INSERT INTO books (title, author_id, price, in_print) VALUES
  ('A Wizard of Earthsea', 1, 9.5, true), ('The Dispossessed', 1, 12.25, true),
  ('The Hobbit', 2, 8.75, true), ('The Silmarillion', 2, 20, false), ('Kindred', 3, 11.5, true);
INSERT INTO reviews (book_id, stars, body) VALUES (3, 5, 'Wonderful'), (4, 3, 'Long'),
  (5, 4, 'Gripping');
SQL
}

if [ -z "$state" ]; then
  target sqlite
  serve "$target" node browser.mjs sqlite
else
  target pg rl_browser
  serve "$target" node browser.mjs pg
fi
echo "ok"
