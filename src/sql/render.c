/*
 * The SQL renderer (see render.h for the tree and the shape grammar).
 *
 * Entry point: rli_render.  Each part of a statement has its own small function: the column
 * list, the SET list, the WHERE clause (from a key or from a shape), ORDER BY and paging.
 * The placeholder counter r->n runs through them in binding order.
 */
#include "render_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32 /* groups nest at most this deep (the builder refuses deeper) */

static void param(render *r)
{
    rli_sb_printf(r->b, "%c%d", r->d->placeholder, ++r->n);
}

static int hex_digit(char c)
{
    return c >= 'a' ? c - 'a' + 10 : c - '0';
}

static int token_field(const char *t)
{
    return hex_digit(t[1]) * 16 + hex_digit(t[2]);
}

/* The length of the JSON path of a 'C' or 'O' token. */
static size_t path_len(const char *t)
{
    size_t n = 0;
    for (int i = 4; i < 8; i++)
        n = n * 16 + (size_t)hex_digit(t[i]);
    return n;
}

/* What field code names: its table, its column's index there (-1: the primary key) and the
 * table's alias in the statement. */
static const rls_table *code_at(const render *r, int code, int *index, char alias[4])
{
    const rls_stmt *s = r->s;
    if (s->join && (code == RLS_JOINED_PK || (code >= RLS_JOINED && code < RLS_JOINED + 64))) {
        *index = code == RLS_JOINED_PK ? -1 : code - RLS_JOINED;
        memcpy(alias, "t1", 3);
        return s->join->t;
    }
    if (code >= RLS_EXTRA && (size_t)(code - RLS_EXTRA) < s->nextra) {
        const rls_extra *e = &s->extra[code - RLS_EXTRA];
        *index = e->field;
        snprintf(alias, 4, "t%d", e->join + 2);
        return s->more[e->join].t;
    }
    *index = code == RLS_PK ? -1 : code;
    memcpy(alias, r->alias, sizeof r->alias);
    return r->t;
}

/* The qualified name of the row id of code's table, the rowid column given or SQLite's own. */
static void rowid_ref(render *r, int code, const char *rowid)
{
    int index;
    char alias[4];
    code_at(r, code, &index, alias);
    if (r->qualify) {
        rli_sb_puts(r->b, alias);
        rli_sb_puts(r->b, ".");
    }
    if (rowid)
        rli_sb_ident(r->b, rowid);
    else
        rli_sb_puts(r->b, "rowid");
}

void rli_r_column_ref(render *r, int code)
{
    int index;
    char alias[4];
    const rls_table *t = code_at(r, code, &index, alias);
    if (r->qualify) {
        rli_sb_puts(r->b, alias);
        rli_sb_puts(r->b, ".");
    }
    rli_sb_ident(r->b, index < 0 ? t->pk : t->columns[index]);
}

/* A search of the column code names through its full-text index (rls_search): the row ids the
 * index MATCHes (the value bound is a query in the index's language). */
static void index_match(render *r, int code)
{
    int index;
    char alias[4];
    const rls_table *t = code_at(r, code, &index, alias);
    const rls_search *s =
        t->searches && index >= 0 && (size_t)index < t->ncolumns ? &t->searches[index] : NULL;
    if (!s || !s->table) { /* refused by the builder before; the value still bound */
        rli_sb_puts(r->b, "(");
        param(r);
        rli_sb_printf(r->b, " IS NULL AND %s)", r->d->false_);
        return;
    }
    /* a row without the text is neither found nor not found (NULL), as a NULL document */
    rli_sb_puts(r->b, "(CASE WHEN ");
    rli_r_column_ref(r, code);
    rli_sb_puts(r->b, " IS NULL THEN NULL ELSE ");
    rowid_ref(r, code, s->rowid);
    rli_sb_puts(r->b, " IN (SELECT rowid FROM ");
    rli_sb_ident(r->b, s->table);
    rli_sb_puts(r->b, " WHERE ");
    rli_sb_ident(r->b, t->columns[index]);
    rli_sb_puts(r->b, " MATCH ");
    param(r);
    rli_sb_puts(r->b, ") END)");
}

