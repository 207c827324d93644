/*
 * The query builder: conditions, groups, ordering and paging composed into one SQL statement
 * whose values are always bound parameters.  Field names are resolved against the model, so a
 * name that is not a field is an error (RL_EFIELD), never SQL.
 *
 * Builder calls do not write SQL: each appends a token to the query's shape (a short string:
 * condition = 'c' field op, IN list = 'i' field negate count ';', group = '(' kind ... ')',
 * order = 'o' field dir).  Running a SELECT, count or exists looks the shape up in the
 * model's statement cache; only a shape seen for the first time is rendered to SQL (quoted
 * identifiers, ? placeholders) and prepared.  A repeated query therefore costs a short hash
 * and its bindings, like a statement prepared once by hand.
 *
 * A builder call that fails makes the query remember the first error; the call that runs the
 * query returns it.  Callers may therefore chain builder calls and check once.
 */
#define _GNU_SOURCE /* vasprintf */
#include "query.h"
#include "db.h"
#include "error.h"
#include "stmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rli_q_fail(rl_query *q, int code, const char *fmt, ...)
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
    rl_query *q = db->spare; /* not calloc: the inline buffers need no zeroing */
    db->spare = NULL;
    if (!q && !(q = malloc(sizeof *q))) return NULL;
    q->db = db;
    q->mi = NULL;
    q->error = RL_OK;
    q->errmsg = NULL;
    q->sql = (strbuf){0};
    q->nparams = 0;
    q->texts = (arena){0};
    q->depth = q->norder = 0;
    q->limit = q->offset = -1;
    q->join = NULL;
    q->link_a = -1;
    q->nmore = q->nextra = 0;
    q->nitems = q->ngroups = 0;
    q->distinct = false;
    q->nsubs = 0;
    q->params = q->params_buf;
    q->cap = sizeof q->params_buf / sizeof q->params_buf[0];
    memcpy(q->shape_buf, SHAPE_HEAD, sizeof SHAPE_HEAD);
    q->shape = (strbuf){.s = q->shape_buf,
                        .len = sizeof SHAPE_HEAD - 1,
                        .cap = sizeof q->shape_buf,
                        .borrowed = true};
    /* a loop's queries are on one model: rli_model_lookup's first test, without the call */
    model_info *last = db->last_model;
    if (last && last->model == model && last->status == RL_OK && !last->validating) {
        q->mi = last;
        return q;
    }
    int rc = rli_model_lookup(db, model, &q->mi);
    if (rc != RL_OK) rli_q_fail(q, rc, "%s", db->e.err.message);
    return q;
}

void rl_query_free(rl_query *q)
{
    if (!q) return;
    /* only what a query grew beyond its inline buffers is freed: most queries grew nothing */
    if (!q->shape.borrowed) rli_sb_free(&q->shape);
    if (q->sql.s) rli_sb_free(&q->sql);
    if (q->params != q->params_buf) free(q->params);
    if (q->errmsg) free(q->errmsg);
    if (q->texts.head) rli_arena_free(&q->texts);
    if (q->db->spare)
        free(q);
    else
        q->db->spare = q;
}

#define PK_FIELD RLS_PK /* the field code of the primary key in a shape */

/* The field code of a field name of the query's own model (its index, or PK_FIELD), or -1
 * when the model has none. */
static inline int field_code(rl_query *q, const char *field)
{
    if (!q->mi || !field) return -1;
    if (q->mi->pk_word_free && field[0] == 'p' && field[1] == 'k' && !field[2]) return PK_FIELD;
    int fi = rli_model_field_index(q->mi, field);
    if (fi >= 0) return fi;
    if (q->mi->model->has_pk && (strcmp(field, "pk") == 0 || strcmp(field, q->mi->pk_column) == 0))
        return PK_FIELD;
    return -1;
}

/* The code of a parent's field named "<parent table>.<field>" or "<key>.<field>" after
 * rl_join, or -1. */
