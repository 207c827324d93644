/*
 * Aggregates in select= (count(), col.sum(), avg, min, max), as PostgREST 12 has them: at the
 * root, a row per group of the other columns selected (rl_fetch_values); inside an embedded
 * relation of the many side that selects aggregates only (project_invoices(total.sum())),
 * one row per parent with its children's aggregates (rl_aggregate_children: a parent without
 * children counts 0, its other aggregates NULL), as PostgreSQL's lateral subquery gives them;
 * with columns beside them (books(year,count())), a row per group of those columns under each
 * parent (none for a parent without children), through a key of one column.
 */
#include "exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const rl_agg aggs[] = {[RLH_AGG_SUM] = RL_AGG_SUM,
                              [RLH_AGG_AVG] = RL_AGG_AVG,
                              [RLH_AGG_COUNT] = RL_AGG_COUNT,
                              [RLH_AGG_MAX] = RL_AGG_MAX,
                              [RLH_AGG_MIN] = RL_AGG_MIN};

/* Node n's columns on q: its aggregates, and its other columns as what the rows are grouped by
 * (in the order of select=). */
static int select_groups(rl_query *q, const rlh_pnode *n, rlh_exec_error *err)
{
    int rc = RL_OK;
    for (size_t i = 0; i < n->ncols && rc == RL_OK; i++) {
        const rlh_pcol *c = &n->cols[i];
        const char *f = c->field == RLH_FIELD_COUNT ? NULL : rlh_exec_field(n->m, c->field);
        if (c->njson)
            rc = rlh_exec_unsupported(err, "JSON paths beside aggregates");
        else if (c->agg != RLH_AGG_NONE)
            rc = rl_select_agg(q, aggs[c->agg], f);
        else if ((rc = rl_select_field(q, f)) == RL_OK)
            rc = rl_group_by(q, f);
    }
    return rc;
}

/* Node n's order= on q, of its own columns or of its spread relation's (joined), not of a
 * JSON path. */
static int order_groups(rl_query *q, const rlh_pnode *n, rlh_exec_error *err)
{
    int rc = RL_OK;
    for (size_t i = 0; i < n->norder && rc == RL_OK; i++) {
        const rlh_porder *o = &n->order[i];
        const rlh_pnode *k = o->kid >= 0 ? &n->kids[o->kid] : NULL;
        char f[RLH_KEY_NAME + 200];
        if (k) snprintf(f, sizeof f, "%s.%s", k->way.key, rlh_exec_field(k->m, o->field));
        rc = o->njson || (k && !k->spread)
                 ? rlh_exec_unsupported(err,
                                        "orders on related columns or JSON paths with aggregates")
                 : rl_order_by(q, k ? f : rlh_exec_field(n->m, o->field), rlh_exec_order(o));
    }
    return rc;
}

/* A copy of v whose text, if any, is its own. */
static bool own_copy(const rl_value *v, rl_value *out)
{
    *out = *v;
    if (v->type != RL_V_TEXT) return v->type != RL_V_BLOB; /* no blob in a group's key */
    char *s = strdup(v->u.s);
    *out = rl_text(s);
    return s != NULL;
}

/* A root whose select= has aggregates: a row per group of its other columns, as values; its
 * embedded relations (to-one) read for the groups' keys. */
/* The value of the field of m named name (its integer key too) in row. */
static rl_value value_named(const rl_model *m, const void *row, const char *name)
{
    const rl_field *f = rlh_field(m, name);
    return f ? rl_row_values(m, (void *)row)[f - m->fields] : rl_int(rlh_row_pk(m, row));
}

/* Kid ks (to-one, through the key field at column col of the groups' values) of a root with
 * aggregates: the rows its groups' keys name, one statement, each group's row (or none). */