/* The rl_kind of the column a field code names (0: a primary key, or a plain column). */
static int kind_of(const render *r, int code)
{
    int index;
    char alias[4];
    const rls_table *t = code_at(r, code, &index, alias);
    return index >= 0 && t->kinds && t->kinds[index] < RLS_KINDS ? t->kinds[index] : 0;
}

/* A column as a SELECT list or RETURNING reads it: through the dialect's reading of its kind
 * (ISO 8601 timestamps, arrays as JSON), else itself. */
void rli_r_column_read(render *r, int code)
{
    int k = kind_of(r, code);
    const char *open = r->d->read_open[k];
    if (open) rli_sb_puts(r->b, open);
    rli_r_column_ref(r, code);
    if (open) rli_sb_puts(r->b, r->d->read_close[k]);
}

/* The placeholder of a value written into column code of the statement's table; an array's
 * JSON text is made the column's own array type where the dialect says so. */
void rli_r_value_param(render *r, int code)
{
    const rls_table *t = r->s->t;
    if (code == RLS_PK || !r->d->array_from_json || !t->kinds || t->kinds[code] != RL_KIND_ARRAY) {
        param(r);
        return;
    }
    rli_sb_puts(r->b, "(json_populate_record(NULL::");
    rli_sb_ident(r->b, t->name);
    rli_sb_puts(r->b, ", json_build_object(");
    rli_sb_escape_literal(r->b, t->columns[code]); /* PostgreSQL's (array_from_json) */
    rli_sb_puts(r->b, ", ");
    param(r);
    rli_sb_puts(r->b, "::json))).");
    rli_sb_ident(r->b, t->columns[code]);
}

/* The token after the one at t (a subquery's: after its closing brace). */
static const char *next_token(const char *t)
{
    switch (*t) {
    case 'c':
    case 'o':
        return t + 4;
    case 'C': /* 'C' FF op LLLL path, 'O' FF dir LLLL path */
    case 'O':
        return t + 8 + path_len(t);
    case 'k':
        return t + 2 + 2 * hex_digit(t[1]);
    case '(':
        return t + 2;
    case ')':
        return t + 1;
    case 'x': { /* 'x' N neg n (LL RR)... '{' tokens '}' (subqueries do not nest) */
        const char *p = t + 5 + 4 * hex_digit(t[3]);
        while (*p && *p != '}')
            p = next_token(p);
        return *p ? p + 1 : p;
    }
    default: { /* 'i' field negate count ';' */
        const char *end = strchr(t, ';');
        return end ? end + 1 : t + strlen(t);
    }
    }
}

/* Whether column code and its operand are compared as JSON documents under operator op:
 * (in)equality on a JSON column (the dialect's json_equal_cast or json_equal_fn on both). */
static bool json_equality(const render *r, int code, rl_op op)
{
    bool eq = op == RL_EQ || op == RL_NE || op == RL_IS_DISTINCT || op == RL_IS_NOT_DISTINCT;
    return eq && kind_of(r, code) == RL_KIND_JSON;
}

/* " = ?", " LIKE ? ESCAPE '\'"...: the comparison of operator op with one placeholder, the
 * argument of function fn (" = json(?)") when fn is not NULL. */
