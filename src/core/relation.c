/*
 * Relations between models, all read from declared foreign keys (child -> parent), of one
 * field (.references) or several (rl_key), to any unique key of the parent:
 *
 *   rl_join               each row with its parent: one LEFT JOIN (query.c reads it)
 *   rl_fetch_children     the children of a set of parents, grouped: one statement
 *   rl_fetch_parents      the parents of a set of children, the same way
 *   rl_fetch_linked       the rows linked to a set of rows through a link table: one statement
 *   rl_aggregate_children count/sum/avg/min/max of the children per parent: one statement
 *   (rl_where_referenced and rl_where_in_query, conditions through keys: subquery.c)
 *
 * A set of parents travels as one bound parameter holding every key (the shape's 'k' token:
 * json_each on SQLite, = ANY or json_populate_recordset on PostgreSQL), so the statement text
 * and the number of parameters are the same for 1 parent and for 100,000; the rows are put
 * into groups by key in C (keyset.c).
 */
#include "keyset.h"
#include "query.h"
#include "fieldread.h"
#include "db.h"
#include "error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- which key --------------------------------------------------------------------------- */

/* Whether key k of a child leads to parent: it references parent's table, or parent is a
 * view that shows the columns it references (rli_key_toward). */
static bool references(rl_db *db, const rli_key *k, const model_info *parent)
{
    rli_key copy = *k;
    return rli_key_toward(db, parent, &copy);
}

int rli_find_key(rl_query *q, model_info *child, model_info *parent, const char *key, int *ki)
{
    rli_key k;
    int found = -1, count = 0;
    if (key) {
        for (int i = -1; found < 0 && rli_key_next(child, &i, &k);)
            if (strcmp(k.name, key) == 0 ||
                (k.n == 1 && strcmp(child->columns[k.child[0]], key) == 0))
                found = i;
        if (found < 0 && rli_model_field_index(child, key) < 0 && !strchr(key, ','))
            return rli_q_unknown_field(q, key);
        if (found >= 0) rli_key_of(child, found, &k);
        if (found < 0 || !references(q->db, &k, parent))
            return rli_q_fail(q, RL_EINVAL, "%s.%s is not a foreign key to %s.", child->table, key,
                              parent->table);
        *ki = found;
        return RL_OK;
    }
    strbuf names;
    rli_sb_init(&names);
    for (int i = -1; rli_key_next(child, &i, &k);) {
        if (!references(q->db, &k, parent)) continue;
        rli_sb_puts(&names, count++ ? ", " : "");
        rli_sb_puts(&names, k.name);
        found = i;
    }
    int rc = RL_OK;
    if (count == 0)
        rc = rli_q_fail(q, RL_EINVAL, "%s has no foreign key to %s.", child->table, parent->table);
    else if (count > 1)
        rc = rli_q_fail(q, RL_EAMBIGUOUS,
                        "%s has %d foreign keys to %s (%s): name the one to follow.", child->table,
                        count, parent->table, sb_str(&names));
    rli_sb_free(&names);
    if (rc == RL_OK) *ki = found;
    return rc;
}

/* The model information of a model given to a relation call, or the query's error. */
static int parent_info(rl_query *q, const rl_model *parent, model_info **out)
{
    if (q->error) return rli_err_set(q->db, q->error, "%s", q->errmsg ? q->errmsg : "");
    int rc = rli_model_lookup(q->db, parent, out);
    if (rc != RL_OK) return rli_q_fail(q, rc, "%s", q->db->e.err.message);
    return RL_OK;
}

int rl_join(rl_query *q, const rl_model *parent, const char *key)
{
    if (!q) return RL_EINVAL;
    model_info *p;
    int rc = parent_info(q, parent, &p);
    if (rc != RL_OK) return rc;
    if (q->join)
        return rli_q_fail(q, RL_EMISUSE, "query on %s: it is already joined to %s.", q->mi->table,
                          q->join->table);
    int ki;
    if ((rc = rli_find_key(q, q->mi, p, key, &ki)) != RL_OK) return rc;
    q->join = p;
    q->join_key = ki;
    return RL_OK;
}

/* ---- sets of parents ----------------------------------------------------------------------- */

/* The column names of columns c of mi (RLS_PK: its pk column). */
static void col_names(const model_info *mi, const key_cols *c, const char **names)
{
    for (int i = 0; i < c->n; i++)
        names[i] = c->code[i] == RLS_PK ? mi->pk_column : mi->columns[c->code[i]];
}

