/*
 * The SQL renderer (see render.h for the tree and the shape grammar).
 *
 * Entry point: rli_render.  Each part of a statement has its own small function: the column
 * list, the SET list, the WHERE clause (from a key or from a shape), ORDER BY and paging.
 * The placeholder counter r->n runs through them in binding order.
 */
#include "render.h"

#include <stdlib.h>
#include <string.h>

const rl_dialect rli_dialect_sqlite = {
    .name = "sqlite",
    .placeholder = '?',
    .rowid = "_rowid_",
    .false_ = "0",
    .true_ = "1",
    /* IMMEDIATE: the write lock at BEGIN, not at the first write (no deadlock on upgrade) */
    .begin = "BEGIN IMMEDIATE",
    .savepoint_anywhere = true};

/* PostgreSQL has no row id: a table's integer primary key stands in for it. */
const rl_dialect rli_dialect_postgres = {.name = "postgres",
                                         .placeholder = '$',
                                         .rowid = NULL,
                                         .false_ = "false",
                                         .true_ = "true",
                                         .begin = "BEGIN"};

#define MAX_DEPTH 32 /* groups nest at most this deep (the builder refuses deeper) */

typedef struct render {
    const rl_dialect *d;
    const rls_stmt *s;
    strbuf *b;
    int n; /* placeholders written so far */
} render;

static void param(render *r)
{
    rli_sb_printf(r->b, "%c%d", r->d->placeholder, ++r->n);
}

static const char *column(const rls_table *t, int code)
{
    return code == RLS_PK ? t->pk : t->columns[code];
}

static int hex_digit(char c)
{
    return c >= 'a' ? c - 'a' + 10 : c - '0';
}

static int token_field(const char *t)
{
    return hex_digit(t[1]) * 16 + hex_digit(t[2]);
}

/* The token after the one at t. */
static const char *next_token(const char *t)
{
    switch (*t) {
    case 'c':
    case 'o':
        return t + 4;
    case '(':
        return t + 2;
    case ')':
        return t + 1;
    default: /* 'i' field negate count ';' */
        return strchr(t, ';') + 1;
    }
}

/* "[pk, ]a, b, c": the columns of s->columns. */
static void column_list(render *r)
{
    const rls_table *t = r->s->t;
    bool first = true;
    if (r->s->with_pk && t->pk) {
        rli_sb_ident(r->b, t->pk);
        first = false;
    }
    for (size_t i = 0; i < t->ncolumns; i++) {
        if (!(r->s->columns & (1ULL << i))) continue;
        if (!first) rli_sb_puts(r->b, ", ");
        rli_sb_ident(r->b, t->columns[i]);
        first = false;
    }
}

static size_t column_count(const rls_stmt *s)
{
    return (size_t)__builtin_popcountll(s->columns) + (s->with_pk && s->t->pk ? 1 : 0);
}

static void insert(render *r)
{
    rli_sb_puts(r->b, "INSERT INTO ");
    rli_sb_ident(r->b, r->s->t->name);
    size_t n = column_count(r->s);
    if (n == 0) {
        rli_sb_puts(r->b, " DEFAULT VALUES");
        return;
    }
    rli_sb_puts(r->b, " (");
    column_list(r);
    rli_sb_puts(r->b, ") VALUES (");
    for (size_t i = 0; i < n; i++) {
        if (i) rli_sb_puts(r->b, ", ");
        param(r);
    }
    rli_sb_puts(r->b, ")");
}

static void set_one(render *r, int code, bool first)
{
    rli_sb_puts(r->b, first ? " SET " : ", ");
    rli_sb_ident(r->b, column(r->s->t, code));
    rli_sb_puts(r->b, " = ");
    param(r);
}

static void update(render *r)
{
    const rls_stmt *s = r->s;
    rli_sb_puts(r->b, "UPDATE ");
    rli_sb_ident(r->b, s->t->name);
    bool first = true;
    if (s->nset) {
        for (size_t i = 0; i < s->nset; i++, first = false)
            set_one(r, s->set[i], first);
        return;
    }
    if (s->with_pk && s->t->pk) {
        set_one(r, RLS_PK, true);
        first = false;
    }
    for (size_t i = 0; i < s->t->ncolumns; i++)
        if (s->columns & (1ULL << i)) {
            set_one(r, (int)i, first);
            first = false;
        }
}