static void comparison_in(render *r, rl_op op, const char *fn)
{
    static const char *const cmp[] = {
        [RL_EQ] = " = ",         [RL_NE] = " <> ",        [RL_LT] = " < ",
        [RL_LE] = " <= ",        [RL_GT] = " > ",         [RL_GE] = " >= ",
        [RL_LIKE] = NULL,        [RL_GLOB] = NULL,        [RL_CONTAINS] = NULL,
        [RL_STARTS_WITH] = NULL, [RL_ENDS_WITH] = NULL,   [RL_NOT_LIKE] = NULL,
        [RL_NOT_GLOB] = NULL,    [RL_IS_DISTINCT] = NULL, [RL_IS_NOT_DISTINCT] = NULL,
        [RL_MATCH] = NULL,       [RL_IMATCH] = NULL,      [RL_NOT_MATCH] = NULL,
        [RL_NOT_IMATCH] = NULL};
    if (op == RL_IS_NULL || op == RL_IS_NOT_NULL) {
        rli_sb_puts(r->b, op == RL_IS_NULL ? " IS NULL" : " IS NOT NULL");
        return;
    }
    if (op >= RL_INCLUDES && op <= RL_ADJACENT) {
        rli_sb_puts(r->b, r->d->pg_ops[op - RL_INCLUDES]);
        param(r);
        return;
    }
    if (op >= RL_FTS) { /* " @@ to_tsquery([$1::regconfig, ]$2)" */
        int i = (op - RL_FTS) % 4;
        rli_sb_printf(r->b, " @@ %s(", r->d->search[i]);
        if ((op - RL_FTS) / 4 % 2) {
            param(r);
            rli_sb_puts(r->b, "::regconfig, ");
        }
        param(r);
        rli_sb_puts(r->b, ")");
        return;
    }
    rli_sb_puts(r->b, cmp[op]                    ? cmp[op]
                      : op >= RL_MATCH           ? r->d->match[op - RL_MATCH]
                      : op == RL_IS_DISTINCT     ? r->d->distinct
                      : op == RL_IS_NOT_DISTINCT ? r->d->not_distinct
                      : op == RL_GLOB            ? r->d->glob
                      : op == RL_NOT_GLOB        ? r->d->not_glob
                      : op == RL_NOT_LIKE        ? r->d->not_like
                                                 : r->d->like);
    if (fn) rli_sb_printf(r->b, "%s(", fn);
    param(r);
    if (fn) rli_sb_puts(r->b, ")");
    if (op == RL_CONTAINS || op == RL_STARTS_WITH || op == RL_ENDS_WITH)
        rli_sb_puts(r->b, " ESCAPE '\\'");
}

static void in_list(render *r, const char *t)
{
    bool negate = t[3] == '1';
    unsigned long long n = strtoull(t + 4, NULL, 10);
    if (n == 0) { /* x IN () matches nothing, x NOT IN () everything */
        rli_sb_puts(r->b, negate ? r->d->true_ : r->d->false_);
        return;
    }
    rli_r_column_ref(r, token_field(t));
    rli_sb_puts(r->b, negate ? " NOT IN (" : " IN (");
    for (unsigned long long i = 0; i < n; i++) {
        if (i) rli_sb_puts(r->b, ", ");
        param(r);
    }
    rli_sb_puts(r->b, ")");
}

static const char *conditions(render *r, const char *t, const char *lead, const char *close);

/* [NOT] EXISTS (SELECT 1 FROM sub AS sN WHERE sN.RR = outer.LL AND (...)): the token at t. */
static void exists(render *r, const char *t)
{
    int n = hex_digit(t[1]);
    if ((size_t)n >= r->s->nsubs) return; /* the builder never writes one */
    const rls_table *sub = r->s->subs[n];
    rli_sb_puts(r->b, t[2] == '1' ? "NOT EXISTS (SELECT 1 FROM " : "EXISTS (SELECT 1 FROM ");
    rli_sb_ident(r->b, sub->name);
    rli_sb_printf(r->b, " AS s%d WHERE ", n);
    render inner = *r;
    inner.t = sub;
    snprintf(inner.alias, sizeof inner.alias, "s%d", n);
    int pairs = hex_digit(t[3]);
    for (int i = 0; i < pairs; i++) {
        const char *pair = t + 4 + 4 * i;
        if (i) rli_sb_puts(r->b, " AND ");
        rli_r_column_ref(&inner, hex_digit(pair[2]) * 16 + hex_digit(pair[3]));
        rli_sb_puts(r->b, " = ");
        rli_r_column_ref(r, hex_digit(pair[0]) * 16 + hex_digit(pair[1]));
    }
    inner.s = &(rls_stmt){.t = sub, .subs = r->s->subs, .nsubs = r->s->nsubs}; /* no join */
    conditions(&inner, t + 5 + 4 * pairs, " AND (", ")");
    r->n = inner.n;
    rli_sb_puts(r->b, ")");
}

/* The table and column a field code names (the statement's, a subquery's or the joined
 * table's), for a key set read through a table's row type. */
