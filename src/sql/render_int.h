/*
 * What the SQL renderer's files share (render.c: reads and conditions, render_write.c:
 * writes): the state of one statement being written, and the helpers both use.
 */
#ifndef REFLITE_RENDER_INT_H
#define REFLITE_RENDER_INT_H

#include "render.h"

typedef struct render {
    const rl_dialect *d;
    const rls_stmt *s;
    strbuf *b;
    int n;        /* placeholders written so far */
    bool qualify; /* columns carry their table's alias (a join or a subquery) */
    /* the table the field codes below RLS_JOINED name, and its alias: the statement's, or a
     * subquery's while its conditions are written */
    const rls_table *t;
    char alias[4];
    /* a set of keys of several columns read as the first table of the join (SQLite, whose
     * row-value IN searches an index by its first column only): the token, and the number
     * of its placeholder (its place in binding order, written in FROM) */
    const char *key_join;
    int key_join_param;
    const char *probe; /* a token whose placeholders' count before it is wanted (probe_n) */
    int probe_n;
} render;

/* The column a field code names, written with its alias when the statement qualifies. */
void rli_r_column_ref(render *r, int code);
/* Column code read through the JSON path of len bytes at path (a 'C' or 'O' token's; order:
 * for ORDER BY) (render_json.c). */
void rli_r_json_path(render *r, int code, const char *path, size_t len, bool order);
/* Column code as SELECT and RETURNING read it (the dialect's reading of its kind). */
void rli_r_column_read(render *r, int code);
/* The placeholder of column code's value (the dialect's writing of its kind). */
void rli_r_value_param(render *r, int code);
/* INSERT INTO t (cols) VALUES (...) [RETURNING ...]. */
void rli_r_insert(render *r);
/* UPDATE t SET ... (without WHERE). */
void rli_r_update(render *r);
/* The upsert: INSERT ... ON CONFLICT (target) DO UPDATE SET ... RETURNING pk. */
void rli_r_upsert(render *r);

#endif