static int group_parents(rl_db *db, const rl_values *v, size_t col, rlh_rset *ks,
                         rlh_exec_error *err)
{
    const rlh_pnode *k = ks->node;
    rl_value *keys = malloc((v->rows ? v->rows : 1) * sizeof *keys);
    size_t nkeys = 0;
    for (size_t g = 0; keys && g < v->rows; g++)
        if (v->values[g * v->cols + col].type != RL_V_NULL)
            keys[nkeys++] = v->values[g * v->cols + col];
    rl_query *q = keys ? rl_select(db, k->m) : NULL;
    int rc = q ? rlh_exec_where(q, k, err) : RL_ENOMEM;
    if (rc == RL_OK) rc = rl_where_in(q, k->way.meets, keys, nkeys, false);
    if (rc == RL_OK) rc = rl_fetch_all(q, &ks->rows);
    rl_query_free(q);
    free(keys);
    if (rc != RL_OK) return rc;
    ks->items = ks->rows->items;
    ks->count = ks->rows->count;
    ks->starts = calloc(v->rows + 1, sizeof *ks->starts);
    ks->sizes = calloc(v->rows + 1, sizeof *ks->sizes);
    if (!ks->starts || !ks->sizes) return RL_ENOMEM;
    rlh_key_at *sorted = malloc((ks->count ? ks->count : 1) * sizeof *sorted);
    if (!sorted) return RL_ENOMEM;
    for (size_t r = 0; r < ks->count; r++) /* the relation's rows by key: each group finds its */
        sorted[r] = (rlh_key_at){
            value_named(k->m, (const char *)ks->items + r * k->m->size, k->way.meets), r};
    rlh_keys_sort(sorted, ks->count);
    for (size_t g = 0; g < v->rows; g++) {
        size_t found, i = rlh_keys_find(sorted, ks->count, &v->values[g * v->cols + col], &found);
        ks->starts[g] = found ? sorted[i].at : 0;
        ks->sizes[g] = found > 0;
    }
    free(sorted);
    return rlh_cells_of(ks, err);
}

/* The columns of spread relation k (to-one, joined to the root through its key) on q: its
 * aggregates over the root's rows, its other columns among what they are grouped by. */
static int select_spread(rl_query *q, const rlh_pnode *k, rlh_exec_error *err)
{
    int rc = RL_OK;
    for (size_t i = 0; i < k->ncols && rc == RL_OK; i++) {
        const rlh_pcol *c = &k->cols[i];
        char f[RLH_KEY_NAME + 200];
        snprintf(f, sizeof f, "%s.%s", k->way.key,
                 c->field == RLH_FIELD_COUNT ? "" : rlh_exec_field(k->m, c->field));
        if (c->njson || c->cast)
            rc = rlh_exec_unsupported(err, "JSON paths or casts in a spread relation's groups");
        else if (c->agg != RLH_AGG_NONE)
            rc = rl_select_agg(q, aggs[c->agg], c->field == RLH_FIELD_COUNT ? NULL : f);
        else if ((rc = rl_select_field(q, f)) == RL_OK)
            rc = rl_group_by(q, f);
    }
    return rc;
}

/* Spread kid ks of a root with aggregates: its columns, read with the root's groups (from
 * column at of their values), as a row of its own for each group. */
static int spread_cells(const rl_values *v, size_t at, rlh_rset *ks)
{
    size_t ncols = ks->node->ncols;
    ks->all_cells = true;
    ks->count = v->rows;
    ks->starts = calloc(v->rows + 1, sizeof *ks->starts);
    ks->sizes = calloc(v->rows + 1, sizeof *ks->sizes);
    ks->paths = calloc(v->rows * ncols + 1, sizeof *ks->paths);
    if (!ks->starts || !ks->sizes || !ks->paths) return RL_ENOMEM;
    for (size_t g = 0; g < v->rows; g++) {
        ks->starts[g] = g;
        ks->sizes[g] = 1;
        for (size_t i = 0; i < ncols; i++)
            if (!own_copy(&v->values[g * v->cols + at + i], &ks->paths[g * ncols + i]))
                return RL_ENOMEM;
    }
    return RL_OK;
}