static void code_names(const render *r, int code, const char **table, const char **column)
{
    int index;
    char alias[4];
    const rls_table *t = code_at(r, code, &index, alias);
    *table = t->name;
    *column = index < 0 ? t->pk : t->columns[index];
}

/* 'k' n FF...: the key's columns in the set bound as one parameter.  One column: "c IN (SELECT
 * value FROM json_each(?))" or "c = ANY ($1)"; several: "(a, b) IN (SELECT json_extract(value,
 * '$[0]'), ... FROM json_each(?))", or on PostgreSQL "(a, b) IN (SELECT x.a, x.b FROM
 * json_populate_recordset(NULL::t, $1::json) AS x)", every value of its column's own type. */
static void key_set(render *r, const char *t)
{
    int n = hex_digit(t[1]);
    if (t == r->probe) r->probe_n = r->n;
    if (t == r->key_join) { /* the set is the join's first table: its rows' columns match */
        ++r->n;             /* its placeholder, written in FROM */
        rli_sb_puts(r->b, "(");
        for (int i = 0; i < n; i++) {
            if (i) rli_sb_puts(r->b, " AND ");
            rli_r_column_ref(r, token_field(t + 1 + 2 * i));
            if (n == 1)
                rli_sb_puts(r->b, " = k.value");
            else
                rli_sb_printf(r->b, " = json_extract(k.value, '$[%d]')", i);
        }
        rli_sb_puts(r->b, ")");
        return;
    }
    if (n == 1) {
        int code = token_field(t + 1);
        rli_r_column_ref(r, code);
        rli_sb_puts(r->b, r->d->key_set_open);
        param(r);
        int k = kind_of(r, code);
        rli_sb_puts(r->b,
                    k == 0 || k == RL_KIND_INTEGER ? r->d->key_set_close : r->d->key_set_close_any);
        return;
    }
    rli_sb_puts(r->b, "(");
    for (int i = 0; i < n; i++) {
        if (i) rli_sb_puts(r->b, ", ");
        rli_r_column_ref(r, token_field(t + 1 + 2 * i));
    }
    rli_sb_puts(r->b, ") IN (SELECT ");
    const char *table = NULL, *column;
    for (int i = 0; i < n; i++) {
        if (i) rli_sb_puts(r->b, ", ");
        code_names(r, token_field(t + 1 + 2 * i), &table, &column);
        if (r->d->key_rows_records) {
            rli_sb_puts(r->b, "x.");
            rli_sb_ident(r->b, column);
        } else {
            rli_sb_printf(r->b, "json_extract(value, '$[%d]')", i);
        }
    }
    if (r->d->key_rows_records) {
        rli_sb_puts(r->b, " FROM json_populate_recordset(NULL::");
        rli_sb_ident(r->b, table);
        rli_sb_puts(r->b, ", ");
        param(r);
        rli_sb_puts(r->b, "::json) AS x)");
    } else {
        rli_sb_puts(r->b, " FROM json_each(");
        param(r);
        rli_sb_puts(r->b, "))");
    }
}

/* The conditions of the tokens from t up to the end of the shape or of a subquery's braces,
 * joined by AND at the top; lead is written before the first, close after the last (nothing
 * when there is none).  Returns where the tokens end. */