/* What every call on a set of rows shares: the checks, the child's key to parent (into *k),
 * and the set of keys of n rows: the parents' referenced columns, or (of_children) the
 * children's keys; named_by: the model whose columns the statement compares with the set. */
static int key_set(rl_query *q, model_info *child, model_info *parent, const char *key,
                   bool of_children, const model_info *named_by, const void *rows, size_t n,
                   rli_key *k, parent_set *ps)
{
    if (n && !rows)
        return rli_q_fail(q, RL_EINVAL, "query: no %s rows were given.",
                          of_children ? "child" : "parent");
    if (q->join || q->nmore)
        return rli_q_fail(q, RL_EMISUSE, "query on %s: a set of %s takes a query without a join.",
                          q->mi->table, of_children ? "keys" : "parents");
    int ki, rc = rli_find_key(q, child, parent, key, &ki);
    if (rc == RL_OK) rc = rli_q_ready(q);
    if (rc != RL_OK) return rc;
    rli_key_to(q->db, child, ki, parent, k);
    const model_info *of = of_children ? child : parent;
    key_cols c = of_children ? rli_child_cols(k) : rli_parent_cols(k);
    key_cols named = named_by == child ? rli_child_cols(k) : rli_parent_cols(k);
    const char *names[RLS_KEY_MAX];
    col_names(named_by, &named, names);
    if (rli_keyset_make(q->db, of->model, &c, names, rows, n, ps) != RL_OK) {
        rli_keyset_free(ps);
        return rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
    }
    return RL_OK;
}

/* Resolve the parent, then key_set on the parents.  On success the caller frees ps. */
static int set_up_on(rl_query *q, model_info *child, const rl_model *parent, const char *key,
                     const void *parents, size_t n, rli_key *k, parent_set *ps)
{
    model_info *p;
    int rc = parent_info(q, parent, &p);
    return rc != RL_OK ? rc : key_set(q, child, p, key, false, child, parents, n, k, ps);
}

static int set_up(rl_query *q, const rl_model *parent, const char *key, const void *parents,
                  size_t n, rli_key *k, parent_set *ps)
{
    return set_up_on(q, q->mi, parent, key, parents, n, k, ps);
}

/* Add "columns c (field codes of q's statement) IN the set" to q for one run; undo_* receive
 * what to restore after it. */
static int add_key_set(rl_query *q, const key_cols *c, int offset, parent_set *ps,
                       size_t *undo_shape, size_t *undo_params)
{
    *undo_shape = q->shape.len;
    *undo_params = q->nparams;
    static const char hex[] = "0123456789abcdef";
    char token[2 + 2 * RLS_KEY_MAX] = {'k', hex[c->n]}; /* 'k' n FF... */
    for (int i = 0; i < c->n; i++) {
        int code = c->code[i] == RLS_PK ? RLS_PK : c->code[i] + offset;
        token[2 + 2 * i] = hex[(code >> 4) & 15];
        token[3 + 2 * i] = hex[code & 15];
    }
    rli_sb_putn(&q->shape, token, 2 + 2 * (size_t)c->n);
    return rli_q_add_param(q, rl_text(sb_str(&ps->text)));
}

static void drop_key_set(rl_query *q, size_t shape_len, size_t nparams)
{
    if (!q->shape.oom) q->shape.s[q->shape.len = shape_len] = '\0';
    q->nparams = nparams;
}

/* ---- prefetch -------------------------------------------------------------------------------- */

/* Group rows (when rc is RL_OK) into *out, and free what is left either way. */
static int finish_groups(rl_query *q, const key_cols *c, const rl_value *keys, parent_set *ps,
                         size_t n, int rc, rl_rows *rows, rl_groups **out)
{
    rl_groups *g = rc == RL_OK ? calloc(1, sizeof *g) : NULL;
    if (rc == RL_OK && (!g || rli_group_rows(q->mi->model, c, keys, ps, n, rows, g) != RL_OK)) {
        free(g);
        rc = rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
    }
    rli_keyset_free(ps);
    if (rc != RL_OK) {
        rl_rows_free(rows);
        return rc;
    }
    /* the strings stay where they are: the result set's arena moves to the groups */
    g->priv = rows->priv;
    g->priv->start = (size_t *)g->start;
    g->priv->size = (size_t *)g->size;
    rows->priv = NULL;
    rl_rows_free(rows);
    *out = g;
    return RL_OK;
}