int rlh_exec_groups(rl_db *db, const rlh_pnode *n, rlh_result *out, rlh_exec_error *err)
{
    /* beside embedded relations of the one side: grouped by their keys as well, hidden; a
     * spread one's columns are the groups' own (one, joined) */
    size_t spreads = 0, spread_cols = 0;
    for (size_t j = 0; j < n->nkids; j++) {
        const rlh_pnode *k = &n->kids[j];
        spreads += k->spread;
        if (k->spread) spread_cols += k->ncols;
        if (k->way.rel != RLH_TO_ONE || k->join == RLH_JOIN_INNER || k->nkids || spreads > 1 ||
            (k->grouped && !k->spread) || k->way.several || !k->way.meets)
            return rlh_exec_unsupported(
                err, "aggregates beside embedded relations other than to-one relations of their "
                     "own (one of them spread)");
    }
    rl_query *q = rl_select(db, n->m);
    if (!q) return RL_ENOMEM;
    int rc = rlh_exec_where(q, n, err);
    if (rc == RL_OK) rc = select_groups(q, n, err);
    for (size_t j = 0; j < n->nkids && rc == RL_OK; j++)
        if (n->kids[j].spread && (rc = rl_join(q, n->kids[j].m, n->kids[j].way.key)) == RL_OK)
            rc = select_spread(q, &n->kids[j], err);
    for (size_t j = 0; j < n->nkids && rc == RL_OK; j++) {
        if (n->kids[j].spread) continue;
        if ((rc = rl_select_field(q, n->kids[j].way.key)) == RL_OK)
            rc = rl_group_by(q, n->kids[j].way.key);
    }
    if (rc == RL_OK) rc = order_groups(q, n, err);
    if (rc == RL_OK && n->limit >= 0) rc = rl_limit(q, n->limit);
    if (rc == RL_OK && n->offset > 0) rc = rl_offset(q, n->offset);
    if (rc == RL_OK) rc = rl_fetch_values(q, &out->root.values);
    rl_query_free(q);
    if (rc == RL_OK) out->root.count = out->root.values->rows;
    if (rc == RL_OK && n->nkids && !(out->root.kids = calloc(n->nkids, sizeof *out->root.kids)))
        rc = RL_ENOMEM;
    for (size_t j = 0, hidden = n->ncols + spread_cols; j < n->nkids && rc == RL_OK; j++) {
        rlh_rset *ks = &out->root.kids[j];
        *ks = (rlh_rset){.node = &n->kids[j], .m = n->kids[j].m};
        rc = n->kids[j].spread ? spread_cells(out->root.values, n->ncols, ks)
                               : group_parents(db, out->root.values, hidden++, ks, err);
    }
    return rc;
}

/* Kid ks of n with aggregates beside columns, for the rows of rs: the kid's rows grouped by
 * the key to the parent and those columns (one statement), each group under its parent, in
 * the order of the kid's own order= on those columns. */
