/*
 * Aggregates in select= (count(), col.sum(), avg, min, max), as PostgREST 12 has them: at the
 * root, a row per group of the other columns selected (rl_fetch_values); inside an embedded
 * relation of the many side that selects aggregates only (project_invoices(total.sum())),
 * one row per parent with its children's aggregates (rl_aggregate_children: a parent without
 * children counts 0, its other aggregates NULL), as PostgreSQL's lateral subquery gives them;
 * with columns beside them (books(year,count())), a row per group of those columns under each
 * parent (none for a parent without children), through a key of one column.  Spread to-one
 * relations, and spread relations inside them (...processes(...process_costs(cost.sum()))),
 * are joined to the statement (rl_join_as): their columns group the rows, their aggregates
 * run over them; a to-one relation that is not spread is grouped by its key and its row read
 * for each group afterwards.
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

/* A copy of v whose text, if any, is its own. */
static bool own_copy(const rl_value *v, rl_value *out)
{
    *out = *v;
    if (v->type != RL_V_TEXT) return v->type != RL_V_BLOB; /* no blob in a group's key */
    char *s = strdup(v->u.s);
    *out = rl_text(s);
    return s != NULL;
}

/* The value of the field of m named name (its integer key too) in row. */
static rl_value value_named(const rl_model *m, const void *row, const char *name)
{
    const rl_field *f = rlh_field(m, name);
    return f ? rl_row_values(m, (void *)row)[f - m->fields] : rl_int(rlh_row_pk(m, row));
}

/* The groups a statement gave, in the order they are answered: group g is row at[g].at of v
 * (at NULL: row g). */
typedef struct groups {
    const rl_values *v;
    size_t count;
    const rlh_key_at *at;
} groups;

static const rl_value *group_value(const groups *gv, size_t g, size_t col)
{
    return &gv->v->values[(gv->at ? gv->at[g].at : g) * gv->v->cols + col];
}

/* Kid ks (to-one, through the key field at column col of the groups' values): the rows its
 * groups' keys name, one statement, each group's row (or none). */
static int group_parents(rl_db *db, const groups *gv, size_t col, rlh_rset *ks, rlh_exec_error *err)
{
    const rlh_pnode *k = ks->node;
    rl_value *keys = malloc((gv->count ? gv->count : 1) * sizeof *keys);
    size_t nkeys = 0;
    for (size_t g = 0; keys && g < gv->count; g++)
        if (group_value(gv, g, col)->type != RL_V_NULL) keys[nkeys++] = *group_value(gv, g, col);
    rl_query *q = keys ? rl_select(db, k->m) : NULL;
    int rc = q ? rlh_exec_where(q, k, err) : RL_ENOMEM;
    if (rc == RL_OK) rc = rl_where_in(q, k->way.meets, keys, nkeys, false);
    if (rc == RL_OK) rc = rl_fetch_all(q, &ks->rows);
    rl_query_free(q);
    free(keys);
    if (rc != RL_OK) return rc;
    ks->items = ks->rows->items;
    ks->count = ks->rows->count;
    ks->starts = calloc(gv->count + 1, sizeof *ks->starts);
    ks->sizes = calloc(gv->count + 1, sizeof *ks->sizes);
    if (!ks->starts || !ks->sizes) return RL_ENOMEM;
    rlh_key_at *sorted = malloc((ks->count ? ks->count : 1) * sizeof *sorted);
    if (!sorted) return RL_ENOMEM;
    for (size_t r = 0; r < ks->count; r++) /* the relation's rows by key: each group finds its */
        sorted[r] = (rlh_key_at){
            value_named(k->m, (const char *)ks->items + r * k->m->size, k->way.meets), r};
    rlh_keys_sort(sorted, ks->count);
    for (size_t g = 0; g < gv->count; g++) {
        size_t found, i = rlh_keys_find(sorted, ks->count, group_value(gv, g, col), &found);
        ks->starts[g] = found ? sorted[i].at : 0;
        ks->sizes[g] = found > 0;
    }
    free(sorted);
    return rlh_cells_of(ks, err);
}

/* Spread kid ks: its columns, read with the groups (from column at of their values), as a row
 * of its own for each group. */
