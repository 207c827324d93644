/*
 * Relations between models, all read from declared foreign keys (child -> parent):
 *
 *   rl_join               each row with its parent: one LEFT JOIN (query.c reads it)
 *   rl_fetch_children     the children of a set of parents, grouped: one statement
 *   rl_fetch_parents      the parents of a set of children, the same way
 *   rl_aggregate_children count/sum/avg/min/max of the children per parent: one statement
 *   (rl_where_referenced and rl_where_in_query, conditions through keys: subquery.c)
 *
 * A set of parents travels as one bound parameter holding every key (the shape's 'k' token:
 * json_each on SQLite, = ANY on PostgreSQL), so the statement text and the number of
 * parameters are the same for 1 parent and for 100,000.  Rows are grouped in C: parents are
 * put in a small open-addressing table by key, each child row is counted into its parent's
 * group and then moved there, keeping the order the query asked for.
 */
#include "query.h"
#include "fieldread.h"
#include "db.h"
#include "error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- which key --------------------------------------------------------------------------- */

/* Whether field f of a child references the table of parent. */
static bool references(rl_db *db, const rl_field *f, const model_info *parent)
{
    if (!f->references) return false;
    if (f->references == parent->model) return true;
    model_info *target = NULL;
    return rli_model_lookup(db, f->references, &target) == RL_OK &&
           strcmp(target->table, parent->table) == 0;
}

/* The index of the child's key to parent: the field named key, or (key NULL) its only key to
 * parent's table.  On failure the query q remembers why. */
int rli_find_key(rl_query *q, model_info *child, model_info *parent, const char *key, int *fi)
{
    const rl_model *m = child->model;
    if (key) {
        int i = rli_model_field_index(child, key);
        if (i < 0) return rli_q_unknown_field(q, key);
        if (!references(q->db, &m->fields[i], parent))
            return rli_q_fail(q, RL_EINVAL, "%s.%s is not a foreign key to %s.", child->table, key,
                              parent->table);
        *fi = i;
        return RL_OK;
    }
    int found = -1, count = 0;
    strbuf names;
    rli_sb_init(&names);
    for (size_t i = 0; i < m->nfields; i++) {
        if (!references(q->db, &m->fields[i], parent)) continue;
        rli_sb_puts(&names, count++ ? ", " : "");
        rli_sb_puts(&names, m->fields[i].name);
        found = (int)i;
    }
    int rc = RL_OK;
    if (count == 0)
        rc = rli_q_fail(q, RL_EINVAL, "%s has no foreign key to %s.", child->table, parent->table);
    else if (count > 1)
        rc = rli_q_fail(q, RL_EAMBIGUOUS,
                        "%s has %d foreign keys to %s (%s): name the one to follow.", child->table,
                        count, parent->table, sb_str(&names));
    rli_sb_free(&names);
    if (rc == RL_OK) *fi = found;
    return rc;
}

/* The model information of a model given to a relation call, or the query's error. */
static int parent_info(rl_query *q, const rl_model *parent, model_info **out)
{
    if (q->error) return rli_err_set(q->db, q->error, "%s", q->errmsg ? q->errmsg : "");
    int rc = rli_model_lookup(q->db, parent, out);
    if (rc != RL_OK) return rli_q_fail(q, rc, "%s", q->db->err.message);
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
    int fi;
    if ((rc = rli_find_key(q, q->mi, p, key, &fi)) != RL_OK) return rc;
    q->join = p;
    q->join_key = fi;
    return RL_OK;
}

/* ---- sets of parents ----------------------------------------------------------------------- */

/* Parents by key: slot -> index of the first parent with that key (+1; 0 is empty).  A key
 * is a value of any type (an integer, a text code, a real); NULL is no key. */
typedef struct key_map {
    size_t *slot, mask;
    const rl_value *keys;
} key_map;

static size_t key_hash(const rl_value *v)
{
    uint64_t x;
    if (v->type == RL_V_TEXT) {
        x = 1469598103934665603ULL;
        for (const unsigned char *p = (const unsigned char *)v->u.s; *p; p++)
            x = (x ^ *p) * 1099511628211ULL;
    } else if (v->type == RL_V_REAL) {
        memcpy(&x, &v->u.r, sizeof x);
    } else {
        x = (uint64_t)v->u.i;
    }
    x *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(x ^ (x >> 29));
}

