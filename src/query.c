/*
 * The query builder: conditions, groups, ordering and paging composed into one SQL statement
 * whose values are always bound parameters.  Field names are resolved against the model and
 * written as quoted identifiers, so a name that is not a field is an error (RL_EFIELD), never
 * SQL.  Statements are prepared through the connection's cache keyed by their text, so the
 * same shape of query is compiled once.
 *
 * A builder call that fails makes the query remember the first error; the call that runs the
 * query returns it.  Callers may therefore chain builder calls and check once.
 */
#define _GNU_SOURCE /* vasprintf */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rli_select_prefix(const model_info *mi, strbuf *b);

#define MAX_GROUPS 32

struct rl_query {
    rl_db *db;
    model_info *mi;
    int error;
    char *errmsg; /* the first builder error's message (malloc'd) */
    strbuf where;
    strbuf order;
    strbuf sql;
    rl_value *params;
    size_t nparams, cap;
    arena texts; /* copies of text and blob operands */
    bool group_or[MAX_GROUPS];
    int group_terms[MAX_GROUPS];
    int depth;
    int64_t limit, offset;
};

struct rl_rows_private {
    arena strings;
    size_t cap;
};

static int q_fail(rl_query *q, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int q_fail(rl_query *q, int code, const char *fmt, ...)
{
    if (q->error == RL_OK) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&q->errmsg, fmt, ap) < 0) q->errmsg = NULL;
        va_end(ap);
        q->error = code;
    }
    return rli_err_set(q->db, q->error, "%s", q->errmsg ? q->errmsg : "Out of memory.");
}

rl_query *rl_select(rl_db *db, const rl_model *model)
{
    if (!db) return NULL;
    rl_query *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    q->db = db;
    q->limit = -1;
    q->offset = -1;
    rli_sb_init(&q->where);
    rli_sb_init(&q->order);
    rli_sb_init(&q->sql);
    int rc = rli_model_lookup(db, model, &q->mi);
    if (rc != RL_OK) q_fail(q, rc, "%s", db->err.message);
    return q;
}

void rl_query_free(rl_query *q)
{
    if (!q) return;
    rli_sb_free(&q->where);
    rli_sb_free(&q->order);
    rli_sb_free(&q->sql);
    free(q->params);
    free(q->errmsg);
    rli_arena_free(&q->texts);
    free(q);
}

static const char *column_of(rl_query *q, const char *field)
{
    if (!q->mi || !field) return NULL;
    int fi = rli_model_field_index(q->mi, field);
    if (fi >= 0) return q->mi->columns[fi];
    if (q->mi->model->has_pk && (strcmp(field, "pk") == 0 || strcmp(field, q->mi->pk_column) == 0))
        return q->mi->pk_column;
    return NULL;
}

static int add_param(rl_query *q, rl_value v)
{
    if (q->nparams == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 8;
        rl_value *p = realloc(q->params, cap * sizeof *p);
        if (!p) return q_fail(q, RL_ENOMEM, "Out of memory.");
        q->params = p;
        q->cap = cap;
    }
    if (v.type == RL_V_TEXT) {
        size_t n = strlen(v.u.s);
        char *s = rli_arena_alloc(&q->texts, n + 1);
        if (!s) return q_fail(q, RL_ENOMEM, "Out of memory.");
        memcpy(s, v.u.s, n + 1);
        v.u.s = s;
    } else if (v.type == RL_V_BLOB && v.u.b.len) {
        void *d = rli_arena_alloc(&q->texts, v.u.b.len);
        if (!d) return q_fail(q, RL_ENOMEM, "Out of memory.");
        memcpy(d, v.u.b.data, v.u.b.len);
        v.u.b.data = d;
    }
    q->params[q->nparams++] = v;
    return RL_OK;
}

/* Start a term in the current group: the joining AND / OR when it is not the first. */
static void open_term(rl_query *q)
{
    int g = q->depth;
    if (q->group_terms[g]++ > 0) rli_sb_puts(&q->where, q->group_or[g] ? " OR " : " AND ");
}

static int check(rl_query *q)
{
    return q ? q->error : RL_EINVAL;
}

static int unknown_field(rl_query *q, const char *field)
{
    return q_fail(q, RL_EFIELD, "query on %s: model %s has no field named '%s'.",
                  q->mi ? q->mi->table : "?", q->mi ? q->mi->model->type_name : "?",
                  field ? field : "(null)");
}