static int joined_code(rl_query *q, const char *field)
{
    const char *dot = strchr(field, '.');
    model_info *p = q->join;
    if (!dot || !p || q->link_a >= 0) return -1;
    size_t n = (size_t)(dot - field);
    rli_key key;
    rli_key_to(q->db, q->mi, q->join_key, p, &key);
    const char *col = key.n == 1 ? q->mi->columns[key.child[0]] : key.name;
    bool names_parent = strlen(p->table) == n && strncmp(field, p->table, n) == 0;
    bool names_key = (strlen(key.name) == n && strncmp(field, key.name, n) == 0) ||
                     (strlen(col) == n && strncmp(field, col, n) == 0);
    if (!names_parent && !names_key) return -1;
    const char *name = dot + 1;
    int fi = rli_model_field_index(p, name);
    if (fi >= 0) return RLS_JOINED + fi;
    if (strcmp(name, "pk") == 0 || strcmp(name, p->pk_column) == 0) return RLS_JOINED_PK;
    return -1;
}

/* A field of the query's own model, else of its joined parent. */
static inline int any_field_code(rl_query *q, const char *field)
{
    int code = field_code(q, field);
    if (code >= 0 || !field) return code;
    code = joined_code(q, field);
    return code >= 0 || !q->nmore ? code : rli_q_more_code(q, field);
}

int rli_q_field_code(rl_query *q, const char *field)
{
    return any_field_code(q, field);
}

static inline int add_param(rl_query *q, rl_value v)
{
    if (v.type == RL_V_DEFAULT)
        return rli_q_fail(q, RL_EINVAL,
                          "query: rl_default() stands only in update sets and inserted rows.");
    if (q->nparams == q->cap) {
        size_t cap = q->cap * 2;
        bool inline_ = q->params == q->params_buf;
        rl_value *p = inline_ ? malloc(cap * sizeof *p) : realloc(q->params, cap * sizeof *p);
        if (!p) return rli_q_fail(q, RL_ENOMEM, "Out of memory.");
        if (inline_) memcpy(p, q->params_buf, sizeof q->params_buf);
        q->params = p;
        q->cap = cap;
    }
    if (v.type == RL_V_TEXT) {
        size_t n = strlen(v.u.s);
        char *s = rli_arena_alloc(&q->texts, n + 1);
        if (!s) return rli_q_fail(q, RL_ENOMEM, "Out of memory.");
        memcpy(s, v.u.s, n + 1);
        v.u.s = s;
    } else if (v.type == RL_V_BLOB && v.u.b.len) {
        void *d = rli_arena_alloc(&q->texts, v.u.b.len);
        if (!d) return rli_q_fail(q, RL_ENOMEM, "Out of memory.");
        memcpy(d, v.u.b.data, v.u.b.len);
        v.u.b.data = d;
    }
    q->params[q->nparams++] = v;
    return RL_OK;
}

int rli_q_add_param(rl_query *q, rl_value v)
{
    return add_param(q, v);
}

static int check(rl_query *q)
{
    return q ? q->error : RL_EINVAL;
}

int rli_q_unknown_field(rl_query *q, const char *field)
{
    return rli_q_fail(q, RL_EFIELD, "query on %s: model %s has no field named '%s'.",
                      q->mi ? q->mi->table : "?", q->mi ? q->mi->model->type_name : "?",
                      field ? field : "(null)");
}

int rl_where(rl_query *q, const char *field, rl_op op, rl_value v)
{
    if (check(q) != RL_OK) return check(q);
    int code = any_field_code(q, field);
    if (code < 0) return rli_q_unknown_field(q, field);
    if (op <= RL_GE && v.type == RL_V_INT && q->nparams < q->cap) { /* the common case, in line */
        rli_q_token(q, 'c', code, (char)('A' + op));
        q->params[q->nparams++] = v;
        return RL_OK;
    }
    return rli_where_value(q, code, field, op, v, NULL, 0);
}

int rl_order_by(rl_query *q, const char *field, rl_order dir)
{
    if (check(q) != RL_OK) return check(q);
    int code = rli_q_field_code(q, field);
    if (code < 0) return rli_q_unknown_field(q, field);
    static const char dirs[] = "adflFL"; /* the order of rl_order */
    if ((unsigned)dir >= sizeof dirs - 1)
        return rli_q_fail(q, RL_EINVAL, "query on %s: unknown order %d.", q->mi->table, (int)dir);
    rli_q_token(q, 'o', code, dirs[dir]);
    q->norder++;
    return RL_OK;
}

