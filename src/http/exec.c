/*
 * Running a read's plan (see exec.h): each node a query of the public API (its conditions:
 * conds.c), a to-one relation read with its rows where one statement can, the others each by
 * one statement for all the rows above.
 */
#include "exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rlh_exec_fail(rlh_exec_error *err, int status, const char *code, const char *sentence,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    snprintf(err->sentence, sizeof err->sentence, "%s", sentence ? sentence : err->message);
    err->e = (rlh_perror){
        .status = status, .code = code, .message = err->message, .sentence = err->sentence};
    return RL_EINVAL;
}

/* What the query API cannot run yet: 501, saying what. */
int rlh_exec_unsupported(rlh_exec_error *err, const char *what)
{
    return rlh_exec_fail(err, 501, "RL_EINVAL", NULL, "reflite does not run %s yet.", what);
}

/* The field name rl_where and rl_order_by take for field number f of m. */
const char *rlh_exec_field(const rl_model *m, int f)
{
    return f == RLH_FIELD_PK ? rlh_pk_name(m) : m->fields[f].name;
}

/* ---- the query of a node -------------------------------------------------------------------- */

static int inner(rl_db *db, rl_query *q, const rlh_pnode *k, rlh_exec_error *err);

/* The rows of kid k that count for an !inner: its conditions, and its own !inner kids. */
static int inner_rows(rl_db *db, const rlh_pnode *k, rl_query **out, rlh_exec_error *err)
{
    rl_query *sub = *out = rl_select(db, k->m);
    if (!sub) return RL_ENOMEM;
    int rc = rlh_exec_where(sub, k, err);
    for (size_t i = 0; i < k->nkids && rc == RL_OK; i++)
        if (k->kids[i].join == RLH_JOIN_INNER) rc = inner(db, sub, &k->kids[i], err);
    return rc;
}

/* Keep the rows of a node's query q that have rows of its !inner kid k (one subquery; a
 * link table's, one inside another). */
static int inner(rl_db *db, rl_query *q, const rlh_pnode *k, rlh_exec_error *err)
{
    rl_query *sub;
    int rc = inner_rows(db, k, &sub, err);
    if (rc != RL_OK) {
        rl_query_free(sub);
        return rc;
    }
    if (k->way.rel == RLH_TO_MANY) return rl_where_referenced(q, sub, k->way.key, false);
    const rlh_way *w = &k->way; /* the columns met are the parent's, a view's too */
    if (w->rel == RLH_TO_ONE) {
        if (w->meets) return rl_where_in_query(q, w->key, sub, w->meets, false);
    } else if (w->link_m) { /* through the link table: the link rows whose other side is sub's */
        rl_query *links = rl_select(db, w->link);
        if (links) {
            rc = rl_where_in_query(links, w->link_t, sub, w->link_t_meets, false);
            return rc == RL_OK ? rl_where_in_query(q, w->link_m_meets, links, w->link_m, false)
                               : (rl_query_free(links), rc);
        }
    }
    rl_query_free(sub);
    return rlh_exec_unsupported(err, "!inner through a key of several columns");
}

rl_order rlh_exec_order(const rlh_porder *o)
{
    bool desc = o->dir == RLH_DIR_DESC;
    switch (o->nulls) {
    case RLH_NULLS_FIRST:
        return desc ? RL_DESC_NULLS_FIRST : RL_ASC_NULLS_FIRST;
    case RLH_NULLS_LAST:
        return desc ? RL_DESC_NULLS_LAST : RL_ASC_NULLS_LAST;
    default: /* PostgreSQL's: NULLs last ascending, first descending, on every engine */
        return desc ? RL_DESC_NULLS_FIRST : RL_ASC_NULLS_LAST;
    }
}

/* Order q (a query on n's model) as node n says (root: also by a column of a to-one kid,
 * through a join). */
