/*
 * The PostgreSQL backend's column readers: a statement's current row, read column by column
 * (text as the server sends it, bytea decoded on demand and kept until the next step) or into
 * a model's struct at once (read_row, core/fieldread.h's template over the readers here).
 */
#include "pg_int.h"

#include "core/fieldread.h"

#include <stdlib.h>

int rli_pg_column_count(rlb_stmt *s)
{
    pg_stmt *st = st_of(s);
    return st->desc ? PQnfields(st->desc) : 0;
}

const char *rli_pg_column_name(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    return st->desc && col < PQnfields(st->desc) ? PQfname(st->desc, col) : NULL;
}

bool rli_pg_column_null(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    return !st->res || col >= PQnfields(st->res) || PQgetisnull(st->res, st->row, col);
}

int64_t rli_pg_column_int64(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    if (rli_pg_column_null(s, col)) return 0;
    const char *v = PQgetvalue(st->res, st->row, col);
    if (v[0] == 't' && !v[1]) return 1; /* boolean */
    if (v[0] == 'f' && !v[1]) return 0;
    return strtoll(v, NULL, 10);
}

double rli_pg_column_double(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    return rli_pg_column_null(s, col) ? 0.0 : strtod(PQgetvalue(st->res, st->row, col), NULL);
}

const char *rli_pg_column_text(rlb_stmt *s, int col, size_t *len)
{
    pg_stmt *st = st_of(s);
    if (rli_pg_column_null(s, col)) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = (size_t)PQgetlength(st->res, st->row, col);
    return PQgetvalue(st->res, st->row, col);
}

const void *rli_pg_column_blob(rlb_stmt *s, int col, size_t *len)
{
    pg_stmt *st = st_of(s);
    *len = 0;
    if (rli_pg_column_null(s, col)) return NULL;
    if (!st->blobs) {
        int n = PQnfields(st->res);
        if (!(st->blobs = calloc((size_t)n + 1, sizeof *st->blobs))) return NULL;
        st->nblobs = n;
    }
    if (col >= st->nblobs) return NULL;
    if (st->blobs[col]) PQfreemem(st->blobs[col]);
    size_t n = 0;
    st->blobs[col] = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, col), &n);
    *len = st->blobs[col] ? n : 0;
    return st->blobs[col];
}

/* ---- rows read without a callback per column: core/fieldread.h's template over these ---- */

/* The current row exists whenever read_row runs, and its columns are the statement's own:
 * the bounds checks of the callbacks above are not needed here. */
static bool row_null(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    return PQgetisnull(st->res, st->row, col);
}

static int64_t row_int64(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    const char *v = PQgetvalue(st->res, st->row, col); /* "" for NULL: 0 */
    if (v[0] == 't' && !v[1]) return 1;                /* boolean */
    if (v[0] == 'f' && !v[1]) return 0;
    return strtoll(v, NULL, 10);
}

static double row_double(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    return strtod(PQgetvalue(st->res, st->row, col), NULL);
}

static const char *row_text(rlb_stmt *s, int col, size_t *len)
{
    pg_stmt *st = st_of(s);
    int n = PQgetlength(st->res, st->row, col); /* only an empty value can be a NULL */
    if (n == 0 && PQgetisnull(st->res, st->row, col)) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = (size_t)n;
    return PQgetvalue(st->res, st->row, col);
}

static const rli_column_ops direct = {row_null, row_int64,          row_double,
                                      row_text, rli_pg_column_blob, NULL};

int rli_pg_read_row(rlb_stmt *s, const model_info *mi, void *row, int col, arena *a)
{
    if (!st_of(s)->res) return RL_OK; /* no row: nothing to read */
    return rli_read_row_ops(&direct, mi, row, s, col, a, false);
}

int rli_pg_step_and_read(rlb_stmt *s, int (*step)(rlb_stmt *), const model_info *mi, void *row,
                         arena *a)
{
    return rli_next_row_ops(&direct, step, mi, row, s, a);
}