int rl_limit(rl_query *q, int64_t limit)
{
    if (check(q) != RL_OK) return check(q);
    if (limit < 0) return rli_q_fail(q, RL_EINVAL, "query: a limit cannot be negative.");
    q->limit = limit;
    return RL_OK;
}

int rl_offset(rl_query *q, int64_t offset)
{
    if (check(q) != RL_OK) return check(q);
    if (offset < 0) return rli_q_fail(q, RL_EINVAL, "query: an offset cannot be negative.");
    q->offset = offset;
    return RL_OK;
}

/* ---- chosen columns, DISTINCT, GROUP BY (rl_fetch_values) ------------------------------------ */

int rli_q_item(rl_query *q, int agg, const char *field, int cast, const char *path, size_t len)
{
    if (check(q) != RL_OK) return check(q);
    if (q->nitems == RLI_MAX_ITEMS)
        return rli_q_fail(q, RL_EINVAL, "query on %s: at most %d columns can be chosen.",
                          q->mi->table, RLI_MAX_ITEMS);
    int code = -1;
    if (field && (code = rli_q_field_code(q, field)) < 0) return rli_q_unknown_field(q, field);
    if (!field && agg != RL_AGG_COUNT)
        return rli_q_fail(q, RL_EINVAL, "query on %s: only a count needs no field.", q->mi->table);
    const char *kept = path ? rli_copy_bytes(&q->texts, path, len) : NULL;
    if (path && !kept) return rli_q_fail(q, RL_ENOMEM, "Out of memory.");
    q->items[q->nitems++] = (rls_item){agg, code, cast, kept, len};
    return RL_OK;
}

int rl_select_field(rl_query *q, const char *field)
{
    if (check(q) == RL_OK && !field)
        return rli_q_fail(q, RL_EINVAL, "query: rl_select_field was given no field.");
    return rli_q_item(q, -1, field, 0, NULL, 0);
}

int rl_select_agg(rl_query *q, rl_agg agg, const char *field)
{
    if (check(q) == RL_OK && (unsigned)agg > RL_AGG_MAX)
        return rli_q_fail(q, RL_EINVAL, "query: unknown aggregate %d.", (int)agg);
    return rli_q_item(q, (int)agg, field, 0, NULL, 0);
}

int rl_distinct(rl_query *q)
{
    if (check(q) != RL_OK) return check(q);
    q->distinct = true;
    return RL_OK;
}

int rl_group_by(rl_query *q, const char *field)
{
    if (check(q) != RL_OK) return check(q);
    int code = rli_q_field_code(q, field);
    if (code < 0) return rli_q_unknown_field(q, field);
    if (q->ngroups == RLI_MAX_ITEMS)
        return rli_q_fail(q, RL_EINVAL, "query on %s: at most %d GROUP BY fields.", q->mi->table,
                          RLI_MAX_ITEMS);
    q->groups[q->ngroups++] = code;
    return RL_OK;
}

/* ---- running -------------------------------------------------------------------------------- */

/* The query can run: no builder error, its whole shape recorded, no group left open. */
int rli_q_ready(rl_query *q)
{
    if (q->error)
        return rli_err_set(q->db, q->error, "%s", q->errmsg ? q->errmsg : "Out of memory.");
    /* a shape cut short by a failed allocation must never find another shape's statement */
    if (q->shape.oom) return rli_q_fail(q, RL_ENOMEM, "Out of memory.");
    if (q->depth)
        return rli_q_fail(q, RL_EMISUSE, "query on %s: %d group%s left open (missing rl_end).",
                          q->mi->table, q->depth, q->depth == 1 ? " was" : "s were");
    return RL_OK;
}

static const rls_kind shape_kind[] = {
    [SH_SELECT] = RLS_SELECT, [SH_COUNT] = RLS_COUNT,         [SH_EXISTS] = RLS_EXISTS,
    [SH_DELETE] = RLS_DELETE, [SH_AGGREGATE] = RLS_AGGREGATE, [SH_VALUES] = RLS_SELECT};

