/*
 * Conditions beyond one comparison: IN lists, groups (any, all, none), and the operators of
 * PostgreSQL's own types (arrays, ranges, JSON documents, full-text search), which the query
 * builder writes only where the engine has them.
 */
#include "query.h"
#include "db.h"
#include "search.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int check(rl_query *q)
{
    return q ? q->error : RL_EINVAL;
}

/* Escape LIKE wildcards so the operand is matched literally. */
static char *like_literal(rl_query *q, const char *s, bool lead, bool trail)
{
    size_t n = strlen(s);
    char *out = rli_arena_alloc(&q->texts, 2 * n + 3);
    if (!out) return NULL;
    char *p = out;
    if (lead) *p++ = '%';
    for (const char *c = s; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\') *p++ = '\\';
        *p++ = *c;
    }
    if (trail) *p++ = '%';
    *p = '\0';
    return out;
}

int rli_where_value(rl_query *q, int code, const char *field, rl_op op, rl_value v,
                    const char *path, size_t plen)
{
    if (v.type == RL_V_NULL && op == RL_EQ) op = RL_IS_NULL;
    if (v.type == RL_V_NULL && op == RL_NE) op = RL_IS_NOT_NULL;
    if ((unsigned)op > RL_WFTS)
        return rli_q_fail(q, RL_EINVAL, "query on %s: unknown operator %d.", q->mi->table, (int)op);
    if (op >= RL_INCLUDES && path)
        return rli_q_fail(q, RL_EINVAL,
                          "query on %s: a JSON path of %s takes rl_where's operators.",
                          q->mi->table, field);
    if (op >= RL_INCLUDES) return rli_where_postgres(q, code, field, op, NULL, v);
    if ((op <= RL_GLOB || op == RL_NOT_LIKE || op == RL_NOT_GLOB || op >= RL_MATCH) &&
        v.type == RL_V_NULL)
        return rli_q_fail(q, RL_EINVAL,
                          "query on %s: comparing %s with NULL matches nothing; use RL_IS_NULL.",
                          q->mi->table, field);
    if (path) { /* 'C' FF op LLLL path */
        rli_q_token(q, 'C', code, (char)('A' + op));
        rli_sb_printf(&q->shape, "%04zx", plen);
        rli_sb_putn(&q->shape, path, plen);
    } else {
        rli_q_token(q, 'c', code, (char)('A' + op));
    }
    switch (op) {
    case RL_IS_NULL:
    case RL_IS_NOT_NULL:
        return RL_OK;
    case RL_CONTAINS:
    case RL_STARTS_WITH:
    case RL_ENDS_WITH: {
        if (v.type != RL_V_TEXT)
            return rli_q_fail(q, RL_EINVAL, "query on %s: %s needs a text operand.", q->mi->table,
                              op == RL_CONTAINS ? "contains" : "starts/ends with");
        char *pat = like_literal(q, v.u.s, op != RL_STARTS_WITH, op != RL_ENDS_WITH);
        if (!pat) return rli_q_fail(q, RL_ENOMEM, "Out of memory.");
        return rli_q_add_param(q, rl_text(pat));
    }
    case RL_GLOB:
    case RL_NOT_GLOB:
        if (q->db->be->dialect->glob_regex && v.type == RL_V_TEXT) {
            char *re = rli_glob_regex(v.u.s);
            int rc =
                re ? rli_q_add_param(q, rl_text(re)) : rli_q_fail(q, RL_ENOMEM, "Out of memory.");
            free(re);
            return rc;
        }
        return rli_q_add_param(q, v);
    default:
        return rli_q_add_param(q, v);
    }
}

int rl_where_in(rl_query *q, const char *field, const rl_value *values, size_t n, bool negate)
{
    if (check(q) != RL_OK) return check(q);
    if (n && !values) return rli_q_fail(q, RL_EINVAL, "query: rl_where_in was given no values.");
    int code = rli_q_field_code(q, field);
    if (code < 0) return rli_q_unknown_field(q, field);
    if (n > INT32_MAX)
        return rli_q_fail(q, RL_EINVAL, "query: rl_where_in was given too many values.");
    rli_q_token(q, 'i', code, negate ? '1' : '0');
    rli_sb_printf(&q->shape, "%zu;", n);
    for (size_t i = 0; i < n; i++)
        if (rli_q_add_param(q, values[i]) != RL_OK) return q->error;
    return RL_OK;
}

/* Open a group of kind 'o' (OR), 'a' (AND) or 'n' (NOT (... OR ...)). */
static int open_group(rl_query *q, char kind)
{
    if (check(q) != RL_OK) return check(q);
    if (q->depth + 1 >= MAX_GROUPS)
        return rli_q_fail(q, RL_EINVAL, "query: groups nest at most %d deep.", MAX_GROUPS - 1);
    char t[2] = {'(', kind};
    rli_sb_putn(&q->shape, t, 2);
    q->depth++;
    return RL_OK;
}