static int order_query(rl_query *q, const rlh_pnode *n, bool root, rlh_exec_error *err)
{
    bool joined = false;
    int rc = RL_OK;
    for (size_t i = 0; i < n->norder && rc == RL_OK; i++) {
        const rlh_porder *o = &n->order[i];
        if (o->njson && o->kid >= 0)
            return rlh_exec_unsupported(err, "orders on a related JSON path");
        if (o->kid < 0) {
            const char *f = rlh_exec_field(n->m, o->field);
            rc = o->njson ? rlh_order_path(q, f, o->json, o->njson, rlh_exec_order(o))
                          : rl_order_by(q, f, rlh_exec_order(o));
            continue;
        }
        const rlh_pnode *k = &n->kids[o->kid];
        if (!root || (joined && strcmp(k->way.key, n->kids[0].way.key) != 0))
            return rlh_exec_unsupported(err, "orders by a related column below the request's rows");
        if (!joined) rc = rl_join(q, k->m, k->way.key);
        joined = true;
        char name[RLH_KEY_NAME + 200];
        snprintf(name, sizeof name, "%s.%s", k->way.key, rlh_exec_field(k->m, o->field));
        if (rc == RL_OK) rc = rl_order_by(q, name, rlh_exec_order(o));
    }
    return rc;
}

/* Whether n's columns are what a row query gives (no aggregate): else *err. */
static int plain_columns(const rlh_pnode *n, rlh_exec_error *err)
{
    for (size_t i = 0; i < n->ncols; i++)
        if (n->cols[i].agg != RLH_AGG_NONE) return rlh_exec_unsupported(err, "aggregates");
    return RL_OK;
}

/* The query of node n: its conditions, its !inner kids, its order. */
static int node_query(rl_db *db, const rlh_pnode *n, bool root, rl_query **out, rlh_exec_error *err)
{
    rl_query *q = *out = rl_select(db, n->m);
    if (!q) return RL_ENOMEM;
    int rc = plain_columns(n, err);
    if (rc == RL_OK) rc = rlh_exec_where(q, n, err);
    for (size_t i = 0; i < n->nkids && rc == RL_OK; i++)
        if (n->kids[i].join == RLH_JOIN_INNER) rc = inner(db, q, &n->kids[i], err);
    return rc == RL_OK ? order_query(q, n, root, err) : rc;
}

/* The rows of every kid of n for the rows of rs (n's), and theirs below. */
static int fetch_kids(rl_db *db, const rlh_pnode *n, rlh_rset *rs, rlh_exec_error *err)
{
    if (!n->nkids) return RL_OK;
    if (!rs->kids && !(rs->kids = calloc(n->nkids, sizeof *rs->kids))) return RL_ENOMEM;
    for (size_t i = 0; i < n->nkids; i++) {
        const rlh_pnode *k = &n->kids[i];
        rlh_rset *ks = &rs->kids[i];
        if (ks->node) continue; /* read with the rows (joined_rows) */
        *ks = (rlh_rset){.node = k, .m = k->m};
        if (k->grouped) { /* aggregates of each parent's rows */
            int rc = rlh_exec_kid_groups(db, n, rs, ks, err);
            if (rc != RL_OK) return rc;
            continue;
        }
        rl_query *q;
        int rc = node_query(db, k, false, &q, err);
        const char *key = k->way.key[0] ? k->way.key : NULL;
        if (rc == RL_OK)
            rc = k->way.rel == RLH_TO_ONE
                     ? rl_fetch_parents(q, n->m, key, rs->items, rs->count, &ks->groups)
                 : k->way.rel == RLH_TO_MANY
                     ? rl_fetch_children(q, n->m, key, rs->items, rs->count, &ks->groups)
                     : rl_fetch_linked(q, k->way.link, n->m, rs->items, rs->count, &ks->groups);
        rl_query_free(q);
        if (rc != RL_OK) return rc;
        ks->items = ks->groups->items;
        ks->count = ks->groups->total;
        if ((rc = fetch_kids(db, k, ks, err)) != RL_OK) return rc;
    }
    return RL_OK;
}

int rlh_count_estimated(rl_db *db, rl_query *q, int64_t max, int64_t *n, bool *estimated)
{
    *estimated = false;
    if (strcmp(rl_db_engine(db), "sqlite") == 0) return rl_count(q, n);
    int rc = rl_count_planned(q, n);
    if (rc == RL_OK && *n <= max) return rl_count(q, n); /* few enough to count */
    *estimated = rc == RL_OK;
    return rc;
}