/* Render the statement into q->sql; limit_override >= 0 replaces the query's limit. */
static int compose(rl_query *q, enum shape shape, int64_t limit_override)
{
    int code = rli_q_ready(q);
    if (code != RL_OK) return code;
    int64_t limit = limit_override >= 0 ? limit_override : q->limit;
    /* a join: each row's parent, or through a link table the rows' keys on the other side */
    bool link = q->join && q->link_a >= 0;
    rli_key k = {0}, a = {0};
    if (q->join) rli_key_to(q->db, link ? q->join : q->mi, q->join_key, link ? q->mi : q->join, &k);
    if (link) rli_key_of(q->join, q->link_a, &a);
    rls_join join = {.t = q->join ? &q->join->rt : NULL, .n = k.n, .with_pk = !link, .inner = link};
    for (int i = 0; i < k.n; i++) {
        join.left[i] = link ? k.parent[i] : k.child[i];
        join.right[i] = link                    ? RLS_JOINED + k.child[i]
                        : k.parent[i] == RLS_PK ? RLS_JOINED_PK
                                                : RLS_JOINED + k.parent[i];
    }
    join.columns = q->join && !link ? rls_all(q->join->model->nfields) : 0;
    for (int i = 0; i < a.n; i++)
        join.columns |= 1ULL << a.child[i];
    const rls_table *subs[RLI_MAX_SUBS];
    for (int i = 0; i < q->nsubs; i++)
        subs[i] = &q->subs[i]->rt;
    rls_stmt tree = {.kind = shape_kind[shape],
                     .t = &q->mi->rt,
                     .join = q->join ? &join : NULL,
                     .more = q->more,
                     .nmore = (size_t)q->nmore,
                     .extra = q->extra,
                     .nextra = (size_t)q->nextra,
                     .subs = subs,
                     .nsubs = (size_t)q->nsubs,
                     .agg = (rls_agg)q->agg,
                     .agg_field = q->agg_field,
                     .group = shape == SH_AGGREGATE ? q->agg_group : q->groups,
                     .items = shape == SH_VALUES ? q->items : NULL,
                     .nitems = shape == SH_VALUES ? (size_t)q->nitems : 0,
                     .distinct = shape == SH_VALUES && q->distinct,
                     .ngroup = shape == SH_VALUES      ? (size_t)q->ngroups
                               : shape == SH_AGGREGATE ? (size_t)q->nagg_group
                                                       : 0,
                     .columns = rls_all(q->mi->model->nfields),
                     .with_pk = true,
                     .where = RLS_WHERE_SHAPE,
                     .shape = q->shape.s + 2,
                     .paged = shape != SH_DELETE && shape != SH_AGGREGATE &&
                              (limit >= 0 || q->offset >= 0),
                     .limit = limit,
                     .offset = q->offset};
    q->sql.len = 0;
    rli_render(q->db->be->dialect, &tree, &q->sql);
    if (q->sql.oom) return rli_q_fail(q, RL_ENOMEM, "Out of memory.");
    return RL_OK;
}

/* Bind the conditions' values from index idx on, then limit and offset when paged. */
static inline void bind_params(rl_query *q, rlb_stmt *st, enum shape shape, int64_t limit_override,
                               int idx)
{
    const rl_backend *be = q->db->be;
    for (size_t i = 0; i < q->nparams; i++) {
        const rl_value *v = &q->params[i];
        if (v->type == RL_V_INT) /* the common case, without the generic switch */
            be->bind_int64(st, idx++, v->u.i);
        else
            be->bind(st, idx++, v);
    }
    int64_t limit = limit_override >= 0 ? limit_override : q->limit;
    if ((shape == SH_SELECT || shape == SH_COUNT || shape == SH_VALUES) &&
        (limit >= 0 || q->offset >= 0) && !be->dialect->limit_inline) {
        if (limit >= 0)
            be->bind_int64(st, idx++, limit);
        else
            be->bind(st, idx++, &be->dialect->no_limit);
        be->bind_int64(st, idx++, q->offset >= 0 ? q->offset : 0);
    }
}

