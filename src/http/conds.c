/*
 * The conditions of a read's node on its query (rlh_exec_where, exec.h): negation pushed down
 * to the comparisons (in SQL's three-valued logic NOT (a = 1) is a <> 1 and NOT (x OR y) is
 * NOT x AND NOT y), each value read as its column's type.
 */
#include "exec.h"
#include "cast.h"

#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A value of the URL as the column's type, or 400 22P02 as PostgreSQL words it. */
static int value_of(const rl_model *m, const rlh_pcond *c, const char *text, rl_value *out,
                    rlh_exec_error *err)
{
    const rlh_col *col = &c->cond->col;
    bool json_end = col->njson && !col->json[col->njson - 1].text; /* -> last: JSON */
    int kind = col->njson || c->field == RLH_FIELD_PK ? -1 : (int)c->kind;
    if (kind == RL_KIND_JSON || json_end) { /* a document, compared as one */
        json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
        json_decref(j);
        if (!j)
            return rlh_exec_fail(err, 400, "22P02",
                                 "The value compared with a JSON column is JSON.",
                                 "invalid input syntax for type json");
    }
    if (col->njson) { /* through a JSON path: text, or JSON text */
        *out = rl_text(text);
        return RL_OK;
    }
    if (rlh_parse_value(text, kind, out)) return RL_OK;
    const char *type = kind == RL_KIND_REAL      ? "double precision"
                       : kind == RL_KIND_NUMERIC ? "numeric"
                       : kind == RL_KIND_BOOLEAN ? "boolean"
                                                 : rlh_integer_type(c->type);
    char sentence[500];
    snprintf(sentence, sizeof sentence, "%.150s takes %s, and '%.150s' is not one.",
             rlh_exec_field(m, c->field), rlh_kind_takes(kind), text);
    return rlh_exec_fail(err, 400, "22P02", sentence,
                         "invalid input syntax for type %s: \"%.150s\"", type, text);
}

/* The elements of a {a,b,"c d"} list (an (any)/(all) operand), at most max, into out (the
 * texts malloc'd in *mem); -1 when it is not one. */
static int list_of(const char *v, const char **out, size_t max, char **mem)
{
    size_t len = strlen(v);
    if (len < 2 || v[0] != '{' || v[len - 1] != '}') return -1;
    char *buf = malloc(len), *o = buf;
    if (!buf) return -1;
    *mem = buf;
    int n = 0;
    for (const char *c = v + 1; c < v + len - 1;) {
        if ((size_t)n == max) return -1;
        out[n++] = o;
        if (*c == '"') {
            for (c++; *c && *c != '"'; c++) {
                if (*c == '\\' && c[1]) c++;
                *o++ = *c;
            }
            c += *c == '"';
        } else {
            while (c < v + len - 1 && *c != ',')
                *o++ = *c++;
        }
        *o++ = '\0';
        c += *c == ',';
    }
    return n;
}

/* rl_where on the column of condition c: through its JSON path when it has one. */
static int where(rl_query *q, const rl_model *m, const rlh_pcond *c, rl_op op, rl_value v)
{
    const rlh_col *col = &c->cond->col;
    return col->njson ? rlh_where_path(q, rlh_exec_field(m, c->field), col->json, col->njson, op, v)
                      : rl_where(q, rlh_exec_field(m, c->field), op, v);
}

