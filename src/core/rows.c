/*
 * Reading rows:
 *
 *   rl_fetch_all              every row of a query into one result set (and, after a join,
 *                             every parent alongside)
 *   rl_fetch_first/one        one row straight into the caller's struct, no result set
 *   rl_cursor_open/next/free  a query's rows streamed: the cursor owns its statement (apart
 *                             from the model's cache, so that the same query may run
 *                             meanwhile on SQLite) and one arena, emptied before each row:
 *                             text is read where the engine keeps it, so a row costs no
 *                             allocation and memory stays that of the largest row
 *   rl_query_rows             a raw SELECT read into model structs by column name
 */
#include "fieldread.h"
#include "query.h"
#include "db.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

int rli_rows_grow(rl_rows *r, size_t size, size_t psize, size_t nkeys)
{
    size_t cap = r->priv->cap ? r->priv->cap * 2 : 16;
    void *items = realloc(r->items, cap * size);
    if (!items) return RL_ENOMEM;
    r->items = items;
    if (nkeys) {
        rl_value *k = realloc(r->priv->keys, cap * nkeys * sizeof *k);
        if (!k) return RL_ENOMEM;
        r->priv->keys = k;
    }
    if (psize) { /* a join: the parents and their flags grow alongside */
        void *parents = realloc(r->parents, cap * psize);
        if (parents) r->parents = parents;
        bool *has = parents ? realloc(r->priv->has_parent, cap * sizeof *has) : NULL;
        if (!has) return RL_ENOMEM;
        r->priv->has_parent = has;
        r->has_parent = has;
    }
    r->priv->cap = cap;
    return RL_OK;
}

/* Where the parent (of model parent_mi) of a joined row of child's model is: its first column
 * (its columns follow the child's) and the column telling whether there is one, found once
 * for every row.  No parent (LEFT JOIN): the column its key references is NULL, as every
 * other. */
typedef struct parent_cols {
    int first, flag;
} parent_cols;

static parent_cols parent_cols_of(rl_db *db, const model_info *child, int key,
                                  const model_info *parent_mi)
{
    const rl_model *m = child->model;
    rli_key k;
    rli_key_to(db, child, key, parent_mi, &k);
    int col = (m->has_pk ? 1 : 0) + (int)m->nfields, code = k.parent[0];
    return (parent_cols){col,
                         code == RLS_PK ? col : col + (parent_mi->model->has_pk ? 1 : 0) + code};
}

/* Read the parent of a joined row (at pc) into parent, zeroed when there is none; *has tells
 * which. */
static int read_parent(const rl_backend *be, const model_info *parent_mi, parent_cols pc,
                       rlb_stmt *st, void *parent, bool *has, arena *a)
{
    memset(parent, 0, parent_mi->model->size);
    *has = !be->column_null(st, pc.flag);
    return *has ? rli_read_row_at(be, parent_mi, parent, st, pc.first, a) : RL_OK;
}

int rli_q_fetch(rl_query *q, int64_t limit, rl_rows **out)
{
    *out = NULL;
    rlb_stmt *st = NULL;
    int code = rli_q_prepare(q, SH_SELECT, limit, &st);
    if (code != RL_OK) return code;
    rl_rows *r = calloc(1, sizeof *r);
    if (r) r->priv = calloc(1, sizeof *r->priv);
    if (!r || !r->priv) {
        free(r);
        q->db->be->reset(st);
        return rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
    }
    const rl_backend *be = q->db->be;
    const rl_model *m = q->mi->model;
    bool linked = q->join && q->link_a >= 0; /* the other side's key follows the row */
    size_t size = m->size, psize = q->join && !linked ? q->join->model->size : 0;
    parent_cols pc =
        psize ? parent_cols_of(q->db, q->mi, q->join_key, q->join) : (parent_cols){0, 0};
    int key_col = (m->has_pk ? 1 : 0) + (int)m->nfields, rc;
    rli_column_ops ops = rli_ops_of(be);
    /* the link's key to the other side: its columns follow the row's in field order; each is
     * read into its place in the key's order */
    rli_key a = {0};
    int a_col[RLS_KEY_MAX];
    rl_kind a_kind[RLS_KEY_MAX];
    if (linked) rli_key_of(q->join, q->link_a, &a);
    for (int i = 0; i < a.n; i++) {
        a_col[i] = key_col;
        for (int j = 0; j < a.n; j++)
            a_col[i] += a.child[j] < a.child[i];
        a_kind[i] = rli_field_kind(&q->join->model->fields[a.child[i]]);
    }
    r->priv->nkeys = (size_t)a.n;
    while ((rc = be->step(st)) == RLB_ROW) {
        if (r->count == r->priv->cap && rli_rows_grow(r, size, psize, (size_t)a.n) != RL_OK) {
            code = RL_ENOMEM;
            break;
        }
        void *row = (char *)r->items + r->count * size;
        memset(row, 0, size);
        if ((code = rli_read_row(be, q->mi, row, st, &r->priv->strings)) != RL_OK) break;
        for (int i = 0; i < a.n && code == RL_OK; i++)
            code = rli_value_read(&ops, a_kind[i], &r->priv->keys[r->count * (size_t)a.n + i], st,
                                  a_col[i], &r->priv->strings);
        if (code != RL_OK) break;
        if (psize &&
            (code = read_parent(be, q->join, pc, st, (char *)r->parents + r->count * psize,
                                &r->priv->has_parent[r->count], &r->priv->strings)) != RL_OK)
            break;
        r->count++;
    }
    be->reset(st);
    if (code == RL_OK && rc != RLB_DONE) code = rli_fail(q->db, NULL, rc, q->mi->table);
    if (code == RL_ENOMEM) rli_err_set(q->db, code, "query on %s: out of memory.", q->mi->table);
    if (code != RL_OK) {
        rl_rows_free(r);
        return code;
    }
    if (psize && !r->parents) { /* no row: an empty array all the same */
        r->parents = calloc(1, psize);
        r->priv->has_parent = calloc(1, sizeof(bool));
        r->has_parent = r->priv->has_parent;
        if (!r->parents || !r->has_parent) {
            rl_rows_free(r);
            return rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
        }
    }
    *out = r;
    return RL_OK;
}