/* The rows q matches, counted as c says, into out's total. */
static int count_rows(rl_db *db, rl_query *q, const rlh_exec_count *c, rlh_result *out)
{
    if (c->how == RLH_COUNT_ESTIMATED)
        return rlh_count_estimated(db, q, c->max_rows, &out->total, &out->total_estimated);
    return c->how == RLH_COUNT_EXACT ? rl_count(q, &out->total) : rl_count_planned(q, &out->total);
}

/* Whether k's rows are all its key's rows: no filter of its own nor of an !inner kid. */
static bool unfiltered(const rlh_pnode *k)
{
    for (size_t i = 0; i < k->nkids; i++)
        if (k->kids[i].join == RLH_JOIN_INNER) return false;
    return !k->where.nkids;
}

/* The kid of n whose rows come with n's own in one statement (a LEFT JOIN, rl_join): a
 * to-one relation embedded without filters (its own, or an !inner kid's), paging, !inner or
 * aggregates, the one an order= by a related column joins already (*ordered) where there is
 * one; -1 for none. */
static int joined_kid(const rlh_pnode *n, bool *ordered)
{
    int by = -1;
    for (size_t i = 0; i < n->norder && by < 0; i++)
        by = n->order[i].kid;
    *ordered = by >= 0;
    for (size_t i = 0; i < n->nkids; i++) {
        const rlh_pnode *k = &n->kids[i];
        if (by >= 0 && (size_t)by != i) continue;
        if (k->way.rel == RLH_TO_ONE && k->join != RLH_JOIN_INNER && !k->grouped && !k->hidden &&
            unfiltered(k) && k->offset <= 0 && k->limit != 0)
            return (int)i;
        if (by >= 0) return -1;
    }
    return -1;
}

/* Kid j of n, read with rs's rows by the join: each row's parent (rows->parents), or none. */
static int joined_rows(rl_db *db, const rlh_pnode *n, rlh_rset *rs, size_t j, rlh_exec_error *err)
{
    if (!(rs->kids = calloc(n->nkids, sizeof *rs->kids))) return RL_ENOMEM;
    const rl_rows *rows = rs->rows;
    rlh_rset *ks = &rs->kids[j];
    *ks = (rlh_rset){
        .node = &n->kids[j], .m = n->kids[j].m, .items = rows->parents, .count = rows->count};
    ks->starts = malloc((rows->count + 1) * sizeof *ks->starts);
    ks->sizes = malloc((rows->count + 1) * sizeof *ks->sizes);
    if (!ks->starts || !ks->sizes) return RL_ENOMEM;
    for (size_t p = 0; p < rows->count; p++) {
        ks->starts[p] = p;
        ks->sizes[p] = rows->has_parent[p];
    }
    return fetch_kids(db, ks->node, ks, err);
}

/* The root's rows of q (ordered, ranged; kid joined read with them), then its other kids'
 * below them; the casts tried. */
static int read_rows(rl_db *db, const rlh_pnode *n, rl_query *q, int joined, rlh_result *out,
                     rlh_exec_error *err)
{
    int rc = rl_fetch_all(q, &out->root.rows);
    if (rc == RL_OK) {
        out->root.items = out->root.rows->items;
        out->root.count = out->root.rows->count;
        if (joined >= 0) rc = joined_rows(db, n, &out->root, (size_t)joined, err);
        if (rc == RL_OK) rc = fetch_kids(db, n, &out->root, err);
    }
    return rc == RL_OK ? rlh_cells_of(&out->root, err) : rc;
}

/* The key n's rows are read by alone (*pk): its only condition is the integer key's pk=eq.N,
 * ordered by nothing else, with no offset, no !inner, not counted, not grouped. */
