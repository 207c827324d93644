/*
 * Conditions through other tables, as subqueries of one statement:
 *
 *   rl_where_referenced   EXISTS / NOT EXISTS of referencing rows (through a key)
 *   rl_where_in_query     field IN (a field of another query's rows)
 */
#include "query.h"
#include "db.h"
#include "error.h"

#include <string.h>

/* ---- subqueries -------------------------------------------------------------------------- */

/* Append [NOT] EXISTS (sub's rows whose fields sub_code[i] equal q's fields code[i], n pairs)
 * to q, with sub's conditions, its own subqueries included: they follow it in q's list, their
 * numbers in the copied shape moved past it; sub is freed. */
static int add_exists(rl_query *q, rl_query *sub, int n, const short *code, const short *sub_code,
                      bool negate)
{
    int rc = RL_OK, base = q->nsubs;
    if (base + 1 + sub->nsubs > RLI_MAX_SUBS)
        rc = rli_q_fail(q, RL_EINVAL, "query on %s: at most %d subqueries.", q->mi->table,
                        RLI_MAX_SUBS);
    else if ((rc = rli_q_ready(sub)) != RL_OK)
        rli_q_fail(q, rc, "%s", q->db->e.err.message);
    if (rc == RL_OK) {
        static const char hex[] = "0123456789abcdef";
        char head[6 + 4 * RLS_KEY_MAX] = {'x', hex[base], negate ? '1' : '0', hex[n]};
        for (int i = 0; i < n; i++) {
            char *p = head + 4 + 4 * i;
            p[0] = hex[(code[i] >> 4) & 15];
            p[1] = hex[code[i] & 15];
            p[2] = hex[(sub_code[i] >> 4) & 15];
            p[3] = hex[sub_code[i] & 15];
        }
        head[4 + 4 * n] = '{';
        rli_sb_puts(&q->shape, head);
        size_t at = q->shape.len;
        rli_sb_puts(&q->shape, sub->shape.s + 2);
        /* 'x' starts a token only (no other token holds the letter): renumber sub's own */
        for (size_t i = at; !q->shape.oom && i < q->shape.len && q->shape.s[i] != '|'; i++)
            if (q->shape.s[i] == 'x') {
                const char *d = strchr(hex, q->shape.s[i + 1]);
                q->shape.s[i + 1] = hex[base + 1 + (d ? d - hex : 0)];
            }
        char *bar = q->shape.oom ? NULL : strchr(q->shape.s + at, '|');
        if (bar) q->shape.s[q->shape.len = (size_t)(bar - q->shape.s)] = '\0';
        rli_sb_puts(&q->shape, "}");
        for (size_t i = 0; i < sub->nparams && rc == RL_OK; i++)
            rc = rli_q_add_param(q, sub->params[i]);
        q->subs[q->nsubs++] = sub->mi;
        for (int j = 0; j < sub->nsubs; j++)
            q->subs[q->nsubs++] = sub->subs[j];
    }
    rl_query_free(sub);
    return rc == RL_OK ? RL_OK : q->error ? q->error : rc;
}

/* The checks shared by both subquery conditions; sub is freed when they fail. */
static int sub_usable(rl_query *q, rl_query *sub)
{
    int rc = RL_OK;
    if (q && sub == q) /* not freed: the caller still holds it */
        return q->error ? q->error
                        : rli_q_fail(q, RL_EINVAL,
                                     "query on %s: a query cannot be its own "
                                     "subquery.",
                                     q->mi->table);
    if (!q)
        rc = RL_EINVAL;
    else if (q->error)
        rc = rli_err_set(q->db, q->error, "%s", q->errmsg ? q->errmsg : "");
    else if (!sub)
        rc = rli_q_fail(q, RL_EINVAL, "query on %s: no subquery was given.", q->mi->table);
    else if (sub->db != q->db)
        rc = rli_q_fail(q, RL_EINVAL,
                        "query on %s: the subquery belongs to another "
                        "connection.",
                        q->mi->table);
    else if (sub->join)
        rc = rli_q_fail(q, RL_EINVAL, "query on %s: a subquery cannot have a join.", q->mi->table);
    else if (sub->error)
        rc = rli_q_fail(q, sub->error, "%s", sub->errmsg ? sub->errmsg : "Out of memory.");
    if (rc != RL_OK) rl_query_free(sub);
    return rc;
}

int rl_where_referenced(rl_query *q, rl_query *sub, const char *key, bool negate)
{
    int rc = sub_usable(q, sub);
    if (rc != RL_OK) return rc;
    int ki;
    rc = rli_find_key(q, sub->mi, q->mi, key, &ki);
    if (rc != RL_OK) {
        rl_query_free(sub);
        return rc;
    }
    rli_key k;
    rli_key_to(q->db, sub->mi, ki, q->mi, &k);
    return add_exists(q, sub, k.n, k.parent, k.child, negate);
}

int rl_where_in_query(rl_query *q, const char *field, rl_query *sub, const char *sub_field,
                      bool negate)
{
    int rc = sub_usable(q, sub);
    if (rc != RL_OK) return rc;
    int code = rli_q_field_code(q, field);
    int sub_code = rli_q_field_code(sub, sub_field);
    if (code < 0 || sub_code < 0) {
        rc = rli_q_unknown_field(code < 0 ? q : sub, code < 0 ? field : sub_field);
        if (code >= 0) rli_q_fail(q, rc, "%s", q->db->e.err.message);
        rl_query_free(sub);
        return rc;
    }
    return add_exists(q, sub, 1, &(short){(short)code}, &(short){(short)sub_code}, negate);
}