int rl_fetch_all(rl_query *q, rl_rows **out)
{
    if (!q || !out) return RL_EINVAL;
    return rli_q_fetch(q, -1, out);
}

void rl_rows_free(rl_rows *rows)
{
    if (!rows) return;
    if (rows->priv) {
        rli_arena_free(&rows->priv->strings);
        free(rows->priv->has_parent);
        free(rows->priv->keys);
    }
    free(rows->parents);
    free(rows->priv);
    free(rows->items);
    free(rows);
}

/*
 * The first row (and, for exactly_one, the proof that there is no second) read straight into
 * out, its strings malloc'd so that out owns them (rl_row_free).  No result set is built.
 */
static int fetch_single(rl_query *q, void *out, bool exactly_one)
{
    if (!q || !out) return RL_EINVAL;
    /* Stepping stops after the row(s) it needs, so a LIMIT is only worth its binding when an
     * ORDER BY lets SQLite keep the top rows instead of sorting them all. */
    int64_t limit = q->norder && q->limit < 0 && q->offset < 0 ? (exactly_one ? 2 : 1) : -1;
    rlb_stmt *st = NULL;
    int code = rli_q_prepare(q, SH_SELECT, limit, &st);
    if (code != RL_OK) return code;
    const rl_backend *be = q->db->be;
    const rl_model *m = q->mi->model;
    const char *table = q->mi->table;
    int rc = be->step(st);
    if (rc == RLB_ROW) {
        memset(out, 0, m->size);
        code = rli_read_row(be, q->mi, out, st, NULL);
        if (code != RL_OK) {
            rl_row_free(m, out); /* nothing half-read is handed out */
            be->reset(st);
            return rli_err_set(q->db, code, "query on %s: out of memory.", table);
        }
        rc = exactly_one ? be->step(st) : RLB_DONE;
        if (rc != RLB_DONE) rl_row_free(m, out);
        be->reset(st);
        if (rc == RLB_DONE) return RL_OK;
        if (rc == RLB_ROW)
            return rli_err_set(q->db, RL_EMULTIPLE,
                               "query on %s: more than one row matches where exactly one was "
                               "expected.",
                               table);
        return rli_fail(q->db, NULL, rc, table);
    }
    be->reset(st);
    if (rc == RLB_DONE)
        return rli_err_set(q->db, RL_ENOTFOUND, "query on %s: no row matches.", table);
    return rli_fail(q->db, NULL, rc, table);
}

int rl_fetch_first(rl_query *q, void *out)
{
    return fetch_single(q, out, false);
}
int rl_fetch_one(rl_query *q, void *out)
{
    return fetch_single(q, out, true);
}

/* ---- streaming ---------------------------------------------------------------------------- */

