/*
 * Reading for the generic API: rows written as JSON (straight from a cursor, or with their
 * embedded relations), GET of a table or of one row, with Range / Content-Range, an exact
 * count when asked for, and a Link to the next page when the rows are ordered by their key.
 */
#include "http_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* One row as a JSON object: the chosen columns (or the pk and every field), then the related
 * rows of each embedded relation (idx: the row's place in the rows they were loaded for). */
void rlh_write_row(rlh_buf *b, const rl_model *m, const void *row, const rlh_shape *sh, size_t idx)
{
    const rl_value *v = rl_row_values(m, (void *)row);
    rlh_add(b, "{", 1);
    bool all = !sh || sh->all_cols;
    size_t n = all ? m->nfields + (m->has_pk ? 1 : 0) : sh->ncols;
    for (size_t i = 0; i < n; i++) {
        const rl_field *f = !all        ? sh->cols[i]
                            : m->has_pk ? (i ? &m->fields[i - 1] : NULL)
                                        : &m->fields[i];
        if (i) rlh_add(b, ",", 1);
        rlh_json_key(b, f ? rlh_column_of(f) : rlh_pk_name(m));
        if (f) {
            rlh_json_value(b, &v[f - m->fields], f->kind);
        } else {
            rlh_add_int(b, rlh_row_pk(m, row));
        }
    }
    for (size_t i = 0; sh && i < sh->nembeds; i++) {
        const rlh_embed *e = &sh->embeds[i];
        const rl_groups *g = e->groups;
        size_t size = g->size[idx], skip = e->shape.offset > 0 ? (size_t)e->shape.offset : 0;
        skip = skip < size ? skip : size;
        size_t take = size - skip;
        if (e->shape.limit >= 0 && (size_t)e->shape.limit < take) take = (size_t)e->shape.limit;
        if (n || i) rlh_add(b, ",", 1);
        rlh_json_key(b, e->name);
        bool array = e->rel != RLH_TO_ONE && !e->single;
        if (!array && take > 1) take = 1;
        if (array) rlh_add(b, "[", 1);
        for (size_t k = g->start[idx] + skip, end = k + take; k < end; k++) {
            if (k > g->start[idx] + skip) rlh_add(b, ",", 1);
            rlh_write_row(b, e->m, (const char *)g->items + k * e->m->size, &e->shape, k);
        }
        if (array)
            rlh_add(b, "]", 1);
        else if (take == 0)
            rlh_adds(b, "null");
    }
    rlh_add(b, "}", 1);
}

/* The rows of q as JSON objects into b, comma-separated; their number in *n.  Without
 * embedded relations the rows go from a cursor straight into b; with them they are read
 * first, then each relation's rows for all of them at once.  On failure r may have been
 * answered already (a relation's own error). */
int rlh_write_rows(rl_request *r, rl_query *q, const rl_model *m, rlh_shape *sh, rlh_buf *b,
                   size_t *n)
{
    *n = 0;
    if (sh && sh->nembeds) {
        rl_rows *rows;
        int rc = rl_fetch_all(q, &rows);
        if (rc != RL_OK) return rc;
        if (rlh_embeds_load(r, m, sh, rows->items, rows->count) < 0) {
            rl_rows_free(rows);
            return RL_EINVAL;
        }
        for (size_t i = 0; i < rows->count; i++) {
            if (i) rlh_add(b, ",", 1);
            rlh_write_row(b, m, (char *)rows->items + i * m->size, sh, i);
        }
        if (m->has_pk && rows->count)
            sh->last_pk = rlh_row_pk(m, (char *)rows->items + (rows->count - 1) * m->size);
        *n = rows->count;
        rl_rows_free(rows);
        return b->oom ? RL_ENOMEM : RL_OK;
    }
    rl_cursor *c;
    int rc = rl_cursor_open(q, &c);
    if (rc != RL_OK) return rc;
    void *row = calloc(1, m->size);
    if (!row) {
        rl_cursor_free(c);
        return RL_ENOMEM;
    }
    while ((rc = rl_cursor_next(c, row, NULL)) == 1) {
        if (m->has_pk && sh) sh->last_pk = rlh_row_pk(m, row);
        if ((*n)++) rlh_add(b, ",", 1);
        rlh_write_row(b, m, row, sh, 0);
    }
    free(row); /* the cursor's values are its own */
    rl_cursor_free(c);
    return rc < 0 ? rc : b->oom ? RL_ENOMEM : RL_OK;
}

/* A query on m for the request: its filters, and the one pk when id is given. */
rl_query *rlh_query_for(rl_request *r, const rl_model *m, const char *id, rlh_shape *sh)
{
    rl_db *db = rl_request_db(r);
    rl_query *q = rl_select(db, m);
    if (!q) {
        rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
        return NULL;
    }
    if (rlh_apply_args(r, m, q, sh) < 0) {
        rlh_shape_free(sh);
        rl_query_free(q);
        return NULL;
    }
    if (id) {
        rl_value pk;
        if (!m->has_pk || !rlh_parse_value(id, -1, &pk)) {
            char msg[300];
            snprintf(msg, sizeof msg, "%.100s is not a key of %.150s.", id, m->table);
            rl_respond_error(r, 404, "RL_ENOTFOUND", msg, NULL,
                             m->has_pk ? "A row's key is an integer."
                                       : "This table has no integer key: filter by its columns.");
            rlh_shape_free(sh);
            rl_query_free(q);
            return NULL;
        }
        rl_where(q, rlh_pk_name(m), RL_EQ, pk);
        sh->filters++;
    }
    return q;
}