/* " = ?", " LIKE ? ESCAPE '\'"...: the comparison of operator op with one placeholder. */
static void comparison(render *r, rl_op op)
{
    static const char *const cmp[] = {[RL_EQ] = " = ",          [RL_NE] = " <> ",
                                      [RL_LT] = " < ",          [RL_LE] = " <= ",
                                      [RL_GT] = " > ",          [RL_GE] = " >= ",
                                      [RL_LIKE] = " LIKE ",     [RL_GLOB] = " GLOB ",
                                      [RL_CONTAINS] = " LIKE ", [RL_STARTS_WITH] = " LIKE ",
                                      [RL_ENDS_WITH] = " LIKE "};
    if (op == RL_IS_NULL || op == RL_IS_NOT_NULL) {
        rli_sb_puts(r->b, op == RL_IS_NULL ? " IS NULL" : " IS NOT NULL");
        return;
    }
    rli_sb_puts(r->b, cmp[op]);
    param(r);
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
    rli_sb_ident(r->b, column(r->s->t, token_field(t)));
    rli_sb_puts(r->b, negate ? " NOT IN (" : " IN (");
    for (unsigned long long i = 0; i < n; i++) {
        if (i) rli_sb_puts(r->b, ", ");
        param(r);
    }
    rli_sb_puts(r->b, ")");
}

/* " WHERE " and the shape's conditions; nothing when there are none. */
static void where_shape(render *r)
{
    bool is_or[MAX_DEPTH] = {false};
    int terms[MAX_DEPTH] = {0};
    int d = 0;
    for (const char *t = r->s->shape; t && *t; t = next_token(t)) {
        char tag = *t;
        if (tag == 'o') continue; /* ordering: order_by */
        if (tag == ')') {         /* an empty OR matches nothing, an empty AND everything */
            if (terms[d] == 0) rli_sb_puts(r->b, is_or[d] ? r->d->false_ : r->d->true_);
            rli_sb_puts(r->b, ")");
            d--;
            continue;
        }
        /* every other token starts a term of the current group (the first: of the WHERE) */
        if (terms[d]++ > 0)
            rli_sb_puts(r->b, is_or[d] ? " OR " : " AND ");
        else if (d == 0)
            rli_sb_puts(r->b, " WHERE ");
        if (tag == '(') {
            if (d + 1 >= MAX_DEPTH) return; /* refused by the builder before */
            rli_sb_puts(r->b, "(");
            d++;
            is_or[d] = t[1] == 'o';
            terms[d] = 0;
        } else if (tag == 'c') {
            rli_sb_ident(r->b, column(r->s->t, token_field(t)));
            comparison(r, (rl_op)(t[3] - 'a'));
        } else {
            in_list(r, t);
        }
    }
}

static void order_by(render *r)
{
    bool first = true;
    for (const char *t = r->s->shape; t && *t; t = next_token(t)) {
        if (*t != 'o') continue;
        rli_sb_puts(r->b, first ? " ORDER BY " : ", ");
        first = false;
        rli_sb_ident(r->b, column(r->s->t, token_field(t)));
        rli_sb_puts(r->b, t[3] == 'd' ? " DESC" : " ASC");
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
        where_shape(r);
        break;
    }
}

/* ORDER BY and LIMIT/OFFSET of a SELECT (or of the page a paged COUNT counts). */
static void order_and_page(render *r)
{
    if (r->s->where == RLS_WHERE_SHAPE) order_by(r);
    if (!r->s->paged) return;
    rli_sb_puts(r->b, " LIMIT ");
    param(r);
    rli_sb_puts(r->b, " OFFSET ");
    param(r);
}

void rli_render(const rl_dialect *d, const rls_stmt *s, strbuf *out)
{
    render r = {d, s, out, 0};
    switch (s->kind) {
    case RLS_INSERT:
        insert(&r);
        return;
    case RLS_UPDATE:
        update(&r);
        where(&r);
        return;
    case RLS_DELETE:
        rli_sb_puts(out, "DELETE FROM ");
        rli_sb_ident(out, s->t->name);
        where(&r);
        return;
    case RLS_SELECT:
        rli_sb_puts(out, "SELECT ");
        column_list(&r);
        break;
    case RLS_COUNT:
        rli_sb_puts(out, s->paged ? "SELECT count(*) FROM (SELECT 1" : "SELECT count(*)");
        break;
    case RLS_EXISTS:
        rli_sb_puts(out, "SELECT EXISTS (SELECT 1");
        break;
    }
    rli_sb_puts(out, " FROM ");
    rli_sb_ident(out, s->t->name);
    where(&r);
    if (s->kind == RLS_SELECT || (s->kind == RLS_COUNT && s->paged)) order_and_page(&r);
    if (s->kind == RLS_EXISTS || (s->kind == RLS_COUNT && s->paged)) rli_sb_puts(out, ")");
}