/* Escape LIKE wildcards so the operand is matched literally. */
static char *like_literal(rl_query *q, const char *s, bool lead, bool trail)
{
    size_t n = strlen(s);
    char *out = rli_arena_alloc(&q->texts, 2 * n + 3);
    if (!out) return NULL;
    char *p = out;
    if (lead) *p++ = '%';
    for (const char *c = s; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\') *p++ = '\\';
        *p++ = *c;
    }
    if (trail) *p++ = '%';
    *p = '\0';
    return out;
}

int rl_where(rl_query *q, const char *field, rl_op op, rl_value v)
{
    if (check(q) != RL_OK) return check(q);
    const char *col = column_of(q, field);
    if (!col) return unknown_field(q, field);
    if (v.type == RL_V_NULL && op == RL_EQ) op = RL_IS_NULL;
    if (v.type == RL_V_NULL && op == RL_NE) op = RL_IS_NOT_NULL;
    static const char *const cmp[] = {
        [RL_EQ] = " = ?", [RL_NE] = " <> ?", [RL_LT] = " < ?",      [RL_LE] = " <= ?",
        [RL_GT] = " > ?", [RL_GE] = " >= ?", [RL_LIKE] = " LIKE ?", [RL_GLOB] = " GLOB ?"};
    if ((unsigned)op > RL_IS_NOT_NULL)
        return q_fail(q, RL_EINVAL, "query on %s: unknown operator %d.", q->mi->table, (int)op);
    if (op <= RL_GLOB && v.type == RL_V_NULL)
        return q_fail(q, RL_EINVAL,
                      "query on %s: comparing %s with NULL matches nothing; use RL_IS_NULL.",
                      q->mi->table, field);
    open_term(q);
    rli_sb_ident(&q->where, col);
    switch (op) {
    case RL_IS_NULL:
        rli_sb_puts(&q->where, " IS NULL");
        return RL_OK;
    case RL_IS_NOT_NULL:
        rli_sb_puts(&q->where, " IS NOT NULL");
        return RL_OK;
    case RL_CONTAINS:
    case RL_STARTS_WITH:
    case RL_ENDS_WITH: {
        if (v.type != RL_V_TEXT)
            return q_fail(q, RL_EINVAL, "query on %s: %s needs a text operand.", q->mi->table,
                          op == RL_CONTAINS ? "contains" : "starts/ends with");
        char *pat = like_literal(q, v.u.s, op != RL_STARTS_WITH, op != RL_ENDS_WITH);
        if (!pat) return q_fail(q, RL_ENOMEM, "Out of memory.");
        rli_sb_puts(&q->where, " LIKE ? ESCAPE '\\'");
        return add_param(q, rl_text(pat));
    }
    default:
        rli_sb_puts(&q->where, cmp[op]);
        return add_param(q, v);
    }
}

int rl_where_in(rl_query *q, const char *field, const rl_value *values, size_t n, bool negate)
{
    if (check(q) != RL_OK) return check(q);
    if (n && !values) return q_fail(q, RL_EINVAL, "query: rl_where_in was given no values.");
    const char *col = column_of(q, field);
    if (!col) return unknown_field(q, field);
    open_term(q);
    if (n == 0) {
        rli_sb_puts(&q->where, negate ? "1" : "0");
        return RL_OK;
    }
    rli_sb_ident(&q->where, col);
    rli_sb_puts(&q->where, negate ? " NOT IN (" : " IN (");
    for (size_t i = 0; i < n; i++) {
        rli_sb_puts(&q->where, i ? ", ?" : "?");
        if (add_param(q, values[i]) != RL_OK) return q->error;
    }
    rli_sb_puts(&q->where, ")");
    return RL_OK;
}

static int open_group(rl_query *q, bool is_or)
{
    if (check(q) != RL_OK) return check(q);
    if (q->depth + 1 >= MAX_GROUPS)
        return q_fail(q, RL_EINVAL, "query: groups nest at most %d deep.", MAX_GROUPS - 1);
    open_term(q);
    rli_sb_puts(&q->where, "(");
    q->depth++;
    q->group_or[q->depth] = is_or;
    q->group_terms[q->depth] = 0;
    return RL_OK;
}

