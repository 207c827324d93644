/*
 * Tables joined to a query by name (rl_join_as), after rl_join's parent or without it: each
 * one LEFT JOIN through a key between it and the query's table or a table joined before, in
 * either direction.  Their columns are named "<name>.<field>" in conditions, selections,
 * groups and orders; each column named gets a field code of the statement's list of them
 * (RLS_EXTRA + k, render.h), so a statement names as many as it uses, of tables of any width.
 */
#include "db.h"
#include "query.h"

#include <string.h>

/* The code of field fi (RLS_PK: the primary key) of join slot (-1: the query's table, 0:
 * rl_join's parent, 1 + j: more[j]), or -1 when the list of joined columns is full. */
static int slot_code(rl_query *q, int slot, int fi)
{
    if (slot < 0) return fi;
    if (slot == 0) return fi == RLS_PK ? RLS_JOINED_PK : RLS_JOINED + fi;
    int join = slot - 1, field = fi == RLS_PK ? -1 : fi;
    for (int k = 0; k < q->nextra; k++)
        if (q->extra[k].join == join && q->extra[k].field == field) return RLS_EXTRA + k;
    /* a full list is the query's error (its first: the caller's unknown field does not
     * replace it) */
    if (q->nextra == RLS_EXTRA_MAX) {
        rli_q_fail(q, RL_EINVAL,
                   "query on %s: a statement names at most %d columns of the tables joined by "
                   "rl_join_as.",
                   q->mi->table, RLS_EXTRA_MAX);
        return -1;
    }
    q->extra[q->nextra] = (rls_extra){join, field};
    return RLS_EXTRA + q->nextra++;
}

int rli_q_more_code(rl_query *q, const char *field)
{
    const char *dot = strchr(field, '.');
    if (!dot) return -1;
    for (int j = 0; j < q->nmore; j++) {
        size_t n = strlen(q->more_as[j]);
        if (n != (size_t)(dot - field) || strncmp(field, q->more_as[j], n) != 0) continue;
        model_info *mi = q->more_mi[j];
        int fi = rli_model_field_index(mi, dot + 1);
        if (fi < 0 && mi->model->has_pk &&
            (strcmp(dot + 1, "pk") == 0 || strcmp(dot + 1, mi->pk_column) == 0))
            fi = RLS_PK;
        return fi == -1 ? -1 : slot_code(q, 1 + j, fi);
    }
    return -1;
}

/* Whether child has a key to parent (named key, or any when key is NULL). */
static bool has_key(rl_db *db, const model_info *child, const model_info *parent, const char *key)
{
    rli_key k;
    for (int i = -1; rli_key_next(child, &i, &k);) {
        bool named = !key || strcmp(k.name, key) == 0 ||
                     (k.n == 1 && strcmp(child->columns[k.child[0]], key) == 0);
        rli_key copy = k;
        if (named && rli_key_toward(db, parent, &copy)) return true;
    }
    return false;
}

/* The join slot the name from gives (-1: none, the query's table), its model into *out. */
static int slot_named(rl_query *q, const char *from, model_info **out)
{
    *out = q->mi;
    if (!from) return -1;
    for (int j = 0; j < q->nmore; j++)
        if (strcmp(q->more_as[j], from) == 0) return *out = q->more_mi[j], 1 + j;
    if (q->join && q->link_a < 0 && strcmp(q->join->table, from) == 0) return *out = q->join, 0;
    return -2;
}

int rl_join_as(rl_query *q, const char *from, const rl_model *model, const char *key,
               const char *as)
{
    if (!q) return RL_EINVAL;
    if (q->error) return q->error;
    model_info *p, *f;
    int rc = rli_model_lookup(q->db, model, &p);
    if (rc != RL_OK) return rli_q_fail(q, rc, "%s", q->db->e.err.message);
    if (!as || !*as || strchr(as, '.') || !q->mi)
        return rli_q_fail(q, RL_EINVAL, "rl_join_as: a join is named by a name without '.'.");
    if (q->nmore == RLS_MORE_MAX)
        return rli_q_fail(q, RL_EMISUSE, "query on %s: rl_join_as joins at most %d tables.",
                          q->mi->table, RLS_MORE_MAX);
    for (int j = 0; j < q->nmore; j++)
        if (strcmp(q->more_as[j], as) == 0)
            return rli_q_fail(q, RL_EINVAL, "query on %s: a join is already named %s.",
                              q->mi->table, as);
    int slot = slot_named(q, from, &f);
    if (slot == -2)
        return rli_q_fail(q, RL_EINVAL, "query on %s: no table joined is named %s.", q->mi->table,
                          from);
    /* the key: from's to the table (its parent), else the table's to from (its child) */
    bool down = !has_key(q->db, f, p, key) && has_key(q->db, p, f, key);
    model_info *child = down ? p : f, *parent = down ? f : p;
    int ki;
    if ((rc = rli_find_key(q, child, parent, key, &ki)) != RL_OK) return rc;
    rli_key k;
    rli_key_to(q->db, child, ki, parent, &k);
    int j = q->nmore;
    q->more_mi[j] = p;
    q->more_as[j] = rli_copy_bytes(&q->texts, as, strlen(as));
    if (!q->more_as[j]) return rli_q_fail(q, RL_ENOMEM, "Out of memory.");
    q->nmore++;
    rls_join *jn = &q->more[j];
    *jn = (rls_join){.t = &p->rt, .n = k.n};
    for (int i = 0; i < k.n; i++) {
        int mine = down ? k.child[i] : k.parent[i], theirs = down ? k.parent[i] : k.child[i];
        jn->right[i] = slot_code(q, 1 + j, mine);
        jn->left[i] = slot_code(q, slot, theirs);
        if (jn->right[i] < 0 || jn->left[i] < 0)
            return rli_q_fail(q, RL_EMISUSE, "query on %s: too many joined columns named.",
                              q->mi->table);
    }
    return RL_OK;
}