struct rl_cursor {
    rl_db *db;
    model_info *mi, *join;
    parent_cols pc; /* where the join's parent is in a row */
    rlb_stmt *st;
    /* resolved at open, for the loop: the engine's step and row reader (NULL: the core's) */
    int (*step)(rlb_stmt *s);
    int (*read)(rlb_stmt *s, const model_info *mi, void *row, int col, arena *a);
    /* the engine's step-and-read, when rows need nothing else: no member that is copied into
     * the arena (blobs, values), so that it never needs emptying; NULL once the rows end */
    int (*next)(rlb_stmt *s, const model_info *mi, void *row, arena *a);
    arena strings;
    bool done;
    char *sql; /* the statement's text, to keep it for the next cursor (NULL: not kept) */
};

/* Whether a row of mi, read with text borrowed, never puts anything into the arena. */
static bool reads_into_nothing(const model_info *mi)
{
    for (size_t i = 0; i < mi->model->nfields; i++)
        if (mi->plan[i].ctype == RL_CT_BLOB || mi->plan[i].ctype == RL_CT_VALUE) return false;
    return true;
}

int rl_cursor_open(rl_query *q, rl_cursor **out)
{
    if (!q || !out) return RL_EINVAL;
    *out = NULL;
    rl_cursor *c = calloc(1, sizeof *c);
    if (!c) return rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
    /* an engine that keeps a statement gets its text too, to keep it for the next cursor */
    int rc = rli_q_prepare_own(q, &c->st, q->db->be->stream ? NULL : &c->sql);
    if (rc != RL_OK) {
        free(c);
        return rc;
    }
    c->db = q->db;
    c->mi = q->mi;
    c->join = q->join;
    if (q->join) c->pc = parent_cols_of(q->db, q->mi, q->join_key, q->join);
    c->step = q->db->be->step;
    c->read = q->db->be->read_row;
    if (reads_into_nothing(q->mi)) c->next = q->db->be->next_row;
    c->strings.borrow_text = true;
    if (q->db->be->stream) q->db->be->stream(c->st);
    *out = c;
    return RL_OK;
}

/* The parent of a joined row (zeroed when there is none). */
static __attribute__((noinline)) int cursor_parent(rl_cursor *c, void *parent)
{
    bool has;
    return read_parent(c->db->be, c->join, c->pc, c->st, parent, &has, &c->strings);
}

/* The end of a cursor's rows (0), or its failure. */
static __attribute__((noinline)) int cursor_end(rl_cursor *c, int rc)
{
    const rl_backend *be = c->db->be;
    c->done = true;
    c->next = NULL;
    int code = rc == RLB_DONE ? 0 : rli_fail(c->db, c->st, rc, c->mi->table);
    be->reset(c->st);
    return code;
}

static __attribute__((noinline)) int cursor_oom(rl_cursor *c, int code)
{
    return rli_err_set(c->db, code, "query on %s: out of memory.", c->mi->table);
}

/* A row in steps: the step, the row, the parent, with the arena emptied first. */
static __attribute__((noinline)) int cursor_next_steps(rl_cursor *c, void *row, void *parent)
{
    if (c->done) return 0;
    arena_block *blk = c->strings.head; /* only blobs and copies need emptying */
    if (blk && (blk->used || blk->next)) rli_arena_reset(&c->strings);
    int rc = c->step(c->st);
    if (rc != RLB_ROW) return cursor_end(c, rc);
    /* every member is written by the read: no need to clear the struct first */
    int code = c->read ? c->read(c->st, c->mi, row, 0, &c->strings)
                       : rli_read_row_at(c->db->be, c->mi, row, c->st, 0, &c->strings);
    if (code == RL_OK && c->join && parent) code = cursor_parent(c, parent);
    return code == RL_OK ? 1 : cursor_oom(c, code);
}

/* The loop's work per row is kept small: when the engine steps and reads in one call and
 * nothing else is asked for, a row is that call; anything more is a call of its own. */
int rl_cursor_next(rl_cursor *c, void *row, void *parent)
{
    if (!c || !row) return RL_EINVAL;
    if (!c->next || (parent && c->join)) return cursor_next_steps(c, row, parent);
    int rc = c->next(c->st, c->mi, row, &c->strings);
    if (rc == RLB_ROW) return 1;
    return rc < 0 ? cursor_oom(c, rc) : cursor_end(c, rc);
}

void rl_cursor_free(rl_cursor *c)
{
    if (!c) return;
    const rl_backend *be = c->db->be;
    model_info *mi = c->mi;
    /* Kept for the next cursor with the same text, where the engine keeps a statement on the
     * connection (one that streams its rows over it does not: it is finalized, and drained). */
    if (!be->stream && !mi->cursor_spare && c->sql) {
        be->reset(c->st);
        if (be->clear_bindings) be->clear_bindings(c->st);
        free(mi->cursor_sql);
        mi->cursor_sql = c->sql;
        mi->cursor_spare = c->st;
        c->sql = NULL;
    } else {
        be->finalize(c->st);
    }
    free(c->sql);
    rli_arena_free(&c->strings);
    free(c);
}