int rl_any(rl_query *q)
{
    return open_group(q, true);
}
int rl_all(rl_query *q)
{
    return open_group(q, false);
}

int rl_end(rl_query *q)
{
    if (check(q) != RL_OK) return check(q);
    if (q->depth == 0) return q_fail(q, RL_EMISUSE, "query: rl_end without an open group.");
    /* An empty OR matches nothing, an empty AND everything. */
    if (q->group_terms[q->depth] == 0) rli_sb_puts(&q->where, q->group_or[q->depth] ? "0" : "1");
    rli_sb_puts(&q->where, ")");
    q->depth--;
    return RL_OK;
}

int rl_order_by(rl_query *q, const char *field, rl_order dir)
{
    if (check(q) != RL_OK) return check(q);
    const char *col = column_of(q, field);
    if (!col) return unknown_field(q, field);
    rli_sb_puts(&q->order, q->order.len ? ", " : " ORDER BY ");
    rli_sb_ident(&q->order, col);
    rli_sb_puts(&q->order, dir == RL_DESC ? " DESC" : " ASC");
    return RL_OK;
}

int rl_limit(rl_query *q, int64_t limit)
{
    if (check(q) != RL_OK) return check(q);
    if (limit < 0) return q_fail(q, RL_EINVAL, "query: a limit cannot be negative.");
    q->limit = limit;
    return RL_OK;
}

int rl_offset(rl_query *q, int64_t offset)
{
    if (check(q) != RL_OK) return check(q);
    if (offset < 0) return q_fail(q, RL_EINVAL, "query: an offset cannot be negative.");
    q->offset = offset;
    return RL_OK;
}

/* ---- running -------------------------------------------------------------------------------- */

enum shape { SH_SELECT, SH_COUNT, SH_EXISTS, SH_DELETE };

/* Compose the statement; limit_override >= 0 replaces the query's limit. */
static int compose(rl_query *q, enum shape shape, int64_t limit_override)
{
    if (q->error)
        return rli_err_set(q->db, q->error, "%s", q->errmsg ? q->errmsg : "Out of memory.");
    if (q->depth)
        return q_fail(q, RL_EMISUSE, "query on %s: %d group%s left open (missing rl_end).",
                      q->mi->table, q->depth, q->depth == 1 ? " was" : "s were");
    strbuf *b = &q->sql;
    b->len = 0;
    if (b->s) b->s[0] = '\0';
    int64_t limit = limit_override >= 0 ? limit_override : q->limit;
    bool paged = limit >= 0 || q->offset >= 0;
    switch (shape) {
    case SH_SELECT:
        rli_select_prefix(q->mi, b);
        break;
    case SH_COUNT:
        rli_sb_puts(b, paged ? "SELECT count(*) FROM (SELECT 1 FROM " : "SELECT count(*) FROM ");
        break;
    case SH_EXISTS:
        rli_sb_puts(b, "SELECT EXISTS (SELECT 1 FROM ");
        break;
    case SH_DELETE:
        rli_sb_puts(b, "DELETE FROM ");
        break;
    }
    if (shape != SH_SELECT) rli_sb_ident(b, q->mi->table);
    if (q->where.len) {
        rli_sb_puts(b, " WHERE ");
        rli_sb_puts(b, q->where.s);
    }
    if (shape == SH_SELECT || (shape == SH_COUNT && paged)) {
        rli_sb_puts(b, sb_str(&q->order));
        if (paged) rli_sb_puts(b, " LIMIT ? OFFSET ?");
    }
    if (shape == SH_EXISTS || (shape == SH_COUNT && paged)) rli_sb_puts(b, ")");
    if (b->oom) return q_fail(q, RL_ENOMEM, "Out of memory.");
    return RL_OK;
}

