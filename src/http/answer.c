/*
 * The render stage's JSON for reads: the rows of an executed plan (exec.h) as PostgREST writes
 * them.  Each row is an object of its node's columns (under their aliases), then a member per
 * embedded relation: an object or null for a to-one relation (and for a to-many one through a
 * key that is unique in the child), an array otherwise, cut to the relation's own offset and
 * limit for each row; a spread relation's columns (and its own relations) go among the row's
 * own members instead.  With nulls stripped, a member whose value is null is left out.
 */
#include "answer.h"

#include <string.h>

/* Row k of rs. */
static const void *row_at(const rlh_rset *rs, size_t k)
{
    return (const char *)rs->items + k * rs->m->size;
}

static void member(rlh_buf *b, bool *first, const char *name)
{
    if (!*first) rlh_add(b, ",", 1);
    *first = false;
    rlh_json_key(b, name);
}

/* The value of column c of row. */
static bool is_null(const rl_model *m, const void *row, const rlh_pcol *c)
{
    return c->field >= 0 && rl_row_values(m, (void *)row)[c->field].type == RL_V_NULL;
}

static void value(rlh_buf *b, const rl_model *m, const void *row, const rlh_pcol *c)
{
    if (c->field == RLH_FIELD_PK)
        rlh_add_int(b, rlh_row_pk(m, row));
    else
        rlh_json_value(b, &rl_row_values(m, (void *)row)[c->field], c->kind);
}

/* The rows of kid ks related to row k above: the first index and how many, after the kid's
 * own offset and limit. */
static void slice(const rlh_rset *ks, size_t k, size_t *from, size_t *n)
{
    const rlh_pnode *kn = ks->node;
    size_t size = ks->groups->size[k];
    size_t skip = kn->offset > 0 ? (size_t)kn->offset : 0;
    skip = skip < size ? skip : size;
    *from = ks->groups->start[k] + skip;
    *n = size - skip;
    if (kn->limit >= 0 && (size_t)kn->limit < *n) *n = (size_t)kn->limit;
}

static void object(rlh_buf *b, const rlh_rset *rs, size_t k, bool strip);

/* The members of row k of rs (NULL row: a spread relation that has none, every column
 * null), after *first. */
static void members(rlh_buf *b, const rlh_rset *rs, size_t k, bool has_row, bool strip, bool *first)
{
    const rlh_pnode *n = rs->node;
    const void *row = has_row ? row_at(rs, k) : NULL;
    for (size_t i = 0; i < n->ncols; i++) {
        const rlh_pcol *c = &n->cols[i];
        bool null = !row || is_null(rs->m, row, c);
        if (strip && null) continue;
        member(b, first, c->name);
        if (null)
            rlh_adds(b, "null");
        else
            value(b, rs->m, row, c);
    }
    for (size_t j = 0; j < n->nkids; j++) {
        const rlh_rset *ks = &rs->kids[j];
        const rlh_pnode *kn = ks->node;
        size_t from = 0, count = 0;
        if (row) slice(ks, k, &from, &count);
        if (kn->spread) {
            members(b, ks, from, count > 0, strip, first);
            continue;
        }
        bool array = kn->way.rel != RLH_TO_ONE && !kn->way.single;
        if (!array && count == 0 && strip) continue;
        member(b, first, kn->name);
        if (!array) {
            if (count)
                object(b, ks, from, strip);
            else
                rlh_adds(b, "null");
            continue;
        }
        rlh_add(b, "[", 1);
        for (size_t r = from; r < from + count; r++) {
            if (r > from) rlh_add(b, ",", 1);
            object(b, ks, r, strip);
        }
        rlh_add(b, "]", 1);
    }
}

static void object(rlh_buf *b, const rlh_rset *rs, size_t k, bool strip)
{
    bool first = true;
    rlh_add(b, "{", 1);
    members(b, rs, k, true, strip, &first);
    rlh_add(b, "}", 1);
}

void rlh_answer_object(rlh_buf *b, const rlh_result *res, size_t k, bool strip_nulls)
{
    object(b, &res->root, k, strip_nulls);
}

void rlh_answer_json(rlh_buf *b, const rlh_result *res, bool strip_nulls)
{
    rlh_add(b, "[", 1);
    for (size_t k = 0; k < res->root.count; k++) {
        if (k) rlh_add(b, ",", 1);
        object(b, &res->root, k, strip_nulls);
    }
    rlh_add(b, "]", 1);
}