static bool by_key_alone(const rlh_pnode *n, const rlh_exec_count *count, int64_t *pk)
{
    const rlh_pwhere *w = &n->where;
    if (n->grouped || n->offset > 0 || n->limit == 0 || !n->m->has_pk || w->negated ||
        w->nkids != 1 || !w->kids[0].leaf || (count && count->how != RLH_COUNT_NONE))
        return false;
    const rlh_pcond *c = &w->kids[0].cond;
    const rlh_cond *k = c->cond;
    if (c->field != RLH_FIELD_PK || k->op != RLH_OP_EQ || k->negated || k->col.njson ||
        k->quant != RLH_QUANT_NONE)
        return false;
    for (size_t i = 0; i < n->norder; i++)
        if (n->order[i].kid >= 0 || n->order[i].field != RLH_FIELD_PK || n->order[i].njson)
            return false;
    for (size_t i = 0; i < n->nkids; i++)
        if (n->kids[i].join == RLH_JOIN_INNER) return false;
    rl_value v;
    if (!rlh_parse_value(k->value, -1, &v) || v.type != RL_V_INT) return false;
    *pk = v.u.i;
    return true;
}

int rlh_exec_read(rl_db *db, const rlh_plan *p, const rlh_exec_count *count, rlh_result *out,
                  rlh_exec_error *err)
{
    const rlh_pnode *n = &p->root;
    *out = (rlh_result){.root = {.node = n, .m = n->m}, .total = -1};
    err->e = (rlh_perror){0}; /* a refusal of the query builder's is the database's error */
    err->posix_regex = strcmp(rl_db_engine(db), "sqlite") == 0;
    if (n->grouped) return rlh_exec_groups(db, n, out, err);
    int64_t pk;
    int rc;
    if (by_key_alone(n, count, &pk)) { /* one row by its key: no query to build */
        if (!(out->root.own_row = rlh_zalloc(n->m->size))) return RL_ENOMEM;
        rc = rl_get(db, n->m, pk, out->root.own_row);
        out->root.items = rc == RL_OK ? out->root.own_row : NULL;
        out->root.count = rc == RL_OK;
        if (rc == RL_ENOTFOUND) rc = RL_OK;
        if (rc == RL_OK) rc = fetch_kids(db, n, &out->root, err);
        return rc == RL_OK ? rlh_cells_of(&out->root, err) : rc;
    }
    rl_query *q;
    bool ordered;
    int joined = joined_kid(n, &ordered);
    rc = node_query(db, n, true, &q, err);
    if (rc == RL_OK && joined >= 0 && !ordered)
        rc = rl_join(q, n->kids[joined].m, n->kids[joined].way.key);
    if (rc == RL_OK && count && count->how != RLH_COUNT_NONE) rc = count_rows(db, q, count, out);
    if (rc == RL_OK && n->limit >= 0) rc = rl_limit(q, n->limit);
    if (rc == RL_OK && n->offset > 0) rc = rl_offset(q, n->offset);
    if (rc == RL_OK) rc = read_rows(db, n, q, joined, out, err);
    rl_query_free(q);
    return rc;
}

/* The rows of rs (of m, with an integer key) in the order of keys (those not among them
 * last, as they were). */
static int in_order_of(rlh_rset *rs, const rl_model *m, const rl_value *keys, size_t nkeys)
{
    if (rs->count < 2) return RL_OK;
    rlh_key_at *index = malloc((nkeys ? nkeys : 1) * sizeof *index);
    rlh_key_at *place = malloc(rs->count * sizeof *place); /* each row's place, and the row */
    char *moved = malloc(rs->count * m->size);
    if (!index || !place || !moved) {
        free(index);
        free(place);
        free(moved);
        return RL_ENOMEM;
    }
    for (size_t i = 0; i < nkeys; i++)
        index[i] = (rlh_key_at){rl_int(keys[i].u.i), i};
    rlh_keys_sort(index, nkeys);
    for (size_t i = 0; i < rs->count; i++) {
        rl_value pk = rl_int(rlh_row_pk(m, (const char *)rs->items + i * m->size));
        size_t found, f = rlh_keys_find(index, nkeys, &pk, &found);
        place[i] = (rlh_key_at){rl_int((int64_t)(found ? index[f].at : nkeys + i)), i};
    }
    rlh_keys_sort(place, rs->count);
    for (size_t i = 0; i < rs->count; i++)
        memcpy(moved + i * m->size, (const char *)rs->items + place[i].at * m->size, m->size);
    memcpy((void *)rs->items, moved, rs->count * m->size);
    free(index);
    free(place);
    free(moved);
    return RL_OK;
}