/* Bind the set values, the conditions' values, and limit and offset when paged. */
static void bind_all(rl_query *q, rlb_stmt *st, enum shape shape, int64_t limit_override,
                     const rl_set *sets, size_t nsets)
{
    int idx = 1;
    for (size_t i = 0; i < nsets; i++)
        if (sets[i].value.type != RL_V_DEFAULT) /* written into the statement: no placeholder */
            q->db->be->bind(st, idx++, &sets[i].value);
    bind_params(q, st, shape, limit_override, idx);
}

/* What else decides the statement, after the shape in the cache key: the join's key, the
 * subqueries' tables, the aggregate. */
static void key_suffix(rl_query *q, enum shape shape)
{
    if (q->join) rli_sb_printf(&q->shape, "|j%p,%d,%d", (void *)q->join, q->join_key, q->link_a);
    for (int i = 0; i < q->nmore; i++) {
        rli_sb_printf(&q->shape, "|m%p", (void *)q->more_mi[i]);
        for (int c = 0; c < q->more[i].n; c++)
            rli_sb_printf(&q->shape, ",%d=%d", q->more[i].right[c], q->more[i].left[c]);
    }
    for (int i = 0; i < q->nextra; i++)
        rli_sb_printf(&q->shape, "|e%d,%d", q->extra[i].join, q->extra[i].field);
    for (int i = 0; i < q->nsubs; i++)
        rli_sb_printf(&q->shape, "|s%p", (void *)q->subs[i]);
    if (shape == SH_AGGREGATE) {
        rli_sb_printf(&q->shape, "|a%d,%d", q->agg, q->agg_field);
        for (int i = 0; i < q->nagg_group; i++)
            rli_sb_printf(&q->shape, ",%d", q->agg_group[i]);
    }
    if (shape == SH_VALUES) {
        rli_sb_puts(&q->shape, q->distinct ? "|vd" : "|v");
        for (int i = 0; i < q->nitems; i++)
            rli_sb_printf(&q->shape, "%d,%d,%d,%.*s;", q->items[i].agg, q->items[i].field,
                          q->items[i].cast, (int)q->items[i].path_len,
                          q->items[i].path ? q->items[i].path : "");
        rli_sb_puts(&q->shape, "g");
        for (int i = 0; i < q->ngroups; i++)
            rli_sb_printf(&q->shape, "%d;", q->groups[i]);
    }
}

/*
 * The prepared, bound statement of a SELECT, count or exists: looked up in the model's cache
 * by the query's shape, rendered and prepared only the first time that shape is seen.
 */
int rli_q_prepare(rl_query *q, enum shape shape, int64_t limit_override, rlb_stmt **out)
{
    int code = rli_q_ready(q);
    if (code != RL_OK) return code;
    int64_t limit = limit_override >= 0 ? limit_override : q->limit;
    /* the key: the kind of statement and whether it is paged, then the tokens */
    char *key = q->shape.s;
    key[0] = (char)('0' + shape);
    key[1] = limit >= 0 || q->offset >= 0 ? 'p' : '-';
    model_info *mi = q->mi;
    if (!mi->queries && !(mi->queries = calloc(1, sizeof *mi->queries))) code = RL_ENOMEM;
    uint64_t h = 0;
    /* Every parameter of a shape is bound on each use, and every use resets the statement
     * when it is done with it: a statement from this cache needs neither. */
    const rl_backend *be = q->db->be;
    /* a dialect that writes LIMIT and OFFSET as numbers: they are part of the key */
    size_t shape_len = q->shape.len;
    if (key[1] == 'p' && be->dialect->limit_inline)
        rli_sb_printf(&q->shape, "|%lld,%lld", (long long)limit, (long long)q->offset);
    key_suffix(q, shape);
    if (q->shape.oom) code = RL_ENOMEM;
    key = q->shape.s;
    rlb_stmt *st = code == RL_OK ? rli_cache_lookup(mi->queries, key, q->shape.len, &h) : NULL;
    if (!st && code == RL_OK && (code = compose(q, shape, limit_override)) == RL_OK &&
        (code = rli_prepare_kept(q->db, q->sql.s, &st, mi->table)) == RL_OK &&
        rli_cache_put(be, mi->queries, key, h, st) != RL_OK) {
        st = NULL;
        code = RL_ENOMEM;
    }
    if (!q->shape.oom) q->shape.s[q->shape.len = shape_len] = '\0';
    if (code == RL_ENOMEM) return rli_err_set(q->db, code, "Out of memory.");
    if (code != RL_OK) return code;
    bind_params(q, st, shape, limit_override, 1);
    *out = st;
    return RL_OK;
}