static const char *conditions(render *r, const char *t, const char *lead, const char *close)
{
    bool is_or[MAX_DEPTH] = {false};
    int terms[MAX_DEPTH] = {0};
    int d = 0;
    for (; t && *t && *t != '|' && *t != '}'; t = next_token(t)) {
        char tag = *t;
        if (tag == 'o' || tag == 'O') continue; /* ordering: order_by */
        if (tag == ')') { /* an empty OR matches nothing, an empty AND everything */
            if (terms[d] == 0) rli_sb_puts(r->b, is_or[d] ? r->d->false_ : r->d->true_);
            rli_sb_puts(r->b, ")");
            d--;
            continue;
        }
        /* every other token starts a term of the current group (the first: after lead) */
        if (terms[d]++ > 0)
            rli_sb_puts(r->b, is_or[d] ? " OR " : " AND ");
        else if (d == 0)
            rli_sb_puts(r->b, lead);
        if (tag == '(') {
            if (d + 1 >= MAX_DEPTH) return t; /* refused by the builder before */
            rli_sb_puts(r->b, t[1] == 'n' ? "NOT (" : "(");
            d++;
            is_or[d] = t[1] != 'a';
            terms[d] = 0;
        } else if (tag == 'c' && t[3] - 'A' >= RL_FTS && !r->d->search[0]) {
            index_match(r, token_field(t));
        } else if (tag == 'c') {
            int op = t[3] - 'A', search = op - RL_FTS;
            if (search >= 8) { /* "to_tsvector([$1::regconfig, ]col)" */
                rli_sb_puts(r->b, "to_tsvector(");
                if (search / 4 % 2) {
                    param(r);
                    rli_sb_puts(r->b, "::regconfig, ");
                }
            }
            /* JSON documents compared as documents: a cast or a function on both sides */
            bool doc = json_equality(r, token_field(t), (rl_op)op);
            const char *cast = doc && r->d->json_equal_cast ? r->d->json_equal_cast : "";
            const char *fn = doc ? r->d->json_equal_fn : NULL;
            if (fn) { /* a stored text that is no JSON compares as NULL, not as an error */
                rli_sb_puts(r->b, "(CASE WHEN json_valid(");
                rli_r_column_ref(r, token_field(t));
                rli_sb_printf(r->b, ") THEN %s(", fn);
            }
            rli_r_column_ref(r, token_field(t));
            if (search >= 8) rli_sb_puts(r->b, ")");
            if (fn) rli_sb_puts(r->b, ") END)");
            if (!fn) rli_sb_puts(r->b, cast);
            comparison_in(r, (rl_op)op, fn);
            if (!fn) rli_sb_puts(r->b, cast);
        } else if (tag == 'C') { /* through a JSON path; a JSON value compared as jsonb */
            rl_op op = (rl_op)(t[3] - 'A');
            size_t len = path_len(t);
            rli_r_json_path(r, token_field(t), t + 8, len, false);
            bool doc = t[8 + len - 1] == 'j' &&
                       (op <= RL_GE || op == RL_IS_DISTINCT || op == RL_IS_NOT_DISTINCT);
            comparison_in(r, op, doc ? r->d->json_equal_fn : NULL);
            if (doc && r->d->json_equal_cast) rli_sb_puts(r->b, r->d->json_equal_cast);
        } else if (tag == 'k') {
            key_set(r, t);
        } else if (tag == 'x') {
            exists(r, t);
        } else {
            in_list(r, t);
        }
    }
    if (terms[0] > 0) rli_sb_puts(r->b, close);
    return t;
}

static void order_by(render *r)
{
    bool first = true;
    for (const char *t = r->s->shape; t && *t && *t != '|'; t = next_token(t)) {
        if (*t != 'o' && *t != 'O') continue;
        rli_sb_puts(r->b, first ? " ORDER BY " : ", ");
        first = false;
        if (*t == 'O')
            rli_r_json_path(r, token_field(t), t + 8, path_len(t), true);
        else
            rli_r_column_ref(r, token_field(t));
        rli_sb_puts(r->b, t[3] == 'd' || t[3] == 'F' || t[3] == 'L' ? " DESC" : " ASC");
        if (t[3] != 'a' && t[3] != 'd')
            rli_sb_puts(r->b, t[3] == 'f' || t[3] == 'F' ? " NULLS FIRST" : " NULLS LAST");
    }
}

static void where(render *r)
{
    const rls_stmt *s = r->s;
    switch (s->where) {
    case RLS_WHERE_NONE:
        break;
    case RLS_WHERE_PK:
    case RLS_WHERE_ROWID:
        rli_sb_puts(r->b, " WHERE ");
        if (s->where == RLS_WHERE_PK)
            rli_sb_ident(r->b, s->t->pk);
        else if (r->d->rowid)
            rli_sb_puts(r->b, r->d->rowid);
        else
            rli_sb_ident(r->b, r->s->t->pk ? r->s->t->pk : "id");
        rli_sb_puts(r->b, " = ");
        param(r);
        break;
    case RLS_WHERE_SHAPE:
        conditions(r, s->shape, " WHERE ", "");
        break;
    }
}