/* ---- raw SQL into structs ------------------------------------------------------------------ */

/* Where each column of st goes: a field index, -2 for the primary key. */
static int map_columns(rl_db *db, model_info *mi, rlb_stmt *st, int **out, int *n)
{
    const rl_backend *be = db->be;
    *n = be->column_count(st);
    int *map = malloc(sizeof *map * (size_t)(*n ? *n : 1));
    if (!map) return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    for (int i = 0; i < *n; i++) {
        const char *name = be->column_name(st, i);
        int fi = name ? rli_model_field_index(mi, name) : -1;
        if (fi < 0 && name && mi->model->has_pk && strcmp(name, mi->pk_column) == 0) fi = -2;
        if (fi == -1) {
            free(map);
            return rli_err_set(db, RL_EFIELD,
                               "query: column %d (%s) of the result is not a field of %s.", i + 1,
                               name ? name : "?", mi->model->type_name);
        }
        map[i] = fi;
    }
    *out = map;
    return RL_OK;
}

/* Read the current row of st into the next struct of r. */
static int read_mapped(rl_db *db, model_info *mi, rlb_stmt *st, const int *map, int n, rl_rows *r)
{
    const rl_model *m = mi->model;
    if (r->count == r->priv->cap && rli_rows_grow(r, m->size, 0, false) != RL_OK) return RL_ENOMEM;
    void *row = (char *)r->items + r->count * m->size;
    memset(row, 0, m->size);
    for (int i = 0; i < n; i++) {
        if (map[i] == -2) {
            rli_row_set_pk(m, row, db->be->column_int64(st, i));
            continue;
        }
        if (rli_field_read(db->be, &m->fields[map[i]], row, st, i, &r->priv->strings) != RL_OK)
            return RL_ENOMEM;
    }
    r->count++;
    return RL_OK;
}

int rl_query_rows(rl_db *db, const rl_model *model, const char *sql, const rl_value *params,
                  size_t nparams, rl_rows **out)
{
    if (!db || !sql || !out || (nparams && !params)) return RL_EINVAL;
    *out = NULL;
    model_info *mi;
    rli_err_clear(db);
    if (rli_params_check(db, params, nparams, "query") != RL_OK) return RL_EINVAL;
    int code = rli_model_lookup(db, model, &mi);
    if (code != RL_OK) return code;
    rlb_stmt *st = NULL;
    int rc = db->be->prepare_raw(db->conn, sql, &st, NULL, &db->e);
    if (rc < 0) return db->e.err.code;
    if (rc != RLB_OK) return rli_fail(db, NULL, rc, "query");
    if (!st) return rli_err_set(db, RL_EINVAL, "query: the SQL holds no statement.");
    int *map = NULL, n = 0;
    rl_rows *r = calloc(1, sizeof *r);
    if (r) r->priv = calloc(1, sizeof *r->priv);
    code = !r || !r->priv ? rli_err_set(db, RL_ENOMEM, "Out of memory.")
                          : map_columns(db, mi, st, &map, &n);
    for (size_t i = 0; code == RL_OK && i < nparams; i++)
        db->be->bind(st, (int)i + 1, &params[i]);
    while (code == RL_OK && (rc = db->be->step(st)) == RLB_ROW)
        if (read_mapped(db, mi, st, map, n, r) != RL_OK)
            code = rli_err_set(db, RL_ENOMEM, "query on %s: out of memory.", mi->table);
    if (code == RL_OK && rc != RLB_DONE) code = rli_fail(db, st, rc, "query");
    db->be->finalize(st);
    free(map);
    if (code != RL_OK) {
        if (r) rl_rows_free(r);
        return code;
    }
    *out = r;
    return RL_OK;
}

/* ---- values: chosen columns, aggregates, DISTINCT, GROUP BY -------------------------------- */

typedef struct rl_values_private {
    arena strings;
    char **names;
    size_t cap;
} rl_values_private;