int rli_q_prepare_own(rl_query *q, rlb_stmt **out, char **text)
{
    *out = NULL;
    if (text) *text = NULL;
    int code = compose(q, SH_SELECT, -1);
    if (code != RL_OK) return code;
    rlb_stmt *st = NULL;
    model_info *mi = q->mi;
    if (mi->cursor_spare && strcmp(mi->cursor_sql, q->sql.s) == 0) { /* the last cursor's */
        st = mi->cursor_spare;
        mi->cursor_spare = NULL;
        if (text) { /* its text goes with it, to come back with it */
            *text = mi->cursor_sql;
            mi->cursor_sql = NULL;
        }
    } else if ((code = rli_prepare_once(q->db, q->sql.s, &st, q->mi->table)) != RL_OK) {
        return code;
    } else if (text) {
        *text = strdup(q->sql.s); /* NULL (out of memory): the statement is not kept */
    }
    bind_all(q, st, SH_SELECT, -1, NULL, 0);
    *out = st;
    return RL_OK;
}

/* A bulk UPDATE or DELETE composed in q->sql, prepared through the text-keyed cache. */
static int prepare_bound(rl_query *q, enum shape shape, int64_t limit_override, const rl_set *sets,
                         size_t nsets, rlb_stmt **out)
{
    rlb_stmt *st = NULL;
    int code = rli_cache_prepare(q->db, q->sql.s, &st);
    if (code != RL_OK) return code;
    bind_all(q, st, shape, limit_override, sets, nsets);
    *out = st;
    return RL_OK;
}

static int scalar(rl_query *q, enum shape shape, int64_t *out)
{
    if (!q || !out) return RL_EINVAL;
    rlb_stmt *st = NULL;
    int code = rli_q_prepare(q, shape, -1, &st);
    if (code != RL_OK) return code;
    int rc = q->db->be->step(st);
    if (rc == RLB_ROW)
        *out = q->db->be->column_int64(st, 0);
    else
        code = rli_fail(q->db, NULL, rc, q->mi->table);
    q->db->be->reset(st);
    return code;
}

int rl_count(rl_query *q, int64_t *out)
{
    return scalar(q, SH_COUNT, out);
}

int rl_count_planned(rl_query *q, int64_t *out)
{
    if (!q || !out) return RL_EINVAL;
    const char *explain = q->db->be->dialect->explain;
    if (!explain) return rl_count(q, out); /* no planner's estimate: the count */
    int code = compose(q, SH_SELECT, -1);
    if (code != RL_OK) return code;
    char *sql = malloc(strlen(explain) + q->sql.len + 1);
    if (!sql) return rli_q_fail(q, RL_ENOMEM, "Out of memory.");
    strcpy(sql, explain);
    strcat(sql, q->sql.s);
    rlb_stmt *st = NULL;
    code = rli_prepare_once(q->db, sql, &st, q->mi->table);
    free(sql);
    if (code != RL_OK) return code;
    bind_all(q, st, SH_SELECT, -1, NULL, 0);
    const rl_backend *be = q->db->be;
    int rc = be->step(st);
    const char *plan = rc == RLB_ROW ? be->column_text(st, 0, NULL) : NULL;
    const char *rows = plan ? strstr(plan, "\"Plan Rows\":") : NULL; /* the top node's */
    if (rows)
        *out = strtoll(rows + strlen("\"Plan Rows\":"), NULL, 10);
    else
        code = rc == RLB_ROW
                   ? rli_err_set(q->db, RL_ERROR, "%s: the plan has no row estimate.", q->mi->table)
                   : rli_fail(q->db, NULL, rc, q->mi->table);
    be->finalize(st);
    return code;
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
    rlb_stmt *st = NULL;
    int code = prepare_bound(q, SH_DELETE, -1, sets, nsets, &st);
    if (code != RL_OK) return code;
    int rc = rli_step_done(q->db, st);
    if (rc == RLB_DONE) {
        if (changed) *changed = q->db->be->changes(q->db->conn);
        return RL_OK;
    }
    char op[160];
    snprintf(op, sizeof op, "%s %s", verb, q->mi->table);
    code = rli_fail(q->db, st, rc, op);
    if (q->db->be->clear_bindings) q->db->be->clear_bindings(st);
    return code;
}

