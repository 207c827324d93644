#!/bin/sh
# The rooms of src/ keep to their walls: only src/backend/sqlite/ names SQLite (its header,
# its functions, its types), only src/backend/postgres/ names libpq, base/ includes nothing of the library but the public header,
# no file outside a backend folder includes one, src/http/ uses the public API only and answers
# requests only from its render stage and method handlers, and the engine half of the backend
# interface never takes the core's connection.  Usage: layout.sh SRC_DIR
src=$1
failures=0
fail() {
    echo "FAIL: $1"
    printf '%s\n' "$2" | sed 's/^/    /'
    failures=$((failures + 1))
}
outside=$(grep -rnE 'sqlite3_|<sqlite3\.h>|\bsqlite3 \*' "$src" --include='*.c' --include='*.h' |
  grep -v "^$src/backend/sqlite/")
[ -z "$outside" ] || fail "SQLite named outside src/backend/sqlite/" "$outside"
base=$(grep -rn '#include "' "$src/base" | grep -v '"base/\|"reflite.h"')
[ -z "$base" ] || fail "src/base/ includes another room" "$base"
backend=$(grep -rn '#include "backend/sqlite/\|#include "sqlite_int.h"' "$src" |
  grep -v "^$src/backend/sqlite/")
[ -z "$backend" ] || fail "a backend's internals included outside its folder" "$backend"
libpq=$(grep -rnE '\bPQ[a-z]+\(|<libpq-fe\.h>|\bPGconn\b|#include "pg_int\.h"|#include "backend/postgres/' "$src" --include='*.c' --include='*.h' |
  grep -v "^$src/backend/postgres/")
[ -z "$libpq" ] || fail "libpq named outside src/backend/postgres/" "$libpq"
# the server is a client of the public API: no internal header, no engine, no statement text
http=$(grep -rnE '#include "(core|sql|backend|base|migrate)/|#include "internal\.h"|<sqlite3\.h>|<libpq-fe\.h>|"(SELECT|INSERT INTO|UPDATE|DELETE FROM) ' "$src/http")
[ -z "$http" ] || fail "src/http/ reaches past the public API" "$http"
render=$(grep -rnE '"(SELECT|INSERT INTO|UPDATE|DELETE FROM) ' "$src/core" "$src/migrate")
[ -z "$render" ] || fail "statement text written outside the renderer" "$render"
# the engine half of a backend works on its own connection: no callback of rl_backend takes the
# core's rl_db (the migrator's may)
engine=$(sed -n '/^typedef struct rl_backend {/,/^} rl_backend;/p' "$src/backend/backend.h" |
  grep -nE '\brl_db \*')
[ -z "$engine" ] || fail "an engine callback takes the core's rl_db (src/backend/backend.h)" "$engine"
# the server's answers are written by its render stage (request.c, render.c, the pages, the
# OpenAPI document, the door and the server's queue); the parse, plan and execute stages, the
# handlers of reads and writes (get.c, insert.c, write.c, rest.c), the errors' values (fault.c)
# and the relations hand it values (rlh_answer_error, rlh_answer_fault, rlh_render_read,
# rlh_render_write) and never answer a request themselves
writers=$(grep -lE '\brl_respond(_error|_db_error)?\(|\brlh_respond_buf\(|\brl_response_header\(|\bMHD_(create_response|queue_response|add_response_header)' "$src/http"/*.c |
  sed 's|.*/||' | grep -vxE 'request\.c|render\.c|html\.c|page_[a-z]+\.c|openapi\.c|door\.c|server\.c')
[ -z "$writers" ] || fail "src/http/ answers a request outside its render stage and handlers" "$writers"
big=$(find "$src" -name '*.c' -exec wc -l {} + | awk '$2 != "total" && $1 > 700 {print}')
[ -z "$big" ] || fail "a source file over 700 lines" "$big"
[ "$failures" -eq 0 ] && echo "layout: every room keeps to its walls"
exit "$failures"
