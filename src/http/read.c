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

/* A Range header ("0-24", "25-", "items=0-24") as the first row and the number of rows (-1:
 * to the end); false when it is not one. */
static bool range_of(const char *h, int64_t *first, int64_t *count)
{
    if (strncmp(h, "items=", 6) == 0) h += 6;
    char *end;
    errno = 0;
    long long a = strtoll(h, &end, 10);
    if (end == h || *end != '-' || a < 0 || errno) return false;
    h = end + 1;
    *first = a;
    *count = -1;
    if (!*h) return true;
    long long b = strtoll(h, &end, 10);
    if (end == h || *end || b < a || errno) return false;
    *count = b - a < LLONG_MAX ? b - a + 1 : LLONG_MAX; /* 0-LLONG_MAX: every row */
    return true;
}

/* The arguments of r as a query string after b (which ends in '?'), percent-encoded, without
 * offset. */
static void query_string(rl_request *r, rlh_buf *b)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < r->nargs; i++) {
        if (strcmp(r->args[i].key, "offset") == 0) continue;
        if (b->len && b->data[b->len - 1] != '?') rlh_add(b, "&", 1);
        for (int part = 0; part < 2; part++) {
            const unsigned char *c =
                (const unsigned char *)(part ? r->args[i].value : r->args[i].key);
            if (part) rlh_add(b, "=", 1);
            for (; *c; c++) {
                if (strchr(
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~,()*:!",
                        *c)) {
                    rlh_add(b, (const char *)c, 1);
                } else {
                    char e[3] = {'%', hex[*c >> 4], hex[*c & 15]};
                    rlh_add(b, e, 3);
                }
            }
        }
    }
}

/* Link: the next page after the last row, by its key, for a page that was full. */
static void link_next(rl_request *r, const rl_model *m, const rlh_shape *sh)
{
    rlh_buf b = {0};
    rlh_adds(&b, "<");
    rlh_adds(&b, rl_request_path(r));
    rlh_adds(&b, "?");
    query_string(r, &b);
    rlh_addf(&b, "%s%s=%s.%lld>; rel=\"next\"", b.data[b.len - 1] == '?' ? "" : "&", rlh_pk_name(m),
             sh->keyset > 0 ? "gt" : "lt", (long long)sh->last_pk);
    if (!b.oom) rl_response_header(r, "Link", b.data);
    rlh_free(&b);
}

/*
 * GET: the table's rows (ordered by their key when order= is not given), or the row id.
 * limit/offset, or a Range header, choose the page; max_rows caps it.  A list is answered
 * with Content-Range (first-last/total, the total with "Prefer: count=exact", else *), 206
 * for a Range that did not reach the end, 416 for one past it; and a Link to the next page
 * when the page is full and ordered by the key alone.
 */
int rlh_get(rl_request *r, const rl_model *m, const char *id)
{
    rlh_shape sh;
    rl_query *q = rlh_query_for(r, m, id, &sh);
    if (!q) return 0;
    rl_db *db = rl_request_db(r);
    const char *range =
        id || sh.limit >= 0 || sh.offset >= 0 ? NULL : rl_request_header(r, "Range");
    int64_t first = sh.offset > 0 ? sh.offset : 0, count = sh.limit, total = -1;
    int rc = RL_OK;
    if (range && !range_of(range, &first, &count)) {
        rl_response_header(r, "Content-Range", "*/*");
        rl_respond_error(r, 416, "RL_EINVAL", "The Range header is first-last, e.g. 0-24.", range,
                         NULL);
        goto out;
    }
    if (!id && rlh_prefer_of(r).count && (rc = rl_count(q, &total)) != RL_OK) {
        rlh_db_error(r, db, -1, NULL);
        goto out;
    }
    char cr[80];
    if (total >= 0 && first > 0 && first >= total) {
        snprintf(cr, sizeof cr, "*/%lld", (long long)total);
        rl_response_header(r, "Content-Range", cr);
        rl_respond_error(r, 416, "RL_EINVAL", "The range starts after the last row.", NULL, NULL);
        goto out;
    }
    if (!id && !sh.ordered && m->has_pk) {
        rl_order_by(q, rlh_pk_name(m), RL_ASC);
        sh.keyset = 1;
    }
    size_t max = rlh_max_rows(r);
    int64_t page = count >= 0 && (size_t)count < max ? count : (int64_t)max;
    rl_limit(q, page);
    if (first > 0) rl_offset(q, first);
    rlh_buf b = {0};
    size_t n;
    if (!id) rlh_add(&b, "[", 1);
    rc = rlh_write_rows(r, q, m, &sh, &b, &n);
    if (!id) rlh_add(&b, "]", 1);
    if (rc != RL_OK) {
        if (!r->response) rlh_db_error(r, db, -1, NULL);
    } else if (id && n == 0) {
        rl_respond_error(r, 404, "RL_ENOTFOUND", "No row has this key.", NULL, NULL);
    } else {
        if (!id) {
            char tot[24] = "*";
            if (total >= 0) snprintf(tot, sizeof tot, "%lld", (long long)total);
            if (n)
                snprintf(cr, sizeof cr, "%lld-%lld/%s", (long long)first,
                         (long long)(first + (int64_t)n - 1), tot);
            else
                snprintf(cr, sizeof cr, "*/%s", tot);
            rl_response_header(r, "Content-Range", cr);
            if (sh.keyset && n && (int64_t)n == page && first == 0) link_next(r, m, &sh);
        }
        bool more = total >= 0 ? first + (int64_t)n < total : (int64_t)n == page;
        rl_respond(r, range && more ? 206 : 200, NULL, b.data, b.len);
    }
    rlh_free(&b);
out:
    rlh_shape_free(&sh);
    rl_query_free(q);
    return 0;
}