/* One comparison col op value (or its negation). */
static int compare(rl_query *q, const rl_model *m, const rlh_pcond *c, rlh_op op, const char *v,
                   bool negate, rlh_exec_error *err)
{
    static const rl_op ops[][2] = {[RLH_OP_EQ] = {RL_EQ, RL_NE}, [RLH_OP_NEQ] = {RL_NE, RL_EQ},
                                   [RLH_OP_GT] = {RL_GT, RL_LE}, [RLH_OP_GTE] = {RL_GE, RL_LT},
                                   [RLH_OP_LT] = {RL_LT, RL_GE}, [RLH_OP_LTE] = {RL_LE, RL_GT}};
    if (op <= RLH_OP_LTE) {
        rl_value val;
        int rc = value_of(m, c, v, &val, err);
        if (rc == RL_OK) where(q, m, c, ops[op][negate], val);
        return rc;
    }
    if (op == RLH_OP_MATCH || op == RLH_OP_IMATCH) {
        int flags = REG_EXTENDED | REG_NOSUB | (op == RLH_OP_IMATCH ? REG_ICASE : 0);
        regex_t re; /* SQLite runs POSIX's: a pattern it cannot compile is the request's error */
        if (err->posix_regex) {
            if (regcomp(&re, v, flags) != 0)
                return rlh_exec_fail(err, 400, "2201B", NULL,
                                     "invalid regular expression: \"%.150s\"", v);
            regfree(&re);
        }
        static const rl_op re_ops[2][2] = {{RL_MATCH, RL_NOT_MATCH}, {RL_IMATCH, RL_NOT_IMATCH}};
        where(q, m, c, re_ops[op == RLH_OP_IMATCH][negate], rl_text(v));
        return RL_OK;
    }
    if (op == RLH_OP_ISDISTINCT) {
        rl_value val;
        int rc = value_of(m, c, v, &val, err);
        if (rc == RL_OK) where(q, m, c, negate ? RL_IS_NOT_DISTINCT : RL_IS_DISTINCT, val);
        return rc;
    }
    if (op == RLH_OP_LIKE || op == RLH_OP_ILIKE) {
        char *pat = rlh_like_pattern(v, op == RLH_OP_LIKE); /* like: a case-sensitive GLOB */
        if (!pat) return rlh_exec_fail(err, 500, "RL_ENOMEM", NULL, "Out of memory.");
        where(q, m, c,
              op == RLH_OP_LIKE ? (negate ? RL_NOT_GLOB : RL_GLOB)
                                : (negate ? RL_NOT_LIKE : RL_LIKE),
              rl_text(pat));
        free(pat);
        return RL_OK;
    }
    static const rl_op pg_ops[] = {
        [RLH_OP_CS] = RL_INCLUDES,     [RLH_OP_CD] = RL_INCLUDED_IN, [RLH_OP_OV] = RL_OVERLAPS,
        [RLH_OP_SL] = RL_LEFT_OF,      [RLH_OP_SR] = RL_RIGHT_OF,    [RLH_OP_NXR] = RL_NOT_RIGHT_OF,
        [RLH_OP_NXL] = RL_NOT_LEFT_OF, [RLH_OP_ADJ] = RL_ADJACENT,   [RLH_OP_FTS] = RL_FTS,
        [RLH_OP_PLFTS] = RL_PLFTS,     [RLH_OP_PHFTS] = RL_PHFTS,    [RLH_OP_WFTS] = RL_WFTS};
    /* PostgreSQL's own (NOT (...) when negated); a search on SQLite too, through the FTS5
     * table that indexes the column (the query says when there is none) */
    if (c->cond->col.njson && op >= RLH_OP_FTS)
        return rlh_exec_unsupported(err, "that operator on a JSON path");
    if (op < sizeof pg_ops / sizeof pg_ops[0] && pg_ops[op] &&
        (!err->posix_regex || (op >= RLH_OP_FTS && op <= RLH_OP_WFTS))) {
        rl_op o = pg_ops[op];
        if (negate) rl_none(q);
        if (o >= RL_FTS)
            rl_where_search(q, rlh_exec_field(m, c->field), o, c->cond->lang, v);
        else
            where(q, m, c, o, rl_text(v));
        if (negate) rl_end(q);
        return RL_OK;
    }
    static const char *const names[] = {
        [RLH_OP_MATCH] = "match", [RLH_OP_IMATCH] = "imatch", [RLH_OP_ISDISTINCT] = "isdistinct",
        [RLH_OP_FTS] = "fts",     [RLH_OP_PLFTS] = "plfts",   [RLH_OP_PHFTS] = "phfts",
        [RLH_OP_WFTS] = "wfts",   [RLH_OP_CS] = "cs",         [RLH_OP_CD] = "cd",
        [RLH_OP_OV] = "ov",       [RLH_OP_SL] = "sl",         [RLH_OP_SR] = "sr",
        [RLH_OP_NXR] = "nxr",     [RLH_OP_NXL] = "nxl",       [RLH_OP_ADJ] = "adj"};
    char what[60];
    snprintf(what, sizeof what, "the %s operator%s",
             op < sizeof names / sizeof names[0] && names[op] ? names[op] : "?",
             op >= RLH_OP_CS ? " on SQLite (PostgreSQL has it)" : "");
    return rlh_exec_unsupported(err, what);
}