/* ORDER BY and LIMIT/OFFSET of a SELECT (or of the page a paged COUNT counts). */
static void order_and_page(render *r)
{
    if (r->s->where == RLS_WHERE_SHAPE) order_by(r);
    if (!r->s->paged) return;
    if (r->d->limit_inline) {
        if (r->s->limit >= 0)
            rli_sb_printf(r->b, " LIMIT %lld", (long long)r->s->limit);
        else
            rli_sb_puts(r->b, " LIMIT ALL");
        rli_sb_printf(r->b, " OFFSET %lld", (long long)(r->s->offset > 0 ? r->s->offset : 0));
        return;
    }
    rli_sb_puts(r->b, " LIMIT ");
    param(r);
    rli_sb_puts(r->b, " OFFSET ");
    param(r);
}

/* The SELECT list: the statement's pk and columns, then the joined table's. */
static void select_list(render *r)
{
    const rls_stmt *s = r->s;
    bool first = true;
    for (int i = -1; i < (int)s->t->ncolumns; i++) {
        if (i < 0 ? !(s->with_pk && s->t->pk) : !(s->columns & (1ULL << i))) continue;
        if (!first) rli_sb_puts(r->b, ", ");
        rli_r_column_read(r, i < 0 ? RLS_PK : i);
        first = false;
    }
    const rls_join *j = s->join;
    for (int i = -1; j && i < (int)j->t->ncolumns; i++) {
        if (i < 0 ? !(j->with_pk && j->t->pk) : !(j->columns & (1ULL << i))) continue;
        if (!first) rli_sb_puts(r->b, ", ");
        rli_r_column_read(r, i < 0 ? RLS_JOINED_PK : RLS_JOINED + i);
        first = false;
    }
}

static const char *const agg_fn[] = {"count(", "sum(", "avg(", "min(", "max("};

/* A chosen SELECT list: fields and aggregates, in the caller's order. */
static void item_list(render *r)
{
    for (size_t i = 0; i < r->s->nitems; i++) {
        const rls_item *it = &r->s->items[i];
        if (i) rli_sb_puts(r->b, ", ");
        if (it->agg >= 0) rli_sb_puts(r->b, agg_fn[it->agg]);
        if (it->cast) rli_sb_puts(r->b, "CAST(");
        if (it->field >= 0 && it->path)
            rli_r_json_path(r, it->field, it->path, it->path_len, false);
        else if (it->field >= 0)
            rli_r_column_ref(r, it->field);
        else
            rli_sb_puts(r->b, "*");
        if (it->cast) rli_sb_printf(r->b, " AS %s)", r->d->cast_as[it->cast]);
        if (it->agg >= 0) rli_sb_puts(r->b, ")");
    }
}

static void group_by(render *r)
{
    for (size_t i = 0; i < r->s->ngroup; i++) {
        rli_sb_puts(r->b, i ? ", " : " GROUP BY ");
        rli_r_column_ref(r, r->s->group[i]);
    }
}

/* "SELECT g, agg(f)" of an aggregate; count(*) when there is no field. */
static void aggregate(render *r)
{
    const char *const *fn = agg_fn;
    rli_sb_puts(r->b, "SELECT ");
    for (size_t i = 0; i < r->s->ngroup; i++) {
        rli_r_column_ref(r, r->s->group[i]);
        rli_sb_puts(r->b, ", ");
    }
    rli_sb_puts(r->b, fn[r->s->agg]);
    if (r->s->agg_field < 0)
        rli_sb_puts(r->b, "*");
    else
        rli_r_column_ref(r, r->s->agg_field);
    rli_sb_puts(r->b, ")");
}

