/*
 * Aggregates in select= (count(), col.sum(), avg, min, max), as PostgREST 12 has them: at the
 * root, a row per group of the other columns selected (rl_fetch_values); inside an embedded
 * relation of the many side that selects aggregates only (project_invoices(total.sum())),
 * one row per parent with its children's aggregates (rl_aggregate_children: a parent without
 * children counts 0, its other aggregates NULL), as PostgreSQL's lateral subquery gives them.
 */
#include "exec.h"

#include <stdlib.h>

/* A root whose select= has aggregates: a row per group of its other columns, as values. */
int rlh_exec_groups(rl_db *db, const rlh_pnode *n, rlh_result *out, rlh_exec_error *err)
{
    if (n->nkids) return rlh_exec_unsupported(err, "aggregates beside embedded relations");
    rl_query *q = rl_select(db, n->m);
    if (!q) return RL_ENOMEM;
    static const rl_agg aggs[] = {[RLH_AGG_SUM] = RL_AGG_SUM,
                                  [RLH_AGG_AVG] = RL_AGG_AVG,
                                  [RLH_AGG_COUNT] = RL_AGG_COUNT,
                                  [RLH_AGG_MAX] = RL_AGG_MAX,
                                  [RLH_AGG_MIN] = RL_AGG_MIN};
    int rc = rlh_exec_where(q, n, err);
    for (size_t i = 0; i < n->ncols && rc == RL_OK; i++) {
        const rlh_pcol *c = &n->cols[i];
        const char *f = c->field == RLH_FIELD_COUNT ? NULL : rlh_exec_field(n->m, c->field);
        if (c->njson)
            rc = rlh_exec_unsupported(err, "JSON paths in select=");
        else if (c->agg != RLH_AGG_NONE)
            rc = rl_select_agg(q, aggs[c->agg], f);
        else if ((rc = rl_select_field(q, f)) == RL_OK)
            rc = rl_group_by(q, f);
    }
    for (size_t i = 0; i < n->norder && rc == RL_OK; i++)
        rc = n->order[i].kid >= 0 || n->order[i].njson
                 ? rlh_exec_unsupported(err,
                                        "orders on related columns or JSON paths with aggregates")
                 : rl_order_by(q, rlh_exec_field(n->m, n->order[i].field),
                               rlh_exec_order(&n->order[i]));
    if (rc == RL_OK && n->limit >= 0) rc = rl_limit(q, n->limit);
    if (rc == RL_OK && n->offset > 0) rc = rl_offset(q, n->offset);
    if (rc == RL_OK) rc = rl_fetch_values(q, &out->root.values);
    rl_query_free(q);
    if (rc == RL_OK) out->root.count = out->root.values->rows;
    return rc;
}

int rlh_exec_kid_groups(rl_db *db, const rlh_pnode *n, const rlh_rset *rs, rlh_rset *ks,
                        rlh_exec_error *err)
{
    const rlh_pnode *k = ks->node;
    for (size_t i = 0; i < k->ncols; i++)
        if (k->cols[i].agg == RLH_AGG_NONE)
            return rlh_exec_unsupported(err, "columns beside aggregates in an embedded relation");
    if (k->nkids || k->way.rel != RLH_TO_MANY || k->spread)
        return rlh_exec_unsupported(
            err, "aggregates in an embedded relation other than the many side's, without its own");
    static const rl_agg aggs[] = {[RLH_AGG_SUM] = RL_AGG_SUM,
                                  [RLH_AGG_AVG] = RL_AGG_AVG,
                                  [RLH_AGG_COUNT] = RL_AGG_COUNT,
                                  [RLH_AGG_MAX] = RL_AGG_MAX,
                                  [RLH_AGG_MIN] = RL_AGG_MIN};
    ks->one_each = true; /* row p is parent p's */
    ks->count = rs->count;
    if (!rs->count) return RL_OK;
    ks->paths = calloc(rs->count * k->ncols, sizeof *ks->paths);
    rl_value *each = malloc(rs->count * sizeof *each);
    rl_query *q = rl_select(db, k->m);
    int rc = ks->paths && each && q ? rlh_exec_where(q, k, err) : RL_ENOMEM;
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
