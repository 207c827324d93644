/*
 * Whether a write's plan restricts the rows it reaches (rlh_plan_restricts): the unfiltered
 * write guard judges the plan, not the query string, so that conditions that hold for every
 * row (and=(), not.or=(), x=not.is.null of a NOT NULL column, x=like.* of one) are no filter.
 */
#include "plan.h"

#include <string.h>

/* Whether condition c, negated or not, holds for every row of m whatever the rows: x IS NOT
 * NULL of a column without NULLs, x LIKE '*' (any text) of one, x NOT IN (). */
static bool always_leaf(const rl_model *m, const rlh_pcond *c, bool negate)
{
    const rlh_cond *k = c->cond;
    negate ^= k->negated;
    bool nullable = c->field >= 0 && m->fields[c->field].nullable;
    if (k->col.njson || k->quant != RLH_QUANT_NONE) return false;
    if (k->op == RLH_OP_IN && k->nlist == 0) return negate;
    if (k->op == RLH_OP_IS && k->is == RLH_IS_NULL) return negate && !nullable;
    if ((k->op == RLH_OP_LIKE || k->op == RLH_OP_ILIKE) && !negate && !nullable && k->value)
        return k->value[0] && !k->value[strspn(k->value, "*%")];
    return false;
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether leaves a and b are one condition and its negation, together true for every row:
 * x IS NULL and x IS NOT NULL (any IS), or x = 5 and NOT x = 5 of a column without NULLs. */
static bool complement(const rl_model *m, const rlh_pwhere *a, const rlh_pwhere *b)
{
    if (!a->leaf || !b->leaf || a->cond.field != b->cond.field) return false;
    const rlh_cond *x = a->cond.cond, *y = b->cond.cond;
    if (x->negated == y->negated || x->op != y->op || x->col.njson || y->col.njson ||
        x->quant != y->quant || x->is != y->is || !same_text(x->value, y->value) ||
        !same_text(x->lang, y->lang) || x->nlist != y->nlist)
        return false;
    for (size_t i = 0; i < x->nlist; i++)
        if (!same_text(x->list[i], y->list[i])) return false;
    bool nullable = a->cond.field >= 0 && m->fields[a->cond.field].nullable;
    return x->op == RLH_OP_IS || x->op == RLH_OP_ISDISTINCT || !nullable;
}

/* Whether group w (negated or not) holds for every row: an AND of such conditions (none at
 * all included: and=(), not.or=()), an OR with one of them, or with a condition beside its
 * negation. */
static bool always(const rl_model *m, const rlh_pwhere *w, bool negate)
{
    if (w->leaf) return always_leaf(m, &w->cond, negate);
    negate ^= w->negated;
    bool any = w->any != negate;
    for (size_t i = 0; i < w->nkids; i++) {
        bool a = always(m, &w->kids[i], negate);
        if (any && a) return true;
        if (!any && !a) return false;
        for (size_t j = 0; any && j < i; j++) /* x IS NULL or x IS NOT NULL */
            if (complement(m, &w->kids[i], &w->kids[j])) return true;
    }
    return !any;
}

bool rlh_plan_restricts(const rlh_pnode *root)
{
    return !always(root->m, &root->where, false);
}