/* Whether two values are the same. */
static bool same_value(const rl_value *a, const rl_value *b)
{
    if (a->type != b->type) return false;
    switch (a->type) {
    case RL_V_NULL:
    case RL_V_DEFAULT:
        return true;
    case RL_V_INT:
        return a->u.i == b->u.i;
    case RL_V_REAL:
        return a->u.r == b->u.r;
    case RL_V_TEXT:
        return strcmp(a->u.s, b->u.s) == 0;
    case RL_V_BLOB:
        return a->u.b.len == b->u.b.len &&
               (!a->u.b.len || !memcmp(a->u.b.data, b->u.b.data, a->u.b.len));
    }
    return false;
}

/* Whether rows a and b of m have the same key: its primary key's fields, or every field. */
static bool same_key(const rl_model *m, void *a, void *b)
{
    rl_value *x = rl_row_values(m, a), *y = rl_row_values(m, b);
    for (size_t f = 0; f < m->nfields; f++) {
        bool in_key = !m->primary_key;
        for (size_t k = 0; m->primary_key && m->primary_key[k] && !in_key; k++)
            in_key = rlh_field(m, m->primary_key[k]) == &m->fields[f];
        if (in_key && !same_value(&x[f], &y[f])) return false;
    }
    return true;
}

/* The rows of rs (of m, without an integer key) in the order of kept, the rows as written, met
 * by their key (those not among them last, as they were). */
static int in_kept_order(rlh_rset *rs, const rl_model *m, const rl_rows *kept)
{
    if (rs->count < 2) return RL_OK;
    rlh_key_at *place = malloc(rs->count * sizeof *place);
    bool *used = calloc(kept->count ? kept->count : 1, sizeof *used);
    char *moved = malloc(rs->count * m->size);
    for (size_t i = 0; place && used && moved && i < rs->count; i++) {
        size_t at = kept->count + i;
        bool met = false;
        for (size_t j = 0; j < kept->count && at >= kept->count; j++)
            if (same_key(m, (char *)rs->items + i * m->size, (char *)kept->items + j * m->size)) {
                met = true;
                if (!used[j]) used[at = j] = true;
            }
        /* a table without any key: a row the same in every column as written ones that have
         * their rows already, there before, cannot be told from them: it is not the answer's */
        bool surplus = met && at >= kept->count && !m->primary_key;
        place[i] = (rlh_key_at){rl_int(surplus ? INT64_MAX : (int64_t)at), i};
    }
    if (place && used && moved) {
        rlh_keys_sort(place, rs->count);
        for (size_t i = 0; i < rs->count; i++)
            memcpy(moved + i * m->size, (const char *)rs->items + place[i].at * m->size, m->size);
        memcpy((void *)rs->items, moved, rs->count * m->size);
        while (rs->count && place[rs->count - 1].key.u.i == INT64_MAX)
            rs->count--;
    }
    int rc = place && used && moved ? RL_OK : RL_ENOMEM;
    free(place);
    free(used);
    free(moved);
    return rc;
}