int rl_fetch_children(rl_query *children, const rl_model *parent, const char *key,
                      const void *parents, size_t n, rl_groups **out)
{
    if (!children || !out) return RL_EINVAL;
    *out = NULL;
    rl_query *q = children;
    rli_key k;
    int rc;
    parent_set ps;
    if ((rc = set_up(q, parent, key, parents, n, &k, &ps)) != RL_OK) return rc;
    size_t shape_len, nparams;
    rl_rows *rows = NULL;
    key_cols c = rli_child_cols(&k);
    rc = add_key_set(q, &c, 0, &ps, &shape_len, &nparams);
    if (rc == RL_OK) rc = rli_q_fetch(q, -1, &rows);
    drop_key_set(q, shape_len, nparams);
    return finish_groups(q, &c, NULL, &ps, n, rc, rows, out);
}

int rl_fetch_parents(rl_query *parents, const rl_model *child, const char *key,
                     const void *children, size_t n, rl_groups **out)
{
    if (!parents || !out) return RL_EINVAL;
    *out = NULL;
    rl_query *q = parents;
    model_info *c;
    int rc = q->error ? rli_err_set(q->db, q->error, "%s", q->errmsg ? q->errmsg : "")
                      : rli_model_lookup(q->db, child, &c);
    if (rc != RL_OK) return q->error ? rc : rli_q_fail(q, rc, "%s", q->db->e.err.message);
    parent_set ps;
    rli_key k;
    if ((rc = key_set(q, c, q->mi, key, true, q->mi, children, n, &k, &ps)) != RL_OK) return rc;
    key_cols pc = rli_parent_cols(&k); /* the parent's columns the key references */
    size_t shape_len, nparams;
    rl_rows *rows = NULL;
    rc = add_key_set(q, &pc, 0, &ps, &shape_len, &nparams);
    if (rc == RL_OK) rc = rli_q_fetch(q, -1, &rows);
    drop_key_set(q, shape_len, nparams);
    /* the parents are grouped by their referenced columns, as the set of children's keys */
    return finish_groups(q, &pc, NULL, &ps, n, rc, rows, out);
}

/* The link's keys to A and to B.  Between rows of one model (a == b) the link's first key to
 * it is A's side and its second B's, in declaration order (RL_LINK_MODEL's a_member first). */
static int link_keys(rl_query *q, model_info *lk, model_info *ma, model_info *mb, int *a_fi,
                     int *b_fi)
{
    if (strcmp(ma->table, mb->table) != 0) {
        int rc = rli_find_key(q, lk, ma, NULL, a_fi);
        return rc == RL_OK ? rli_find_key(q, lk, mb, NULL, b_fi) : rc;
    }
    int found[2], n = 0;
    rli_key k;
    for (int i = -1; rli_key_next(lk, &i, &k);)
        if (references(q->db, &k, ma) && n++ < 2) found[n - 1] = i;
    if (n != 2)
        return rli_q_fail(q, n > 2 ? RL_EAMBIGUOUS : RL_EINVAL,
                          "%s links %s with itself through %d keys; a link needs exactly two.",
                          lk->table, ma->table, n);
    *a_fi = found[0];
    *b_fi = found[1];
    return RL_OK;
}

int rl_fetch_linked(rl_query *b, const rl_model *link, const rl_model *a, const void *as, size_t n,
                    rl_groups **out)
{
    if (!b || !out) return RL_EINVAL;
    *out = NULL;
    model_info *lk, *ma;
    int a_ki, b_ki, rc = parent_info(b, link, &lk);
    parent_set ps;
    rli_key ak;
    if (rc == RL_OK) rc = parent_info(b, a, &ma);
    if (rc == RL_OK) rc = link_keys(b, lk, ma, b->mi, &a_ki, &b_ki);
    if (rc == RL_OK) rli_key_of(lk, a_ki, &ak);
    /* the set of A's keys, through the link's key to A */
    if (rc == RL_OK) rc = set_up_on(b, lk, a, ak.name, as, n, &ak, &ps);
    if (rc != RL_OK) return rc;
    /* one statement: b's rows joined to the link table, with the key to A after each row */
    rl_rows *rows = NULL;
    size_t shape_len, nparams;
    b->join = lk;
    b->join_key = b_ki;
    b->link_a = a_ki;
    key_cols ac = rli_child_cols(&ak);
    rc = add_key_set(b, &ac, RLS_JOINED, &ps, &shape_len, &nparams);
    if (rc == RL_OK) rc = rli_q_fetch(b, -1, &rows);
    drop_key_set(b, shape_len, nparams);
    b->join = NULL;
    b->link_a = -1;
    rl_value *keys = rows ? rows->priv->keys : NULL;
    if (rows) rows->priv->keys = NULL;
    rc = finish_groups(b, &ac, keys, &ps, n, rc, rows, out); /* no row: no key is looked at */
    free(keys);
    return rc;
}