static int prepare_bound(rl_query *q, enum shape shape, int64_t limit_override, const rl_set *sets,
                         size_t nsets, sqlite3_stmt **out)
{
    sqlite3_stmt *st = NULL;
    int rc = rli_cache_prepare(q->db, q->sql.s, &st);
    if (rc != SQLITE_OK) return rli_err_sqlite(q->db, rc, q->mi->table);
    int idx = 1;
    for (size_t i = 0; i < nsets; i++)
        rli_bind_value(st, idx++, &sets[i].value);
    for (size_t i = 0; i < q->nparams; i++)
        rli_bind_value(st, idx++, &q->params[i]);
    int64_t limit = limit_override >= 0 ? limit_override : q->limit;
    if ((shape == SH_SELECT || shape == SH_COUNT) && (limit >= 0 || q->offset >= 0)) {
        sqlite3_bind_int64(st, idx++, limit >= 0 ? limit : -1);
        sqlite3_bind_int64(st, idx++, q->offset >= 0 ? q->offset : 0);
    }
    *out = st;
    return RL_OK;
}

static int grow_rows(rl_rows *r, size_t size)
{
    size_t cap = r->priv->cap ? r->priv->cap * 2 : 16;
    void *items = realloc(r->items, cap * size);
    if (!items) return RL_ENOMEM;
    r->items = items;
    r->priv->cap = cap;
    return RL_OK;
}

static int fetch(rl_query *q, int64_t limit, rl_rows **out)
{
    *out = NULL;
    int code = compose(q, SH_SELECT, limit);
    sqlite3_stmt *st = NULL;
    if (code != RL_OK || (code = prepare_bound(q, SH_SELECT, limit, NULL, 0, &st)) != RL_OK)
        return code;
    rl_rows *r = calloc(1, sizeof *r);
    if (r) r->priv = calloc(1, sizeof *r->priv);
    if (!r || !r->priv) {
        free(r);
        sqlite3_reset(st);
        return rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
    }
    size_t size = q->mi->model->size;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (r->count == r->priv->cap && grow_rows(r, size) != RL_OK) {
            code = RL_ENOMEM;
            break;
        }
        void *row = (char *)r->items + r->count * size;
        memset(row, 0, size);
        if ((code = rli_read_row(q->mi, row, st, &r->priv->strings)) != RL_OK) break;
        r->count++;
    }
    sqlite3_reset(st);
    if (code == RL_OK && rc != SQLITE_DONE) code = rli_err_sqlite(q->db, rc, q->mi->table);
    if (code == RL_ENOMEM) rli_err_set(q->db, code, "query on %s: out of memory.", q->mi->table);
    if (code != RL_OK) {
        rl_rows_free(r);
        return code;
    }
    *out = r;
    return RL_OK;
}

int rl_fetch_all(rl_query *q, rl_rows **out)
{
    if (!q || !out) return RL_EINVAL;
    return fetch(q, -1, out);
}

void rl_rows_free(rl_rows *rows)
{
    if (!rows) return;
    if (rows->priv) rli_arena_free(&rows->priv->strings);
    free(rows->priv);
    free(rows->items);
    free(rows);
}

/* Copy row i of r into out, duplicating its strings so that out owns them. */
static int take_row(rl_query *q, rl_rows *r, void *out)
{
    const rl_model *m = q->mi->model;
    memcpy(out, r->items, m->size);
    for (size_t i = 0; i < m->nfields; i++) {
        const rl_field *f = &m->fields[i];
        char *p = (char *)out + f->offset;
        if (f->ctype == RL_CT_TEXT) {
            char *s;
            memcpy(&s, p, sizeof s);
            if (s && !(s = strdup(s))) goto oom;
            memcpy(p, &s, sizeof s);
        } else if (f->ctype == RL_CT_BLOB) {
            rl_blob *b = (rl_blob *)p;
            if (b->data) {
                void *d = malloc(b->len + 1);
                if (!d) goto oom;
                memcpy(d, b->data, b->len);
                b->data = d;
            }
        }
        continue;
    oom:
        /* Members after i still point into r: clear them before freeing. */
        for (size_t j = i; j < m->nfields; j++) {
            const rl_field *g = &m->fields[j];
            if (g->ctype == RL_CT_TEXT || g->ctype == RL_CT_BLOB)
                memset((char *)out + g->offset, 0, g->size);
        }
        rl_row_free(m, out);
        return rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
    }
    return RL_OK;
}