int rl_any(rl_query *q)
{
    return open_group(q, 'o');
}
int rl_all(rl_query *q)
{
    return open_group(q, 'a');
}
int rl_none(rl_query *q)
{
    return open_group(q, 'n');
}

int rl_end(rl_query *q)
{
    if (check(q) != RL_OK) return check(q);
    if (q->depth == 0) return rli_q_fail(q, RL_EMISUSE, "query: rl_end without an open group.");
    rli_sb_puts(&q->shape, ")");
    q->depth--;
    return RL_OK;
}

/* A search of field (code) through the full-text index that covers it (search.c), where the
 * engine has no search functions of its own. */
static int index_search(rl_query *q, int code, const char *field, rl_op op, rl_value v)
{
    bool own = code >= 0 && code < (int)q->mi->model->nfields; /* not the integer key */
    const rls_search *s = own && q->mi->rt.searches && q->mi->rt.searches[code].table
                              ? &q->mi->rt.searches[code]
                              : NULL;
    if (!s)
        return rli_q_fail(q, RL_EINVAL,
                          "query on %s: full-text search on %s needs an FTS5 table that indexes "
                          "it on %s (CREATE VIRTUAL TABLE %s_fts USING fts5(%s, content='%s')).",
                          q->mi->table, field, q->db->be->dialect->name, q->mi->table, field,
                          q->mi->table);
    if (v.type != RL_V_TEXT)
        return rli_q_fail(q, RL_EINVAL, "query on %s: the operand on %s is text.", q->mi->table,
                          field);
    strbuf b;
    rli_sb_init(&b);
    char why[200];
    int rc = rli_search_query(op, v.u.s, &b, why, sizeof why);
    if (rc == RL_OK && b.oom) rc = RL_ENOMEM;
    if (rc == RL_OK) {
        rli_q_token(q, 'c', code, (char)('A' + op));
        rc = rli_q_add_param(q, rl_text(b.s));
    } else if (rc == RL_EINVAL) {
        rc = rli_q_fail(q, RL_EINVAL, "query on %s: a search on %s that FTS5 cannot make: %s.",
                        q->mi->table, field, why);
    } else {
        rc = rli_q_fail(q, RL_ENOMEM, "Out of memory.");
    }
    rli_sb_free(&b);
    return rc;
}

int rli_where_postgres(rl_query *q, int code, const char *field, rl_op op, const char *config,
                       rl_value v)
{
    const rl_dialect *d = q->db->be->dialect;
    bool search = op >= RL_FTS;
    if (search && !d->search[0]) return index_search(q, code, field, op, v);
    if (!(search ? d->search[0] : d->pg_ops[0]))
        return rli_q_fail(q, RL_EINVAL,
                          "query on %s: %s on %s needs PostgreSQL (%s has no such operator).",
                          q->mi->table, search ? "full-text search" : "an array or range operator",
                          field, d->name);
    if (v.type != RL_V_TEXT)
        return rli_q_fail(q, RL_EINVAL, "query on %s: the operand on %s is text.", q->mi->table,
                          field);
    /* a search's code says more (render.h): + 4 with a configuration (bound before the text),
     * + 8 for a document that is not a tsvector (a JSON or text column: to_tsvector of it, in
     * the configuration too, bound once more; a runtime model's text column is a tsvector when
     * its declared type names one, a domain over it included) */
    int token = (int)op;
    const rl_model *m = q->mi->model;
    rl_kind kind = code >= 0 && code < (int)m->nfields ? m->fields[code].kind : RL_KIND_INTEGER;
    bool doc =
        search &&
        (kind == RL_KIND_JSON ||
         (kind == RL_KIND_TEXT && !(q->mi->types && strstr(q->mi->types[code], "tsvector"))));
    if (search) token += (config ? 4 : 0) + (doc ? 8 : 0);
    rli_q_token(q, 'c', code, (char)('A' + token));
    for (int i = 0; config && i < (doc ? 2 : 1); i++)
        if (rli_q_add_param(q, rl_text(config)) != RL_OK) return q->error;
    return rli_q_add_param(q, v);
}

int rl_where_search(rl_query *q, const char *field, rl_op op, const char *config, const char *text)
{
    if (check(q) != RL_OK) return check(q);
    int code = rli_q_field_code(q, field);
    if (code < 0) return rli_q_unknown_field(q, field);
    if (op < RL_FTS || op > RL_WFTS || !text)
        return rli_q_fail(q, RL_EINVAL,
                          "query on %s: rl_where_search takes RL_FTS, RL_PLFTS, RL_PHFTS or "
                          "RL_WFTS and a text.",
                          q->mi->table);
    return rli_where_postgres(q, code, field, op, config, rl_text(text));
}