/* The name and kind of what field code names: a field, the pk, or the joined parent's. */
static const char *code_name(rl_query *q, int code, rl_kind *kind)
{
    model_info *mi = q->mi;
    if (q->join && (code == RLS_JOINED_PK || (code >= RLS_JOINED && code < RLS_JOINED + 64))) {
        mi = q->join;
        code = code == RLS_JOINED_PK ? RLS_PK : code - RLS_JOINED;
    } else if (code >= RLS_EXTRA && code - RLS_EXTRA < q->nextra) {
        const rls_extra *e = &q->extra[code - RLS_EXTRA];
        mi = q->more_mi[e->join];
        code = e->field < 0 ? RLS_PK : e->field;
    }
    *kind = code == RLS_PK ? RL_KIND_INTEGER : rli_field_kind(&mi->model->fields[code]);
    return code == RLS_PK ? mi->pk_column : mi->columns[code];
}

/* The columns of the result: their names ("title", "count", "sum(price)") and kinds. */
static int value_columns(rl_query *q, rl_values_private *p, rl_kind *kinds, int n)
{
    static const char *const fn[] = {"count", "sum", "avg", "min", "max"};
    p->names = calloc((size_t)n, sizeof *p->names);
    if (!p->names) return RL_ENOMEM;
    for (int i = 0; i < n; i++) {
        rls_item it =
            q->nitems ? q->items[i] : (rls_item){.agg = -1, .field = i == 0 ? RLS_PK : i - 1};
        if (!q->nitems && !q->mi->model->has_pk) it.field = i;
        rl_kind k = RL_KIND_INTEGER;
        const char *name = it.field >= 0 ? code_name(q, it.field, &k) : "*";
        strbuf b;
        rli_sb_init(&b);
        if (it.agg >= 0)
            rli_sb_printf(&b, it.field >= 0 ? "%s(%s)" : "%s", fn[it.agg], name);
        else
            rli_sb_puts(&b, name);
        if (!(p->names[i] = rli_sb_take(&b))) return RL_ENOMEM;
        if (it.path) k = RL_KIND_TEXT; /* ->> gives text, -> JSON as text */
        if (it.cast) k = (rl_kind)it.cast;
        kinds[i] = it.agg == RLS_AGG_COUNT ? RL_KIND_INTEGER
                   : it.agg == RLS_AGG_AVG ? RL_KIND_REAL
                                           : k;
    }
    return RL_OK;
}

int rl_fetch_values(rl_query *q, rl_values **out)
{
    if (!q || !out) return RL_EINVAL;
    *out = NULL;
    rlb_stmt *st = NULL;
    int code = rli_q_prepare(q, SH_VALUES, -1, &st);
    if (code != RL_OK) return code;
    const rl_backend *be = q->db->be;
    int n = q->nitems ? q->nitems : (int)q->mi->model->nfields + (q->mi->model->has_pk ? 1 : 0);
    rl_values *v = calloc(1, sizeof *v);
    rl_values_private *p = v ? calloc(1, sizeof *p) : NULL;
    rl_kind kinds[RL_MAX_FIELDS + 1];
    rl_value *vals = NULL;
    if (!p || value_columns(q, p, kinds, n) != RL_OK) code = RL_ENOMEM;
    if (v) *v = (rl_values){.cols = (size_t)n, .priv = p};
    rli_column_ops ops = rli_ops_of(be);
    int rc = RLB_DONE;
    while (code == RL_OK && (rc = be->step(st)) == RLB_ROW) {
        if (v->rows == p->cap) {
            size_t cap = p->cap ? p->cap * 2 : 16;
            rl_value *grown = realloc(vals, cap * (size_t)n * sizeof *grown);
            if (!grown) {
                code = RL_ENOMEM;
                break;
            }
            vals = grown;
            p->cap = cap;
        }
        for (int c = 0; c < n && code == RL_OK; c++) {
            code = rli_value_read(&ops, kinds[c], &vals[v->rows * (size_t)n + (size_t)c], st, c,
                                  &p->strings);
        }
        if (code == RL_OK) v->rows++;
    }
    be->reset(st);
    if (v) {
        v->values = vals;
        v->names = (const char *const *)(p ? p->names : NULL);
    } else {
        free(vals);
    }
    if (code == RL_OK && rc != RLB_DONE) code = rli_fail(q->db, NULL, rc, q->mi->table);
    if (code == RL_ENOMEM) rli_err_set(q->db, code, "query on %s: out of memory.", q->mi->table);
    if (code != RL_OK) {
        if (v)
            rl_values_free(v);
        else
            free(p);
        return code;
    }
    *out = v;
    return RL_OK;
}

void rl_values_free(rl_values *v)
{
    if (!v) return;
    if (v->priv) {
        for (size_t i = 0; v->priv->names && i < v->cols; i++)
            free(v->priv->names[i]);
        free(v->priv->names);
        rli_arena_free(&v->priv->strings);
        free(v->priv);
    }
    free((void *)v->values);
    free(v);
}