static int fetch_single(rl_query *q, void *out, bool exactly_one)
{
    if (!q || !out) return RL_EINVAL;
    rl_rows *r;
    int code = fetch(q, exactly_one ? 2 : 1, &r);
    if (code != RL_OK) return code;
    if (r->count == 0)
        code = rli_err_set(q->db, RL_ENOTFOUND, "query on %s: no row matches.", q->mi->table);
    else if (exactly_one && r->count > 1)
        code = rli_err_set(q->db, RL_EMULTIPLE,
                           "query on %s: more than one row matches where exactly one was expected.",
                           q->mi->table);
    else
        code = take_row(q, r, out);
    rl_rows_free(r);
    return code;
}

int rl_fetch_first(rl_query *q, void *out)
{
    return fetch_single(q, out, false);
}
int rl_fetch_one(rl_query *q, void *out)
{
    return fetch_single(q, out, true);
}

static int scalar(rl_query *q, enum shape shape, int64_t *out)
{
    if (!q || !out) return RL_EINVAL;
    int code = compose(q, shape, -1);
    sqlite3_stmt *st = NULL;
    if (code != RL_OK || (code = prepare_bound(q, shape, -1, NULL, 0, &st)) != RL_OK) return code;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        code = rli_err_sqlite(q->db, rc, q->mi->table);
    sqlite3_reset(st);
    return code;
}

int rl_count(rl_query *q, int64_t *out)
{
    return scalar(q, SH_COUNT, out);
}

int rl_exists(rl_query *q, bool *out)
{
    if (!out) return RL_EINVAL;
    int64_t v = 0;
    int code = scalar(q, SH_EXISTS, &v);
    if (code == RL_OK) *out = v != 0;
    return code;
}

/* Run a bulk UPDATE/DELETE statement already composed in q->sql. */
static int run_bulk(rl_query *q, const rl_set *sets, size_t nsets, int64_t *changed,
                    const char *verb)
{
    sqlite3_stmt *st = NULL;
    int code = prepare_bound(q, SH_DELETE, -1, sets, nsets, &st);
    if (code != RL_OK) return code;
    int rc = rli_step_done(st);
    if (rc == SQLITE_DONE) {
        if (changed) *changed = sqlite3_changes64(q->db->h);
        return RL_OK;
    }
    char op[160];
    snprintf(op, sizeof op, "%s %s", verb, q->mi->table);
    code = rli_err_statement(q->db, st, rc, op);
    sqlite3_clear_bindings(st);
    return code;
}

int rl_delete_where(rl_query *q, int64_t *changed)
{
    if (!q) return RL_EINVAL;
    int code = compose(q, SH_DELETE, -1);
    if (code != RL_OK) return code;
    return run_bulk(q, NULL, 0, changed, "delete from");
}

int rl_update_where(rl_query *q, const rl_set *sets, size_t nsets, int64_t *changed)
{
    if (!q || (nsets && !sets)) return RL_EINVAL;
    if (q->error)
        return rli_err_set(q->db, q->error, "%s", q->errmsg ? q->errmsg : "Out of memory.");
    if (nsets == 0) return q_fail(q, RL_EINVAL, "update %s: nothing to set.", q->mi->table);
    strbuf set;
    rli_sb_init(&set);
    for (size_t i = 0; i < nsets; i++) {
        const char *col = column_of(q, sets[i].field);
        if (!col) {
            rli_sb_free(&set);
            return unknown_field(q, sets[i].field);
        }
        if (i) rli_sb_puts(&set, ", ");
        rli_sb_ident(&set, col);
        rli_sb_puts(&set, " = ?");
    }
    int code = compose(q, SH_DELETE, -1);
    if (code == RL_OK) {
        /* compose wrote "DELETE FROM t WHERE ..."; rewrite the head as an UPDATE. */
        strbuf b;
        rli_sb_init(&b);
        rli_sb_puts(&b, "UPDATE ");
        rli_sb_ident(&b, q->mi->table);
        rli_sb_puts(&b, " SET ");
        rli_sb_puts(&b, sb_str(&set));
        if (q->where.len) {
            rli_sb_puts(&b, " WHERE ");
            rli_sb_puts(&b, q->where.s);
        }
        rli_sb_free(&q->sql);
        q->sql = b;
        code = run_bulk(q, sets, nsets, changed, "update");
    }
    rli_sb_free(&set);
    return code;
}

const char *rl_query_sql(rl_query *q)
{
    if (!q) return "";
    if (compose(q, SH_SELECT, -1) != RL_OK) return "";
    return sb_str(&q->sql);
}