static int spread_cells(const groups *gv, size_t at, rlh_rset *ks)
{
    size_t ncols = ks->node->ncols;
    ks->all_cells = true;
    ks->count = gv->count;
    ks->starts = calloc(gv->count + 1, sizeof *ks->starts);
    ks->sizes = calloc(gv->count + 1, sizeof *ks->sizes);
    ks->paths = calloc(gv->count * ncols + 1, sizeof *ks->paths);
    if (!ks->starts || !ks->sizes || !ks->paths) return RL_ENOMEM;
    for (size_t g = 0; g < gv->count; g++) {
        ks->starts[g] = g;
        ks->sizes[g] = 1;
        for (size_t i = 0; i < ncols; i++)
            if (!own_copy(group_value(gv, g, at + i), &ks->paths[g * ncols + i])) return RL_ENOMEM;
    }
    return RL_OK;
}

/* The spread relations below a node with aggregates, joined to its statement (rl_join_as) as
 * s0, s1... in the order their columns come (depth first), at most three. */
#define SPREADS_MAX 3
typedef struct spreads {
    const rlh_pnode *node[SPREADS_MAX];
    size_t n, ncols; /* the spread relations, their columns */
    bool sort;       /* no order= given: the groups in the order of what groups them (as
                        SQLite gives them; PostgreSQL would give them in its hash's order) */
} spreads;

/* Group q's rows by f, and order them by it too with sp->sort. */
static int group_by(rl_query *q, const char *f, const spreads *sp)
{
    int rc = rl_group_by(q, f);
    return rc == RL_OK && sp->sort ? rl_order_by(q, f, RL_ASC) : rc;
}

/* The name k is joined as ("s<i>"), NULL when it is not (the statement's own table). */
static const char *alias_of(const spreads *sp, const rlh_pnode *k, char out[8])
{
    for (size_t i = 0; i < sp->n; i++)
        if (sp->node[i] == k) return snprintf(out, 8, "s%zu", i), out;
    return NULL;
}

/* "<as>.<name>", or name for the statement's own table (as NULL). */
static const char *named(char *buf, size_t n, const char *as, const char *name)
{
    if (!as) return name;
    snprintf(buf, n, "%s.%s", as, name);
    return buf;
}

/* Node n's columns on q, its table joined as as (NULL: the statement's own): its aggregates,
 * and its other columns as what the rows are grouped by (in the order of select=). */
static int select_node(rl_query *q, const rlh_pnode *n, const char *as, const spreads *sp,
                       rlh_exec_error *err)
{
    int rc = RL_OK;
    for (size_t i = 0; i < n->ncols && rc == RL_OK; i++) {
        const rlh_pcol *c = &n->cols[i];
        char buf[RLH_KEY_NAME + 200];
        const char *f = c->field == RLH_FIELD_COUNT
                            ? NULL
                            : named(buf, sizeof buf, as, rlh_exec_field(n->m, c->field));
        if (c->agg != RLH_AGG_NONE && (c->njson || c->arg_kind) && !(as && c->cast))
            rc = rlh_agg_path(q, aggs[c->agg], f, c->json, c->njson, c->arg_kind);
        else if (c->njson || (as && c->cast))
            rc = rlh_exec_unsupported(err, as ? "JSON paths or casts in a spread relation's groups"
                                              : "JSON paths beside aggregates");
        else if (c->agg != RLH_AGG_NONE)
            rc = rl_select_agg(q, aggs[c->agg], f);
        else if ((rc = rl_select_field(q, f)) == RL_OK)
            rc = group_by(q, f, sp);
    }
    return rc;
}

/* The spread relations below n (joined as as) on q, each joined and its columns selected,
 * depth first. */
static int join_spreads(rl_query *q, const rlh_pnode *n, const char *as, spreads *sp,
                        rlh_exec_error *err)
{
    int rc = RL_OK;
    for (size_t j = 0; j < n->nkids && rc == RL_OK; j++) {
        const rlh_pnode *k = &n->kids[j];
        if (!k->spread) continue;
        if (sp->n == SPREADS_MAX || k->join == RLH_JOIN_INNER || k->where.nkids || k->limit >= 0 ||
            k->offset > 0 || (k->m == n->m && k->way.rel != RLH_TO_ONE))
            return rlh_exec_unsupported(
                err, "aggregates with more than three spread relations, or with a spread "
                     "relation filtered, paged, !inner or of a table to itself");
        char alias[8];
        sp->node[sp->n++] = k;
        sp->ncols += k->ncols;
        rc = rl_join_as(q, as, k->m, k->way.key[0] ? k->way.key : NULL, alias_of(sp, k, alias));
        if (rc == RL_OK) rc = select_node(q, k, alias, sp, err);
        if (rc == RL_OK) rc = join_spreads(q, k, alias, sp, err);
    }
    return rc;
}