/* " FROM t [AS t0] [[LEFT] JOIN j AS t1 ON t1.right = t0.left]" */
static void from(render *r)
{
    const rls_stmt *s = r->s;
    rli_sb_puts(r->b, " FROM ");
    if (r->key_join)
        rli_sb_printf(r->b, "json_each(%c%d) AS k CROSS JOIN ", r->d->placeholder,
                      r->key_join_param);
    rli_sb_ident(r->b, s->t->name);
    if (!r->qualify) return;
    rli_sb_puts(r->b, " AS t0");
    for (size_t m = 0; m <= s->nmore; m++) {
        const rls_join *j = m ? &s->more[m - 1] : s->join;
        if (!j) continue;
        rli_sb_puts(r->b, j->inner ? " JOIN " : " LEFT JOIN ");
        rli_sb_ident(r->b, j->t->name);
        rli_sb_printf(r->b, " AS t%zu ON ", m + 1);
        for (int i = 0; i < j->n; i++) {
            if (i) rli_sb_puts(r->b, " AND ");
            rli_r_column_ref(r, j->right[i]);
            rli_sb_puts(r->b, " = ");
            rli_r_column_ref(r, j->left[i]);
        }
    }
}

/* The shape's set of keys of the statement's own table, at the top level of its conditions,
 * when the dialect reads such sets with json_each: it becomes the first table of the statement
 * (a SELECT or an aggregate without a join), its placeholder's number found by writing the
 * conditions once aside.  (As "c IN (SELECT value FROM json_each(?))" SQLite would build a
 * temporary index of the set for every run, with a page cache of its own.)  The set holds each
 * key once, so the join gives each row once. */
static void find_key_join(render *r)
{
    const rls_stmt *s = r->s;
    if (r->d->key_rows_records || s->join || s->nmore || s->where != RLS_WHERE_SHAPE || !s->shape ||
        (s->kind != RLS_SELECT && s->kind != RLS_AGGREGATE))
        return;
    int depth = 0;
    const char *found = NULL;
    for (const char *t = s->shape; *t && *t != '|' && *t != '}'; t = next_token(t)) {
        depth += *t == '(' ? 1 : *t == ')' ? -1 : 0;
        if (*t != 'k' || depth) continue;
        bool own = true;
        for (int i = 0; i < hex_digit(t[1]); i++) {
            int code = token_field(t + 1 + 2 * i);
            own = own && (code < RLS_JOINED || code == RLS_PK);
        }
        if (own) found = t;
    }
    if (!found) return;
    strbuf scratch;
    rli_sb_init(&scratch);
    render dry = *r;
    dry.b = &scratch;
    dry.probe = found;
    conditions(&dry, s->shape, " WHERE ", "");
    rli_sb_free(&scratch);
    r->key_join = found;
    r->key_join_param = dry.probe_n + 1;
    r->qualify = true;
}

void rli_render(const rl_dialect *d, const rls_stmt *s, strbuf *out)
{
    render r = {d, s, out, 0, s->join || s->nmore || s->nsubs, s->t, "t0", NULL, 0, NULL, 0};
    find_key_join(&r);
    switch (s->kind) {
    case RLS_INSERT:
        rli_r_insert(&r);
        return;
    case RLS_UPSERT:
        rli_r_upsert(&r);
        return;
    case RLS_UPDATE:
        rli_r_update(&r);
        where(&r);
        return;
    case RLS_DELETE:
        rli_sb_puts(out, "DELETE FROM ");
        rli_sb_ident(out, s->t->name);
        if (r.qualify) rli_sb_puts(out, " AS t0");
        where(&r);
        return;
    case RLS_SELECT:
        rli_sb_puts(out, s->distinct ? "SELECT DISTINCT " : "SELECT ");
        if (s->nitems)
            item_list(&r);
        else
            select_list(&r);
        break;
    case RLS_AGGREGATE:
        aggregate(&r);
        break;
    case RLS_COUNT:
        rli_sb_puts(out, s->paged ? "SELECT count(*) FROM (SELECT 1" : "SELECT count(*)");
        break;
    case RLS_EXISTS:
        rli_sb_puts(out, "SELECT EXISTS (SELECT 1");
        break;
    }
    from(&r);
    where(&r);
    if (s->kind == RLS_AGGREGATE) {
        group_by(&r);
        return;
    }
    if (s->kind == RLS_SELECT) group_by(&r);
    if (s->kind == RLS_SELECT || (s->kind == RLS_COUNT && s->paged)) order_and_page(&r);
    if (s->kind == RLS_EXISTS) rli_sb_puts(out, ")");
    if (s->kind == RLS_COUNT && s->paged) rli_sb_puts(out, ") AS page");
}