/* A bulk write names only its own table's columns: not after rl_join. */
static int no_join(rl_query *q, const char *verb)
{
    if ((!q->join && !q->nmore) || q->error) return RL_OK;
    return rli_q_fail(q, RL_EMISUSE,
                      "%s %s: a query joined to its parent cannot write; filter with "
                      "rl_where_in_query instead.",
                      verb, q->mi->table);
}

int rl_delete_where(rl_query *q, int64_t *changed)
{
    if (!q) return RL_EINVAL;
    if (no_join(q, "delete from") != RL_OK) return q->error;
    int code = compose(q, SH_DELETE, -1);
    if (code != RL_OK) return code;
    return run_bulk(q, NULL, 0, changed, "delete from");
}

int rl_update_where(rl_query *q, const rl_set *sets, size_t nsets, int64_t *changed)
{
    if (!q || (nsets && !sets)) return RL_EINVAL;
    if (no_join(q, "update") != RL_OK) return q->error;
    if (q->error)
        return rli_err_set(q->db, q->error, "%s", q->errmsg ? q->errmsg : "Out of memory.");
    if (nsets == 0) return rli_q_fail(q, RL_EINVAL, "update %s: nothing to set.", q->mi->table);
    unsigned char small[16], *codes = small;
    const char *small_sql[16], **set_sql = small_sql;
    if (nsets > sizeof small &&
        (!(codes = malloc(nsets)) || !(set_sql = malloc(nsets * sizeof *set_sql)))) {
        free(codes != small ? codes : NULL);
        return rli_q_fail(q, RL_ENOMEM, "Out of memory.");
    }
    int code = RL_OK;
    bool defaults = false;
    for (size_t i = 0; i < nsets && code == RL_OK; i++) {
        int fc = field_code(q, sets[i].field);
        if (fc < 0)
            code = rli_q_unknown_field(q, sets[i].field);
        else
            codes[i] = (unsigned char)fc;
        int fi = code == RL_OK ? rli_model_field_index(q->mi, sets[i].field) : -1;
        set_sql[i] = NULL;
        if (code == RL_OK && sets[i].value.type == RL_V_DEFAULT) {
            defaults = true;
            set_sql[i] =
                rli_default_sql(q->db, fi >= 0 ? &q->mi->model->fields[fi] : NULL, &q->texts);
            if (!set_sql[i]) code = rli_q_fail(q, RL_ENOMEM, "Out of memory.");
        } else if (fi >= 0) {
            code =
                rli_value_fits(q->db, q->mi, &q->mi->model->fields[fi], &sets[i].value, "update");
        }
    }
    if (code == RL_OK) code = rli_q_ready(q);
    if (code == RL_OK) {
        const rls_table *subs[RLI_MAX_SUBS];
        for (int i = 0; i < q->nsubs; i++)
            subs[i] = &q->subs[i]->rt;
        rls_stmt tree = {.kind = RLS_UPDATE,
                         .t = &q->mi->rt,
                         .subs = subs,
                         .nsubs = (size_t)q->nsubs,
                         .set = codes,
                         .nset = nsets,
                         .set_sql = defaults ? set_sql : NULL,
                         .where = RLS_WHERE_SHAPE,
                         .shape = q->shape.s + 2};
        q->sql.len = 0;
        rli_render(q->db->be->dialect, &tree, &q->sql);
        if (q->sql.oom) code = rli_q_fail(q, RL_ENOMEM, "Out of memory.");
    }
    if (codes != small) free(codes);
    if (set_sql != small_sql) free(set_sql);
    if (code != RL_OK) return code;
    return run_bulk(q, sets, nsets, changed, "update");
}

const char *rl_query_sql(rl_query *q)
{
    if (!q) return "";
    if (compose(q, SH_SELECT, -1) != RL_OK) return "";
    return sb_str(&q->sql);
}