/* Whether a value can be a key: a blob or NULL is none. */
static bool is_key(const rl_value *v)
{
    return v->type == RL_V_INT || v->type == RL_V_TEXT || v->type == RL_V_REAL;
}

static bool key_same(const rl_value *a, const rl_value *b)
{
    if (a->type != b->type) return false;
    if (a->type == RL_V_TEXT) return strcmp(a->u.s, b->u.s) == 0;
    if (a->type == RL_V_REAL) return a->u.r == b->u.r;
    return a->u.i == b->u.i;
}

/* The index of the first parent with key k, or -1. */
static ptrdiff_t key_find(const key_map *m, const rl_value *k)
{
    if (!is_key(k)) return -1;
    for (size_t s = key_hash(k) & m->mask;; s = (s + 1) & m->mask) {
        if (!m->slot[s]) return -1;
        if (key_same(&m->keys[m->slot[s] - 1], k)) return (ptrdiff_t)m->slot[s] - 1;
    }
}

/* The keys of n parents at rows, a map of them, and the bound text of the set ("[1,2]" or
 * "{1,2}"; text as JSON strings, or as an array literal's quoted elements); first[i]: the
 * index of the first parent with parent i's key.  Text keys are borrowed from the rows. */
typedef struct parent_set {
    rl_value *keys;
    size_t *first;
    key_map map;
    strbuf text;
} parent_set;

static void parent_set_free(parent_set *ps)
{
    free(ps->keys);
    free(ps->first);
    free(ps->map.slot);
    rli_sb_free(&ps->text);
}

/* One key in the set's text: JSON (json) or a PostgreSQL array literal's element. */
static void key_text(strbuf *b, const rl_value *v, bool json)
{
    if (v->type == RL_V_INT) {
        rli_sb_printf(b, "%" PRId64, v->u.i);
    } else if (v->type == RL_V_REAL) {
        char num[32];
        rli_real_text(v->u.r, num);
        rli_sb_puts(b, num);
    } else {
        rli_sb_putn(b, "\"", 1);
        for (const unsigned char *p = (const unsigned char *)v->u.s; *p; p++) {
            if (*p == '"' || *p == '\\') rli_sb_putn(b, "\\", 1);
            if (json && *p < 0x20)
                rli_sb_printf(b, "\\u%04x", *p);
            else
                rli_sb_putn(b, (const char *)p, 1);
        }
        rli_sb_putn(b, "\"", 1);
    }
}

/* The value of the column code (RLS_PK or a field index) of a row of m. */
static rl_value key_of(const rl_model *m, int code, const void *row)
{
    return code == RLS_PK ? rl_int(rli_row_pk(m, row)) : rli_field_value(&m->fields[code], row);
}

/* The set of the keys of n rows of m: the values of their column code (a row whose value is
 * NULL is left out of the set and of the map). */
static int parent_set_make(rl_db *db, const rl_model *m, int code, const void *rows, size_t n,
                           parent_set *ps)
{
    *ps = (parent_set){0};
    rli_sb_init(&ps->text);
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    ps->keys = malloc((n ? n : 1) * sizeof *ps->keys);
    ps->first = malloc((n ? n : 1) * sizeof *ps->first);
    ps->map = (key_map){calloc(cap, sizeof(size_t)), cap - 1, ps->keys};
    if (!ps->keys || !ps->first || !ps->map.slot) return RL_ENOMEM;
    const char *br = db->be->dialect->key_set_array;
    rli_sb_putn(&ps->text, br, 1);
    for (size_t i = 0; i < n; i++) {
        rl_value v = key_of(m, code, (const char *)rows + i * m->size);
        ps->keys[i] = v;
        ps->first[i] = i;
        if (!is_key(&v)) continue; /* no key: no parent */
        ptrdiff_t f = key_find(&ps->map, &v);
        if (f >= 0) {
            ps->first[i] = (size_t)f;
            continue;
        }
        size_t s = key_hash(&v) & ps->map.mask;
        while (ps->map.slot[s])
            s = (s + 1) & ps->map.mask;
        ps->map.slot[s] = i + 1;
        if (ps->text.len > 1) rli_sb_putn(&ps->text, ",", 1);
        key_text(&ps->text, &v, br[0] == '[');
    }
    rli_sb_putn(&ps->text, br + 1, 1);
    return ps->text.oom ? RL_ENOMEM : RL_OK;
}