/* The row of link whose keys are a_pk (to model a) and b_pk (to model b), as a query; *a_fi
 * and *b_fi: the link's fields of each side. */
static int link_query(rl_db *db, const rl_model *link, const rl_model *a, int64_t a_pk,
                      const rl_model *b, int64_t b_pk, rl_query **out, int *a_fi, int *b_fi)
{
    rl_query *q = rl_select(db, link);
    *out = q;
    if (!q) return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    model_info *ma, *mb;
    int rc = parent_info(q, a, &ma);
    if (rc == RL_OK) rc = parent_info(q, b, &mb);
    if (rc == RL_OK) rc = link_keys(q, q->mi, ma, mb, a_fi, b_fi);
    if (rc == RL_OK && (*a_fi >= RLI_CKEY || *b_fi >= RLI_CKEY))
        rc = rli_q_fail(q, RL_EINVAL,
                        "%s links through a key of several columns: write its rows with "
                        "rl_insert and rl_delete_where.",
                        q->mi->table);
    if (rc == RL_OK) rc = rl_where(q, q->mi->model->fields[*a_fi].name, RL_EQ, rl_int(a_pk));
    if (rc == RL_OK) rc = rl_where(q, q->mi->model->fields[*b_fi].name, RL_EQ, rl_int(b_pk));
    return rc;
}

/* Set key field fi of a row of m to v. */
static void set_key(const rl_model *m, void *row, int fi, int64_t v)
{
    const rl_field *f = &m->fields[fi];
    if (f->ctype == RL_CT_INT64) memcpy((char *)row + f->offset, &v, sizeof v);
    if (f->ctype == RL_CT_MAYBE_INT)
        memcpy((char *)row + f->offset, &(rl_maybe_int){true, v}, sizeof(rl_maybe_int));
    if (f->ctype == RL_CT_VALUE) {
        rl_value x = rl_int(v);
        memcpy((char *)row + f->offset, &x, sizeof x);
    }
}

int rl_link(rl_db *db, const rl_model *link, const rl_model *a, int64_t a_pk, const rl_model *b,
            int64_t b_pk)
{
    if (!db) return RL_EINVAL;
    rl_query *q;
    int a_fi, b_fi;
    int rc = link_query(db, link, a, a_pk, b, b_pk, &q, &a_fi, &b_fi);
    if (rc == RL_OK) {
        const rl_model *m = q->mi->model;
        void *row = calloc(1, m->size);
        if (row) {
            set_key(m, row, a_fi, a_pk);
            set_key(m, row, b_fi, b_pk);
        }
        rc = row ? rl_insert(db, link, row) : rli_err_set(db, RL_ENOMEM, "Out of memory.");
        free(row);
    }
    rl_query_free(q);
    return rc;
}

int rl_unlink(rl_db *db, const rl_model *link, const rl_model *a, int64_t a_pk, const rl_model *b,
              int64_t b_pk)
{
    if (!db) return RL_EINVAL;
    rl_query *q;
    int64_t changed = 0;
    int a_fi, b_fi;
    int rc = link_query(db, link, a, a_pk, b, b_pk, &q, &a_fi, &b_fi);
    if (rc == RL_OK) rc = rl_delete_where(q, &changed);
    if (rc == RL_OK && changed == 0)
        rc = rli_err_set(db, RL_ENOTFOUND,
                         "delete from %s: no link between %s %" PRId64 " and %s %" PRId64 ".",
                         q->mi->table, rl_model_table(db, a), a_pk, rl_model_table(db, b), b_pk);
    rl_query_free(q);
    return rc;
}

void rl_groups_free(rl_groups *g)
{
    if (!g) return;
    if (g->priv) rli_arena_free(&g->priv->strings);
    free(g->priv);
    free((void *)g->start);
    free((void *)g->size);
    free(g->items);
    free(g);
}

/* ---- aggregates ------------------------------------------------------------------------------ */

/* The aggregate's value in column col of st: count an integer, avg real, the others the
 * field's type. */