/* A condition of the plan, negated or not. */
static int leaf(rl_query *q, const rl_model *m, const rlh_pcond *c, bool negate,
                rlh_exec_error *err)
{
    const rlh_cond *k = c->cond;
    negate ^= k->negated;
    const char *f = rlh_exec_field(m, c->field);
    if (k->quant != RLH_QUANT_NONE) { /* eq(any).{a,b}: a group of comparisons */
        const char *items[64];
        char *mem = NULL;
        int n = list_of(k->value, items, 64, &mem), rc = RL_OK;
        if (n < 0) {
            free(mem);
            return rlh_exec_fail(err, 400, "22P02", "An (any) or (all) operand is a list: {a,b,c}.",
                                 "malformed array literal: \"%.150s\"", k->value);
        }
        bool any = (k->quant == RLH_QUANT_ANY) != negate;
        if (any)
            rl_any(q);
        else
            rl_all(q);
        for (int i = 0; i < n && rc == RL_OK; i++)
            rc = compare(q, m, c, k->op, items[i], negate, err);
        rl_end(q);
        free(mem);
        return rc;
    }
    switch (k->op) {
    case RLH_OP_IN: {
        rl_value *vals = calloc(k->nlist ? k->nlist : 1, sizeof *vals);
        if (!vals) return rlh_exec_fail(err, 500, "RL_ENOMEM", NULL, "Out of memory.");
        int rc = RL_OK;
        for (size_t i = 0; i < k->nlist && rc == RL_OK; i++)
            rc = value_of(m, c, k->list[i], &vals[i], err);
        if (rc == RL_OK && !k->col.njson) rl_where_in(q, f, vals, k->nlist, negate);
        if (rc == RL_OK && k->col.njson) { /* through a JSON path: one equal, or none */
            negate ? rl_none(q) : rl_any(q);
            for (size_t i = 0; i < k->nlist; i++)
                where(q, m, c, RL_EQ, vals[i]);
            rl_end(q);
        }
        free(vals);
        return rc;
    }
    case RLH_OP_IS: {
        /* true or false: a JSON path's text says so in words */
        rl_value truth = !k->col.njson          ? rl_int(k->is == RLH_IS_TRUE)
                         : k->is == RLH_IS_TRUE ? rl_text("true")
                                                : rl_text("false");
        if (k->is == RLH_IS_NULL || k->is == RLH_IS_UNKNOWN || k->is == RLH_IS_NOT_NULL) {
            bool null = (k->is != RLH_IS_NOT_NULL) != negate;
            where(q, m, c, null ? RL_IS_NULL : RL_IS_NOT_NULL, rl_null());
            return RL_OK;
        }
        if (!negate) {
            where(q, m, c, RL_EQ, truth);
            return RL_OK;
        }
        rl_any(q); /* IS NOT TRUE: false or NULL */
        where(q, m, c, RL_IS_NULL, rl_null());
        where(q, m, c, RL_NE, truth);
        rl_end(q);
        return RL_OK;
    }
    default:
        return compare(q, m, c, k->op, k->value, negate, err);
    }
}

/* A group of conditions (all, or any), negated or not, inside the query's current group. */
static int tree(rl_query *q, const rl_model *m, const rlh_pwhere *w, bool negate, size_t *count,
                rlh_exec_error *err)
{
    if (++*count > RLH_MAX_CONDITIONS)
        return rlh_exec_fail(err, 400, "RL_EINVAL", NULL, "A request has at most %d conditions.",
                             RLH_MAX_CONDITIONS);
    if (w->leaf) return leaf(q, m, &w->cond, negate, err);
    negate ^= w->negated;
    bool any = w->any != negate;
    if (any)
        rl_any(q);
    else
        rl_all(q);
    int rc = RL_OK;
    for (size_t i = 0; i < w->nkids && rc == RL_OK; i++)
        rc = tree(q, m, &w->kids[i], negate, count, err);
    rl_end(q);
    return rc;
}

int rlh_exec_where(rl_query *q, const rlh_pnode *n, rlh_exec_error *err)
{
    size_t count = 0;
    return n->where.nkids ? tree(q, n->m, &n->where, false, &count, err) : RL_OK;
}