/* What every call on a set of rows shares: the checks, the child's key to parent (into *fi),
 * and the set of keys of n rows: the parents' pks, or (of_children) the children's keys. */
static int key_set(rl_query *q, model_info *child, model_info *parent, const char *key,
                   bool of_children, const void *rows, size_t n, int *fi, parent_set *ps)
{
    if (n && !rows)
        return rli_q_fail(q, RL_EINVAL, "query: no %s rows were given.",
                          of_children ? "child" : "parent");
    if (q->join)
        return rli_q_fail(q, RL_EMISUSE, "query on %s: a set of %s takes a query without a join.",
                          q->mi->table, of_children ? "keys" : "parents");
    int rc = rli_find_key(q, child, parent, key, fi);
    if (rc == RL_OK) rc = rli_q_ready(q);
    if (rc != RL_OK) return rc;
    const model_info *of = of_children ? child : parent;
    if (parent_set_make(q->db, of->model, of_children ? *fi : child->ref[*fi], rows, n, ps) !=
        RL_OK) {
        parent_set_free(ps);
        return rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
    }
    return RL_OK;
}

/* Resolve the parent, then key_set on the parents.  On success the caller frees ps. */
static int set_up_on(rl_query *q, model_info *child, const rl_model *parent, const char *key,
                     const void *parents, size_t n, int *fi, parent_set *ps)
{
    model_info *p;
    int rc = parent_info(q, parent, &p);
    return rc != RL_OK ? rc : key_set(q, child, p, key, false, parents, n, fi, ps);
}

static int set_up(rl_query *q, const rl_model *parent, const char *key, const void *parents,
                  size_t n, int *fi, parent_set *ps)
{
    return set_up_on(q, q->mi, parent, key, parents, n, fi, ps);
}

/* Add "key IN the set" to q for one run; undo_* receive what to restore after it. */
static int add_key_set(rl_query *q, int fi, parent_set *ps, size_t *undo_shape, size_t *undo_params)
{
    *undo_shape = q->shape.len;
    *undo_params = q->nparams;
    static const char hex[] = "0123456789abcdef";
    char token[3] = {'k', hex[(fi >> 4) & 15], hex[fi & 15]}; /* 'k' FF */
    rli_sb_putn(&q->shape, token, sizeof token);
    return rli_q_add_param(q, rl_text(sb_str(&ps->text)));
}

static void drop_key_set(rl_query *q, size_t shape_len, size_t nparams)
{
    if (!q->shape.oom) q->shape.s[q->shape.len = shape_len] = '\0';
    q->nparams = nparams;
}

/* ---- prefetch -------------------------------------------------------------------------------- */

/* Move the rows of r into groups by their keys (keys[k]: row k's; NULL: the rows' field fi),
 * keeping their order in each group. */