int rlh_exec_read_of(rl_db *db, const rlh_plan *p, rl_query *rows, const rl_value *keys,
                     size_t nkeys, const rl_rows *kept, rlh_result *out, rlh_exec_error *err)
{
    const rlh_pnode *n = &p->root;
    *out = (rlh_result){.root = {.node = n, .m = n->m}, .total = -1};
    err->e = (rlh_perror){0}; /* a refusal of the query builder's is the database's error */
    err->posix_regex = strcmp(rl_db_engine(db), "sqlite") == 0;
    int rc = n->grouped ? rlh_exec_unsupported(err, "aggregates in the answer of a write")
                        : plain_columns(n, err);
    for (size_t i = 0; i < n->nkids && rc == RL_OK; i++)
        if (n->kids[i].join == RLH_JOIN_INNER) rc = inner(db, rows, &n->kids[i], err);
    if (rc == RL_OK) rc = order_query(rows, n, true, err);
    bool by_keys = keys && n->m->has_pk, by_kept = kept && !n->m->has_pk;
    if (rc == RL_OK && (by_keys || by_kept) && n->norder == 0) { /* in the order written */
        rc = rl_fetch_all(rows, &out->root.rows);
        if (rc == RL_OK) {
            out->root.items = out->root.rows->items;
            out->root.count = out->root.rows->count;
            rc = by_keys ? in_order_of(&out->root, n->m, keys, nkeys)
                         : in_kept_order(&out->root, n->m, kept);
        }
        if (rc == RL_OK) rc = fetch_kids(db, n, &out->root, err);
        if (rc == RL_OK) rc = rlh_cells_of(&out->root, err);
    } else if (rc == RL_OK) {
        rc = read_rows(db, n, rows, -1, out, err);
    }
    rl_query_free(rows);
    return rc;
}

int rlh_exec_target(rl_db *db, const rlh_plan *p, rl_query **out, rlh_exec_error *err)
{
    const rlh_pnode *n = &p->root;
    err->e = (rlh_perror){0}; /* a refusal of the query builder's is the database's error */
    err->posix_regex = strcmp(rl_db_engine(db), "sqlite") == 0;
    rl_query *q = *out = rl_select(db, n->m);
    if (!q) return RL_ENOMEM;
    int rc = rlh_exec_where(q, n, err);
    if (rc != RL_OK || (n->limit < 0 && n->offset <= 0)) return rc;
    /* limit= / offset= on a write: the rows in that range by order= (then the key), found
     * by their keys first, so that the write reaches those rows and no others */
    if (!n->m->has_pk)
        return rlh_exec_fail(
            err, 400, "RL_EINVAL",
            "limit= and offset= on a write need a table with an integer key.",
            "%.150s has no integer key to tell its rows apart for a limited write.", n->m->table);
    for (size_t i = 0; i < n->norder && rc == RL_OK; i++)
        if (n->order[i].kid >= 0)
            rc = rlh_exec_unsupported(err, "limited writes ordered by a related column");
    if (rc == RL_OK) rc = order_query(q, n, false, err);
    if (rc == RL_OK) rc = rl_order_by(q, rlh_pk_name(n->m), RL_ASC);
    if (rc == RL_OK && n->limit >= 0) rc = rl_limit(q, n->limit);
    if (rc == RL_OK && n->offset > 0) rc = rl_offset(q, n->offset);
    rl_rows *rows = NULL;
    if (rc == RL_OK) rc = rl_fetch_all(q, &rows);
    rl_value *pks = rows && rows->count ? calloc(rows->count, sizeof *pks) : NULL;
    if (rc == RL_OK && rows->count && !pks) rc = RL_ENOMEM;
    for (size_t i = 0; rc == RL_OK && i < rows->count; i++)
        pks[i] = rl_int(rlh_row_pk(n->m, (const char *)rows->items + i * n->m->size));
    rl_query_free(q);
    q = *out = rl_select(db, n->m);
    if (!q) rc = RL_ENOMEM;
    if (rc == RL_OK) rc = rl_where_in(q, rlh_pk_name(n->m), pks, rows->count, false);
    free(pks);
    rl_rows_free(rows);
    return rc;
}

static void rset_free(rlh_rset *rs)
{
    for (size_t i = 0; rs->kids && i < rs->node->nkids; i++)
        rset_free(&rs->kids[i]);
    free(rs->kids);
    rl_groups_free(rs->groups);
    rl_rows_free(rs->rows);
    rl_values_free(rs->values);
    rlh_cells_free(rs);
    free(rs->starts);
    free(rs->sizes);
    if (rs->own_row && rs->items) rl_row_free(rs->m, rs->own_row);
    free(rs->own_row);
}

void rlh_result_free(rlh_result *r)
{
    if (r) rset_free(&r->root);
}