/* The keys of n's embedded relations that are not spread (to-one: each group's row is read
 * by its key afterwards), and of those below its spread ones, selected and grouped by. */
static int select_keys(rl_query *q, const rlh_pnode *n, const char *as, const spreads *sp,
                       rlh_exec_error *err)
{
    int rc = RL_OK;
    for (size_t j = 0; j < n->nkids && rc == RL_OK; j++) {
        const rlh_pnode *k = &n->kids[j];
        char alias[8], buf[RLH_KEY_NAME + 16];
        if (k->spread) {
            rc = select_keys(q, k, alias_of(sp, k, alias), sp, err);
            continue;
        }
        if (k->way.rel != RLH_TO_ONE || k->join == RLH_JOIN_INNER || k->nkids || k->grouped ||
            k->way.several || !k->way.meets)
            return rlh_exec_unsupported(
                err, "aggregates beside embedded relations other than to-one relations of their "
                     "own");
        const char *f = named(buf, sizeof buf, as, k->way.key);
        if ((rc = rl_select_field(q, f)) == RL_OK) rc = group_by(q, f, sp);
    }
    return rc;
}

/* Node n's order= on q, of its own columns or of a spread relation's, not of a JSON path. */
static int order_groups(rl_query *q, const rlh_pnode *n, const spreads *sp, rlh_exec_error *err)
{
    int rc = RL_OK;
    for (size_t i = 0; i < n->norder && rc == RL_OK; i++) {
        const rlh_porder *o = &n->order[i];
        const rlh_pnode *k = o->kid >= 0 ? &n->kids[o->kid] : NULL;
        char alias[8], f[RLH_KEY_NAME + 200];
        const char *as = k ? alias_of(sp, k, alias) : NULL;
        rc = o->njson || (k && !as)
                 ? rlh_exec_unsupported(err,
                                        "orders on related columns or JSON paths with aggregates")
                 : rl_order_by(q, named(f, sizeof f, as, rlh_exec_field(k ? k->m : n->m, o->field)),
                               rlh_exec_order(o));
    }
    return rc;
}

/* The statement of node n with aggregates on q: its columns, its spread relations' (joined),
 * the keys of its other relations, its order. */
static int grouped_statement(rl_query *q, const rlh_pnode *n, spreads *sp, rlh_exec_error *err)
{
    sp->sort = !n->norder;
    int rc = select_node(q, n, NULL, sp, err);
    if (rc == RL_OK) rc = join_spreads(q, n, NULL, sp, err);
    if (rc == RL_OK) rc = select_keys(q, n, NULL, sp, err);
    if (rc == RL_OK) rc = order_groups(q, n, sp, err);
    return rc;
}

/* The kids of n (rs's node) for the groups gv: a spread one's columns from *col on (and its
 * own kids), another's rows by its key at column *key, in the order select_keys took them. */
static int group_kids(rl_db *db, const groups *gv, const rlh_pnode *n, rlh_rset *rs, size_t *col,
                      size_t *key, rlh_exec_error *err)
{
    if (!n->nkids) return RL_OK;
    if (!(rs->kids = calloc(n->nkids, sizeof *rs->kids))) return RL_ENOMEM;
    for (size_t j = 0; j < n->nkids; j++)
        rs->kids[j] = (rlh_rset){.node = &n->kids[j], .m = n->kids[j].m};
    int rc = RL_OK;
    for (size_t j = 0; j < n->nkids && rc == RL_OK; j++) {
        rlh_rset *ks = &rs->kids[j];
        if (!n->kids[j].spread) {
            rc = group_parents(db, gv, (*key)++, ks, err);
            continue;
        }
        rc = spread_cells(gv, *col, ks);
        *col += n->kids[j].ncols;
        if (rc == RL_OK) rc = group_kids(db, gv, &n->kids[j], ks, col, key, err);
    }
    return rc;
}