static int group_rows(rl_query *q, int fi, const rl_value *keys, const parent_set *ps, size_t n,
                      rl_rows *r, rl_groups *g)
{
    const rl_model *m = q->mi->model;
    size_t *start = calloc(n ? n : 1, sizeof *start), *size = calloc(n ? n : 1, sizeof *size);
    size_t *owner = malloc((r->count ? r->count : 1) * sizeof *owner);
    if (!start || !size || !owner) {
        free(start), free(size), free(owner);
        return RL_ENOMEM;
    }
    /* Rows that already come group after group (the engine walked the key's index value by
     * value) stay where they are; others are moved into place. */
    bool grouped = true;
    size_t prev = SIZE_MAX;
    rl_value prev_key = rl_null();
    ptrdiff_t p = -1;
    for (size_t k = 0; k < r->count; k++) {
        rl_value v = keys ? keys[k] : key_of(m, fi, (char *)r->items + k * m->size);
        if (!is_key(&v))
            p = -1;
        else if (k == 0 || p < 0 || !key_same(&v, &prev_key)) { /* a parent's rows: together */
            prev_key = v;
            p = key_find(&ps->map, &v);
        }
        owner[k] = p >= 0 ? (size_t)p : SIZE_MAX; /* the statement matched the set only */
        if (p < 0)
            grouped = false;
        else if (size[p]++ == 0)
            start[p] = k;
        else if ((size_t)p != prev)
            grouped = false;
        prev = owner[k];
    }
    grouped = grouped && r->count > 0;
    void *items = grouped ? r->items : malloc((r->count ? r->count : 1) * m->size);
    size_t *fill = grouped ? NULL : calloc(n ? n : 1, sizeof *fill);
    if (!items || (!grouped && !fill)) {
        free(start), free(size), free(owner), free(fill);
        if (!grouped) free(items);
        return RL_ENOMEM;
    }
    size_t at = 0;
    for (size_t i = 0; !grouped && i < n; i++)
        if (ps->first[i] == i) {
            start[i] = at;
            at += size[i];
        }
    for (size_t k = 0; !grouped && k < r->count; k++)
        if (owner[k] != SIZE_MAX)
            memcpy((char *)items + (start[owner[k]] + fill[owner[k]]++) * m->size,
                   (char *)r->items + k * m->size, m->size);
    if (grouped) {
        at = r->count;
        r->items = NULL; /* the groups own the rows now */
    }
    for (size_t i = 0; i < n; i++) { /* a parent given twice shares its first place's group */
        start[i] = start[ps->first[i]];
        size[i] = size[ps->first[i]];
    }
    free(fill);
    free(owner);
    *g = (rl_groups){.count = n, .start = start, .size = size, .total = at, .items = items};
    return RL_OK;
}

/* Group rows (when rc is RL_OK) into *out, and free what is left either way. */
static int finish_groups(rl_query *q, int fi, const rl_value *keys, parent_set *ps, size_t n,
                         int rc, rl_rows *rows, rl_groups **out)
{
    rl_groups *g = rc == RL_OK ? calloc(1, sizeof *g) : NULL;
    if (rc == RL_OK && (!g || group_rows(q, fi, keys, ps, n, rows, g) != RL_OK)) {
        free(g);
        rc = rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
    }
    parent_set_free(ps);
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
    int fi, rc;
    parent_set ps;
    if ((rc = set_up(q, parent, key, parents, n, &fi, &ps)) != RL_OK) return rc;
    size_t shape_len, nparams;
    rl_rows *rows = NULL;
    rc = add_key_set(q, fi, &ps, &shape_len, &nparams);
    if (rc == RL_OK) rc = rli_q_fetch(q, -1, &rows);
    drop_key_set(q, shape_len, nparams);
    return finish_groups(q, fi, NULL, &ps, n, rc, rows, out);
}