static rl_value agg_value(const rl_backend *be, rlb_stmt *st, int col, rl_agg agg, rl_kind kind)
{
    if (be->column_null(st, col)) return rl_null();
    if (agg == RL_AGG_COUNT) return rl_int(be->column_int64(st, col));
    if (kind == RL_KIND_NUMERIC && agg != RL_AGG_AVG) { /* a whole number stays one */
        size_t len;
        const char *t = be->column_text(st, col, &len);
        char *end;
        errno = 0;
        long long whole = t ? strtoll(t, &end, 10) : 0;
        if (t && end != t && !*end && errno != ERANGE) return rl_int(whole);
    }
    if (agg == RL_AGG_AVG || kind == RL_KIND_REAL || kind == RL_KIND_NUMERIC)
        return rl_real(be->column_double(st, col));
    return rl_int(be->column_int64(st, col));
}

static int agg_field(rl_query *q, rl_agg agg, const char *field, int *code, rl_kind *kind)
{
    *code = -1;
    *kind = RL_KIND_INTEGER;
    if ((unsigned)agg > RL_AGG_MAX)
        return rli_q_fail(q, RL_EINVAL, "query on %s: unknown aggregate %d.", q->mi->table,
                          (int)agg);
    if (!field) {
        if (agg == RL_AGG_COUNT) return RL_OK;
        return rli_q_fail(q, RL_EINVAL, "query on %s: this aggregate needs a field.", q->mi->table);
    }
    int fi = rli_model_field_index(q->mi, field);
    if (fi < 0) return rli_q_unknown_field(q, field);
    *kind = rli_field_kind(&q->mi->model->fields[fi]);
    if (*kind != RL_KIND_INTEGER && *kind != RL_KIND_REAL && *kind != RL_KIND_BOOLEAN &&
        *kind != RL_KIND_NUMERIC)
        return rli_q_fail(q, RL_EINVAL, "query on %s: %s is not a number to aggregate.",
                          q->mi->table, field);
    *code = fi;
    return RL_OK;
}

int rl_aggregate_children(rl_query *children, const rl_model *parent, const char *key,
                          const void *parents, size_t n, rl_agg agg, const char *field,
                          rl_value *out)
{
    if (!children || (n && !out)) return RL_EINVAL;
    rl_query *q = children;
    int code, rc;
    rl_kind kind;
    if ((rc = agg_field(q, agg, field, &code, &kind)) != RL_OK) return rc;
    parent_set ps;
    rli_key k;
    if ((rc = set_up(q, parent, key, parents, n, &k, &ps)) != RL_OK) return rc;
    for (size_t i = 0; i < n; i++)
        out[i] = agg == RL_AGG_COUNT ? rl_int(0) : rl_null();
    size_t shape_len, nparams;
    rlb_stmt *st = NULL;
    key_cols c = rli_child_cols(&k);
    q->agg = (int)agg;
    q->agg_field = code;
    q->nagg_group = k.n;
    for (int i = 0; i < k.n; i++)
        q->agg_group[i] = k.child[i];
    rc = add_key_set(q, &c, 0, &ps, &shape_len, &nparams);
    if (rc == RL_OK) rc = rli_q_prepare(q, SH_AGGREGATE, -1, &st);
    drop_key_set(q, shape_len, nparams);
    const rl_backend *be = q->db->be;
    rli_column_ops ops = rli_ops_of(be);
    arena texts = {0};
    int step = RLB_DONE;
    while (rc == RL_OK && (step = be->step(st)) == RLB_ROW) {
        rl_value kv[RLS_KEY_MAX];
        for (int i = 0; i < k.n && rc == RL_OK; i++)
            if (rli_value_read(&ops, rli_field_kind(&q->mi->model->fields[k.child[i]]), &kv[i], st,
                               i, &texts) != RL_OK)
                rc = rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
        if (rc != RL_OK) break;
        ptrdiff_t p = rli_key_find(&ps.map, kv);
        if (p >= 0) out[p] = agg_value(be, st, k.n, agg, kind);
    }
    rli_arena_free(&texts);
    if (st) be->reset(st);
    if (rc == RL_OK && step != RLB_DONE) rc = rli_fail(q->db, NULL, step, q->mi->table);
    for (size_t i = 0; rc == RL_OK && i < n; i++)
        out[i] = out[ps.first[i]];
    rli_keyset_free(&ps);
    return rc;
}