static int kid_grouped(rl_db *db, const rlh_pnode *n, const rlh_rset *rs, rlh_rset *ks,
                       rlh_exec_error *err)
{
    const rlh_pnode *k = ks->node;
    const rlh_way *w = &k->way;
    const rl_field *mf = w->meets ? rlh_field(n->m, w->meets) : NULL;
    bool pk = w->meets && !mf && n->m->has_pk && !strcmp(w->meets, rlh_pk_name(n->m));
    if (w->several || (!mf && !pk) || k->offset > 0 || k->limit >= 0)
        return rlh_exec_unsupported(err, "aggregates beside columns through this relation");
    rl_value *keys = malloc((rs->count ? rs->count : 1) * sizeof *keys);
    rl_query *q = rl_select(db, k->m);
    rl_values *v = NULL;
    int rc = keys && q ? rlh_exec_where(q, k, err) : RL_ENOMEM;
    for (size_t p = 0; p < rs->count && keys; p++) {
        const void *row = (const char *)rs->items + p * n->m->size;
        keys[p] = pk ? rl_int(rlh_row_pk(n->m, row))
                     : rl_row_values(n->m, (void *)row)[mf - n->m->fields];
    }
    if (rc == RL_OK) rc = rl_where_in(q, w->key, keys, rs->count, false);
    if (rc == RL_OK) rc = rl_select_field(q, w->key);
    if (rc == RL_OK) rc = rl_group_by(q, w->key);
    if (rc == RL_OK) rc = select_groups(q, k, err);
    if (rc == RL_OK) rc = order_groups(q, k, err);
    if (rc == RL_OK) rc = rl_fetch_values(q, &v);
    rl_query_free(q);
    size_t total = v ? v->rows : 0;
    ks->starts = rc == RL_OK ? calloc(rs->count + 1, sizeof *ks->starts) : NULL;
    ks->sizes = rc == RL_OK ? calloc(rs->count + 1, sizeof *ks->sizes) : NULL;
    ks->paths = rc == RL_OK ? calloc(total * k->ncols + 1, sizeof *ks->paths) : NULL;
    rlh_key_at *sorted = rc == RL_OK ? malloc((total ? total : 1) * sizeof *sorted) : NULL;
    if (rc == RL_OK && (!ks->starts || !ks->sizes || !ks->paths || !sorted)) rc = RL_ENOMEM;
    /* the groups by their parent's key (in the query's order within one), each parent's a run
     * of them: a parent given twice shares its run */
    for (size_t g = 0; rc == RL_OK && g < total; g++)
        sorted[g] = (rlh_key_at){v->values[g * v->cols], g};
    if (rc == RL_OK) rlh_keys_sort(sorted, total);
    for (size_t s = 0; rc == RL_OK && s < total; s++)
        for (size_t i = 0; i < k->ncols && rc == RL_OK; i++)
            if (!own_copy(&v->values[sorted[s].at * v->cols + 1 + i], &ks->paths[s * k->ncols + i]))
                rc = RL_ENOMEM;
    for (size_t p = 0; rc == RL_OK && p < rs->count; p++) {
        size_t found;
        ks->starts[p] = rlh_keys_find(sorted, total, &keys[p], &found);
        ks->sizes[p] = found;
    }
    free(sorted);
    ks->count = total;
    ks->all_cells = true;
    rl_values_free(v);
    free(keys);
    return rc;
}

int rlh_exec_kid_groups(rl_db *db, const rlh_pnode *n, const rlh_rset *rs, rlh_rset *ks,
                        rlh_exec_error *err)
{
    const rlh_pnode *k = ks->node;
    if (k->nkids || k->way.rel != RLH_TO_MANY || k->spread)
        return rlh_exec_unsupported(
            err, "aggregates in an embedded relation other than the many side's, without its own");
    for (size_t i = 0; i < k->ncols; i++)
        if (k->cols[i].agg == RLH_AGG_NONE) return kid_grouped(db, n, rs, ks, err);
    ks->all_cells = true; /* row p is parent p's */
    ks->count = rs->count;
    if (!rs->count) return RL_OK;
    ks->starts = calloc(rs->count, sizeof *ks->starts);
    ks->sizes = calloc(rs->count, sizeof *ks->sizes);
    for (size_t p = 0; ks->starts && ks->sizes && p < rs->count; p++)
        ks->starts[p] = p, ks->sizes[p] = 1;
    ks->paths = calloc(rs->count * k->ncols, sizeof *ks->paths);
    rl_value *each = malloc(rs->count * sizeof *each);
    rl_query *q = rl_select(db, k->m);
    int rc =
        ks->paths && each && q && ks->starts && ks->sizes ? rlh_exec_where(q, k, err) : RL_ENOMEM;
    const char *key = k->way.key[0] ? k->way.key : NULL;
    for (size_t i = 0; i < k->ncols && rc == RL_OK; i++) {
        const rlh_pcol *c = &k->cols[i];
        const char *f = c->field == RLH_FIELD_COUNT ? NULL : rlh_exec_field(k->m, c->field);
        rc = rl_aggregate_children(q, n->m, key, rs->items, rs->count, aggs[c->agg], f, each);
        for (size_t p = 0; rc == RL_OK && p < rs->count; p++)
            ks->paths[p * k->ncols + i] = each[p];
    }
    rl_query_free(q);
    free(each);
    return rc;
}