int rl_fetch_parents(rl_query *parents, const rl_model *child, const char *key,
                     const void *children, size_t n, rl_groups **out)
{
    if (!parents || !out) return RL_EINVAL;
    *out = NULL;
    rl_query *q = parents;
    model_info *c;
    int fi, rc = q->error ? rli_err_set(q->db, q->error, "%s", q->errmsg ? q->errmsg : "")
                          : rli_model_lookup(q->db, child, &c);
    if (rc != RL_OK) return q->error ? rc : rli_q_fail(q, rc, "%s", q->db->err.message);
    parent_set ps;
    if ((rc = key_set(q, c, q->mi, key, true, children, n, &fi, &ps)) != RL_OK) return rc;
    int code = c->ref[fi]; /* the parent's column the key references */
    size_t shape_len, nparams;
    rl_rows *rows = NULL;
    rc = add_key_set(q, code, &ps, &shape_len, &nparams);
    if (rc == RL_OK) rc = rli_q_fetch(q, -1, &rows);
    drop_key_set(q, shape_len, nparams);
    /* each parent row goes to the children whose key is its referenced column's value */
    rl_value *keys = rc == RL_OK ? malloc((rows->count ? rows->count : 1) * sizeof *keys) : NULL;
    if (rc == RL_OK && !keys) rc = rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
    for (size_t k = 0; keys && k < rows->count; k++)
        keys[k] = key_of(q->mi->model, code, (char *)rows->items + k * q->mi->model->size);
    rc = finish_groups(q, 0, keys, &ps, n, rc, rows, out);
    free(keys);
    return rc;
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
    for (size_t i = 0; i < lk->model->nfields; i++)
        if (references(q->db, &lk->model->fields[i], ma) && n++ < 2) found[n - 1] = (int)i;
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
    int a_fi, b_fi, rc = parent_info(b, link, &lk);
    parent_set ps;
    if (rc == RL_OK) rc = parent_info(b, a, &ma);
    if (rc == RL_OK) rc = link_keys(b, lk, ma, b->mi, &a_fi, &b_fi);
    /* the set of A's keys, through the link's key to A */
    if (rc == RL_OK) rc = set_up_on(b, lk, a, lk->model->fields[a_fi].name, as, n, &a_fi, &ps);
    if (rc != RL_OK) return rc;
    /* one statement: b's rows joined to the link table, with the key to A after each row */
    rl_rows *rows = NULL;
    size_t shape_len, nparams;
    b->join = lk;
    b->join_key = b_fi;
    b->link_a = a_fi;
    rc = add_key_set(b, RLS_JOINED + a_fi, &ps, &shape_len, &nparams);
    if (rc == RL_OK) rc = rli_q_fetch(b, -1, &rows);
    drop_key_set(b, shape_len, nparams);
    b->join = NULL;
    b->link_a = -1;
    rl_value *keys = rows ? rows->priv->keys : NULL;
    if (rows) rows->priv->keys = NULL;
    rc = finish_groups(b, 0, keys, &ps, n, rc, rows, out); /* no row: no key is looked at */
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

/* The aggregate's value in column 1 of st: count an integer, avg real, the others the
 * field's type. */
static rl_value agg_value(const rl_backend *be, rlb_stmt *st, rl_agg agg, rl_kind kind)
{
    if (be->column_null(st, 1)) return rl_null();
    if (agg == RL_AGG_COUNT) return rl_int(be->column_int64(st, 1));
    if (agg == RL_AGG_AVG || kind == RL_KIND_REAL) return rl_real(be->column_double(st, 1));
    return rl_int(be->column_int64(st, 1));
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
    if (*kind != RL_KIND_INTEGER && *kind != RL_KIND_REAL && *kind != RL_KIND_BOOLEAN)
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
    int fi, code, rc;
    rl_kind kind;
    if ((rc = agg_field(q, agg, field, &code, &kind)) != RL_OK) return rc;
    parent_set ps;
    if ((rc = set_up(q, parent, key, parents, n, &fi, &ps)) != RL_OK) return rc;
    for (size_t i = 0; i < n; i++)
        out[i] = agg == RL_AGG_COUNT ? rl_int(0) : rl_null();
    size_t shape_len, nparams;
    rlb_stmt *st = NULL;
    q->agg = (int)agg;
    q->agg_field = code;
    q->group_field = fi;
    rc = add_key_set(q, fi, &ps, &shape_len, &nparams);
    if (rc == RL_OK) rc = rli_q_prepare(q, SH_AGGREGATE, -1, &st);
    drop_key_set(q, shape_len, nparams);
    const rl_backend *be = q->db->be;
    rli_column_ops ops = rli_ops_of(be);
    rl_kind key_kind = rli_field_kind(&q->mi->model->fields[fi]);
    arena texts = {0};
    int step = RLB_DONE;
    while (rc == RL_OK && (step = be->step(st)) == RLB_ROW) {
        rl_value k;
        if (rli_value_read(&ops, key_kind, &k, st, 0, &texts) != RL_OK) {
            rc = rli_err_set(q->db, RL_ENOMEM, "Out of memory.");
            break;
        }
        ptrdiff_t p = key_find(&ps.map, &k);
        if (p >= 0) out[p] = agg_value(be, st, agg, kind);
    }
    rli_arena_free(&texts);
    if (st) be->reset(st);
    if (rc == RL_OK && step != RLB_DONE) rc = rli_fail(q->db, NULL, step, q->mi->table);
    for (size_t i = 0; rc == RL_OK && i < n; i++)
        out[i] = out[ps.first[i]];
    parent_set_free(&ps);
    return rc;
}