int rlh_exec_groups(rl_db *db, const rlh_pnode *n, rlh_result *out, rlh_exec_error *err)
{
    rl_query *q = rl_select(db, n->m);
    if (!q) return RL_ENOMEM;
    spreads sp = {0};
    int rc = rlh_exec_where(q, n, err);
    if (rc == RL_OK) rc = grouped_statement(q, n, &sp, err);
    if (rc == RL_OK && n->limit >= 0) rc = rl_limit(q, n->limit);
    if (rc == RL_OK && n->offset > 0) rc = rl_offset(q, n->offset);
    if (rc == RL_OK) rc = rl_fetch_values(q, &out->root.values);
    rl_query_free(q);
    if (rc != RL_OK) return rc;
    out->root.count = out->root.values->rows;
    groups gv = {out->root.values, out->root.values->rows, NULL};
    size_t col = n->ncols, key = n->ncols + sp.ncols;
    return group_kids(db, &gv, n, &out->root, &col, &key, err);
}

/* Kid ks of n with aggregates beside columns, for the rows of rs: the kid's rows grouped by
 * the key to the parent and those columns (one statement, its spread relations joined), each
 * group under its parent, in the order of the kid's own order= on those columns. */
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
    spreads sp = {0};
    int rc = keys && q ? rlh_exec_where(q, k, err) : RL_ENOMEM;
    for (size_t p = 0; p < rs->count && keys; p++) {
        const void *row = (const char *)rs->items + p * n->m->size;
        keys[p] = pk ? rl_int(rlh_row_pk(n->m, row))
                     : rl_row_values(n->m, (void *)row)[mf - n->m->fields];
    }
    if (rc == RL_OK) rc = rl_where_in(q, w->key, keys, rs->count, false);
    if (rc == RL_OK) rc = rl_select_field(q, w->key);
    if (rc == RL_OK) rc = rl_group_by(q, w->key);
    if (rc == RL_OK) rc = grouped_statement(q, k, &sp, err);
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
    groups gv = {v, total, sorted};
    for (size_t s = 0; rc == RL_OK && s < total; s++)
        for (size_t i = 0; i < k->ncols && rc == RL_OK; i++)
            if (!own_copy(group_value(&gv, s, 1 + i), &ks->paths[s * k->ncols + i])) rc = RL_ENOMEM;
    for (size_t p = 0; rc == RL_OK && p < rs->count; p++) {
        size_t found;
        ks->starts[p] = rlh_keys_find(sorted, total, &keys[p], &found);
        ks->sizes[p] = found;
    }
    size_t col = 1 + k->ncols, key = col + sp.ncols;
    if (rc == RL_OK) rc = group_kids(db, &gv, k, ks, &col, &key, err);
    free(sorted);
    ks->count = total;
    ks->all_cells = true;
    rl_values_free(v);
    free(keys);
    return rc;
}

/* Whether n, or a spread relation below it, shows a column that is no aggregate. */
static bool groups_by_columns(const rlh_pnode *n)
{
    for (size_t i = 0; i < n->ncols; i++)
        if (n->cols[i].agg == RLH_AGG_NONE) return true;
    for (size_t j = 0; j < n->nkids; j++)
        if (n->kids[j].spread && groups_by_columns(&n->kids[j])) return true;
    return false;
}

int rlh_exec_kid_groups(rl_db *db, const rlh_pnode *n, const rlh_rset *rs, rlh_rset *ks,
                        rlh_exec_error *err)
{
    const rlh_pnode *k = ks->node;
    if (k->way.rel != RLH_TO_MANY || k->spread)
        return rlh_exec_unsupported(
            err, "aggregates in an embedded relation other than the many side's");
    if (groups_by_columns(k)) return kid_grouped(db, n, rs, ks, err);
    if (k->nkids) /* one row for each parent, of aggregates only: rl_aggregate_children */
        return rlh_exec_unsupported(
            err, "aggregates alone in an embedded relation that embeds relations of its own");
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
        if (c->njson || c->arg_kind) {
            rc = rlh_exec_unsupported(err, "JSON paths or casts inside aggregates of each parent");
            break;
        }
        rc = rl_aggregate_children(q, n->m, key, rs->items, rs->count, aggs[c->agg], f, each);
        for (size_t p = 0; rc == RL_OK && p < rs->count; p++)
            ks->paths[p * k->ncols + i] = each[p];
    }
    rl_query_free(q);
    free(each);
    return rc;
}
